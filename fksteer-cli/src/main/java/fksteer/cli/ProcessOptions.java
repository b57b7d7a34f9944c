package fksteer.cli;

import fksteer.process.Condition;
import fksteer.process.Process;
import fksteer.solver.Sampler;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options that choose how a model's process is sampled, shared by {@code sample} and
 * {@code steer}: the sampler with its noise (--stochasticity for a flow's sde, --eta for VP's ddim)
 * and the condition with classifier-free guidance. Each is checked against the model's process once
 * it is loaded: a sampler of the other process, or --eta without ddim, is one line and exit 2.
 */
final class ProcessOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sampler", description = "flows: euler, midpoint, heun, rk4, sde, reference-sde, simple-stochastic; "
            + "vp: ddim, ddpm; masked (text): ancestral (default: ancestral for masked; fk and guidance: sde for flows, ddim with eta 1 for vp; otherwise midpoint for flows, ddim with eta 0 for vp)")
    String sampler;

    @Option(names = "--stochasticity", description = "k of --sampler sde or reference-sde, omega_t = k(1-t) (default 1 for fk, 0.1 otherwise)")
    Double stochasticity;

    /** k of a flow's sde when --stochasticity is not given, for every command and method but fk (FkSteering.DEFAULT_STOCHASTICITY). */
    static final double DEFAULT_STOCHASTICITY = 0.1;

    @Option(names = "--eta", description = "eta of --sampler ddim in [0, 1]: 0 deterministic, 1 the DDPM posterior's noise (default: 1 for fk and guidance, else 0)")
    Double eta;

    @Option(names = "--condition", description = "a class label (an integer, e.g. 2) or a condition vector (comma-separated numbers, e.g. 0.5,1) for a conditional model")
    String condition;

    @Option(names = "--cfg", description = "classifier-free guidance scale w >= 0 with --condition: u + w (c - u), both halves evaluated (2 NFE per point)")
    Double cfg;

    boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The condition and guidance scale, as given (Condition.NONE when no --condition). */
    Condition condition() {
        if (condition == null) {
            if (cfg != null) throw new IllegalArgumentException("--cfg needs --condition (the class or vector to guide toward)");
            return Condition.NONE;
        }
        String v = condition.trim();
        Condition c;
        if (v.matches("[0-9]+")) {
            int label;
            try {
                label = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--condition class label must be an integer in [0, " + Integer.MAX_VALUE + "], got '" + condition + "'");
            }
            c = Condition.label(label);
        } else {
            String[] parts = v.split(",", -1);
            float[] vec = new float[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    vec[i] = Float.parseFloat(parts[i].trim());
                } catch (NumberFormatException e) {
                    vec[i] = Float.NaN;
                }
                if (!Float.isFinite(vec[i]))
                    throw new IllegalArgumentException("--condition must be a class label (an integer >= 0) or comma-separated finite numbers, got '"
                            + condition + "'");
            }
            c = Condition.vector(vec);
        }
        return cfg == null ? c : c.withCfg(cfg);
    }

    /**
     * The sampler for this process: --sampler if given (checked to fit), else the process's stochastic
     * default for fk and guidance, its deterministic one for the other methods. --stochasticity and --eta
     * are refused where the sampler has no such noise. Without --stochasticity, an sde takes k = 0.1.
     */
    Sampler sampler(Process process, boolean stochasticMethod) {
        return sampler(process, stochasticMethod, DEFAULT_STOCHASTICITY);
    }

    /** As {@link #sampler(Process, boolean)}, with k = defaultStochasticity for an sde when --stochasticity is not given. */
    Sampler sampler(Process process, boolean stochasticMethod, double defaultStochasticity) {
        Sampler.Kind kind;
        if (sampler != null) kind = Sampler.Kind.parse(sampler);
        else if (!process.continuousNoise()) kind = process.stochasticSampler().kind();   // masked diffusion: its ancestral sampler, the only one
        else kind = (stochasticMethod ? process.stochasticSampler() : process.deterministicSampler()).kind();
        if (given("--stochasticity") && kind != Sampler.Kind.SDE && kind != Sampler.Kind.REFERENCE_SDE)
            throw new IllegalArgumentException("--stochasticity applies only to --sampler sde or reference-sde, not " + kind.cliName
                    + (kind == Sampler.Kind.DDIM ? " (ddim takes --eta)" : ""));
        if (eta != null && kind != Sampler.Kind.DDIM)
            throw new IllegalArgumentException("--eta applies only to --sampler ddim, not " + kind.cliName);
        Sampler s = switch (kind) {
            case SDE, REFERENCE_SDE -> new Sampler(kind, stochasticity != null ? stochasticity : defaultStochasticity);
            case DDIM -> new Sampler(kind, eta != null ? eta : stochasticMethod ? 1.0 : 0.0);
            case ANCESTRAL -> new Sampler(kind, 1);
            default -> Sampler.ode(kind);
        };
        process.requireSampler(s);
        return s;
    }

    /** Records the sampler's settings and the condition in a run's config. */
    void record(Map<String, Object> config, Process process, Sampler s) {
        config.put("process", process.kind());
        config.put("sampler", s.name());
        if (s.kind() == Sampler.Kind.SDE || s.kind() == Sampler.Kind.REFERENCE_SDE) config.put("stochasticity", s.stochasticity());
        if (s.kind() == Sampler.Kind.DDIM) config.put("eta", s.stochasticity());
        if (condition != null) config.put("condition", condition.trim().toLowerCase(Locale.ROOT));
        if (cfg != null) config.put("cfg", cfg);
    }
}
