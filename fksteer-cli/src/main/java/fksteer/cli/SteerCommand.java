package fksteer.cli;

import fksteer.io.Json;
import fksteer.data.Checkerboard;
import fksteer.kernel.Parallel;
import fksteer.process.MaskedProcess;
import fksteer.process.Process;
import fksteer.plot.Plots;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.solver.Sampler;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.GuidedSampling;
import fksteer.steer.Intermediate;
import fksteer.steer.Potential;
import fksteer.steer.SearchOverPaths;
import fksteer.steer.SteerResult;
import fksteer.steer.SteeringMethod;
import fksteer.steer.Tempering;
import fksteer.steer.ZerothOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "steer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Steer a model toward high reward: best-of-n, zeroth-order, search-over-paths, fk (Feynman-Kac) or guidance.",
        footer = {"", "Examples:",
                "  fksteer steer --model checkerboard --method fk --reward quadratic:2,0.5 --particles 1024 --steps 100 --seed 1 --out fk.json --plot fk.png",
                "  fksteer steer --model checkerboard --method fk --reward quadratic:2,0.5 --lambda 2 --potential max --resampler stratified --out fk.json",
                "  fksteer steer --model checkerboard --method best-of-n --reward line:horizontal,1 --particles 512 --top-k 8 --out bon.json",
                "  fksteer steer --model checkerboard --method zeroth-order --reward point:-2,-2 --particles 2048 --cycles 5 --radius 1 --out zo.json --plot zo.png",
                "  fksteer steer --model checkerboard --method search-over-paths --reward point:0,0 --particles 1024 --expansions 8 --out sop.json --plot sop.png",
                "  fksteer steer --model checkerboard --method fk --reward quadratic:2,0.5 --lambda 2 --stochasticity 1 --guidance 1 --particles 8 --out g.json",
                "  fksteer steer --model checkerboard --method fk --reward quadratic:2,0.5 --lambda 2 --intermediate many:4 --lookahead-steps 4 --out m.json"})
final class SteerCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "checkerboard, FILE.safetensors, FILE.json (a gaussian mixture) or CARD.json (an ONNX model card)")
    String model;

    @Option(names = "--method", required = true, description = "best-of-n, zeroth-order, search-over-paths, fk or guidance (guided SDE, unweighted)")
    String method;

    @Option(names = "--reward", required = true, description = "point:X,Y | line:horizontal,Y | line:vertical,X | quadratic:C1,.. | linear:A1,.. | onnx:FILE | onnx:FILE:class=C | "
            + "text models: sentiment | perplexity | contains:WORD | weighted sums W*SPEC+W*SPEC")
    String reward;

    @Option(names = "--prompt", description = "text models: the text every sample starts with, kept as is while the model writes the rest")
    String prompt;

    @Option(names = "--particles", defaultValue = "1024", description = "particles / samples / candidates (default ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--steps", defaultValue = "100", description = "sampler steps from t=0 to 1 (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, description = "output FILE.json")
    Path out;

    @Option(names = "--plot", description = "figure of the run (PNG): points in 2-D; for an ONNX card's [C, H, W] images (C = 1 or 3), "
            + "the output samples as a grid (at most 1024), captioned with reward and weight, over the card's dataRange; "
            + "a decoder's images over their own min..max")
    Path plot;

    @Option(names = "--threads", description = "worker threads, 1 to 256 (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--lambda", defaultValue = "1", description = "fk, best-of-n --weighted: target p(x) exp(lambda r(x)) / Z; 1 = the Bayes posterior for a log-likelihood reward (default ${DEFAULT-VALUE})")
    double lambda;

    // fk
    @Option(names = "--potential", defaultValue = "diff", description = "fk: diff, max, sum, rt, max-increment or sum-increment (default ${DEFAULT-VALUE})")
    String potential;

    @Option(names = "--intermediate", defaultValue = "x1hat", description = "fk: xt, x1hat, lookahead, many:K or learned (default ${DEFAULT-VALUE})")
    String intermediate;

    @Option(names = "--lookahead-steps", defaultValue = "4", description = "fk with --intermediate lookahead or many:K: steps of each lookahead (default ${DEFAULT-VALUE})")
    int lookaheadSteps;

    @Option(names = "--guidance", defaultValue = "0", description = "fk: a multiplier G of the current tilt lambda_s: each guided step's mean shifts by G x lambda_s x step variance "
            + "x grad r(x1hat) (1 = the TDS twisted proposal), from --resample-start on, with the twist potential at every guided step, "
            + "so the target is unchanged; guidance: an absolute scale, mean shift SCALE x step variance x grad r(x1hat), unweighted "
            + "(default ${DEFAULT-VALUE} = off)")
    double guidance;

    @Option(names = "--tempering", defaultValue = "none", description = "fk: how the intermediate targets' tilt rises to lambda: none (lambda at every "
            + "scored step), linear, adaptive (largest tilt keeping the conditional ESS >= 0.5 k) or adaptive:T, T in (0, 1) (default ${DEFAULT-VALUE})")
    String tempering;

    @Option(names = "--resampler", defaultValue = "systematic", description = "fk: systematic, multinomial, stratified or residual (default ${DEFAULT-VALUE})")
    String resampler;

    // the schedule's defaults are the library's (ResampleSchedule.defaults()): picocli takes a field's initial value as its default
    @Option(names = "--ess-threshold", description = "fk: resample when ESS/k is below this; 1 = always (default ${DEFAULT-VALUE})")
    double essThreshold = ResampleSchedule.defaults().essThreshold();

    @Option(names = "--resample-start", description = "fk: first resampling time (default ${DEFAULT-VALUE})")
    double resampleStart = ResampleSchedule.defaults().start();

    @Option(names = "--resample-end", description = "fk: last resampling time (default ${DEFAULT-VALUE})")
    double resampleEnd = ResampleSchedule.defaults().end();

    @Option(names = "--resample-count", description = "fk: number of resampling steps (default 5)")
    Integer resampleCount;

    @Option(names = "--resample-every", description = "fk: resample every N steps instead")
    Integer resampleEvery;

    @Option(names = "--output-policy", defaultValue = "weighted", description = "fk: weighted, resampled or argmax (default ${DEFAULT-VALUE})")
    String outputPolicy;

    // best-of-n
    @Option(names = "--top-k", defaultValue = "1", description = "best-of-n: how many best samples to mark (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--weighted", description = "best-of-n: weight samples by exp(lambda r) (importance sampling)")
    boolean weighted;

    // zeroth-order
    @Option(names = "--cycles", defaultValue = "5", description = "zeroth-order: pivot updates (default ${DEFAULT-VALUE})")
    int cycles;

    @Option(names = "--radius", defaultValue = "1.0", description = "zeroth-order: neighbourhood radius (default ${DEFAULT-VALUE})")
    double radius;

    @Option(names = "--proposal", defaultValue = "disk", description = "zeroth-order: disk (uniform in the ball) or gaussian (default ${DEFAULT-VALUE})")
    String proposal;

    @Option(names = "--pivot", split = ",", description = "zeroth-order: initial pivot noise X,Y,... (default: drawn from the seed)")
    double[] pivot;

    // search over paths
    @Option(names = "--expansions", defaultValue = "8", description = "search-over-paths: M children per state (default ${DEFAULT-VALUE})")
    int expansions;

    @Option(names = "--t-start", defaultValue = "0.8", description = "search-over-paths: where the search starts (default ${DEFAULT-VALUE})")
    double tStart;

    @Option(names = "--delta-f", defaultValue = "0.1", description = "search-over-paths: forward noising Δf (default ${DEFAULT-VALUE})")
    double deltaF;

    @Option(names = "--delta-b", defaultValue = "0.14", description = "search-over-paths: backward solve Δb (default ${DEFAULT-VALUE})")
    double deltaB;

    @Option(names = "--noise-kernel", defaultValue = "reference", description = "search-over-paths: reference (x + Δf ε) or path (the path's own conditional) (default ${DEFAULT-VALUE})")
    String noiseKernel;

    @Option(names = "--score-on", defaultValue = "xt", description = "search-over-paths: xt (the reference) or x1hat (default ${DEFAULT-VALUE})")
    String scoreOn;

    @CommandLine.Mixin
    ProcessOptions processOptions = new ProcessOptions();

    @CommandLine.Mixin
    OnnxFlags onnxFlags = new OnnxFlags();

    /** Whether --plot draws images (no point snapshots are then kept). */
    private boolean images;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer steer", stderr);
        checkSettings();
        Outputs outputs = new Outputs();
        outputs.file("out", out, ".json");
        outputs.file("plot", plot, ".png");
        try (OnnxFlags.Loaded loaded = onnxFlags.open(model, processOptions.condition())) {
            Run run = compute(loaded, stderr, quiet);
            for (String w : run.res.warnings()) stderr.println("fksteer steer: warning: " + w);
            SteerResult res = run.res;
            outputs.write(() -> {
                Json.write(out, run.json);
                if (run.grid != null) drawImages(run.grid, run.title, res, run.decoded, loaded);
                else if (plot != null) plot(res, run.reward);
                return null;
            });
            stdout.printf(Locale.ROOT, "%s: %d samples, mean reward %.4g, max %.4g, nfe %d, reward calls %d, %.3f s -> %s%n",
                    res.method(), res.n(), res.weightedMeanReward(), res.maxReward(), res.nfe(), res.rewardCalls(), res.wallSeconds(), out);
            return 0;
        }
    }

    /** The checks made before anything is opened: sizes, the method and the options it reads. */
    private void checkSettings() {
        Validate.positive("--particles", particles, 50_000_000);
        Validate.positive("--steps", steps, 1_000_000);
        canonicalMethod();
    }

    /**
     * This command's run in process, for {@link SteerJob}: the JSON object {@code steer} writes to
     * --out, computed with the model sessions given (which stay open), writing nothing.
     */
    Map<String, Object> job(ModelSessions sessions) throws Exception {
        if (plot != null) throw new IllegalArgumentException("--plot is not written by a job: run fksteer steer --plot for the figure of one job");
        checkSettings();
        try (OnnxFlags.Loaded loaded = onnxFlags.open(model, processOptions.condition(), sessions)) {
            return compute(loaded, null, true).json;
        }
    }

    /** A computed run: the JSON it writes, and what its figure needs. */
    private record Run(Map<String, Object> json, SteerResult res, Reward reward, String title, ImagePlot grid, float[] decoded) {}

    /** Runs the method on the loaded model; stderr (null for none) shows the progress bar unless quiet. */
    private Run compute(OnnxFlags.Loaded loaded, java.io.PrintWriter stderr, boolean quiet) throws Exception {
        Process f = loaded.prompted(prompt);
        Reward r = loaded.reward(reward);
        loaded.refuseUnused();
        OnnxFlags.Drawn drawn = plot == null ? null : loaded.requirePlottable("--plot");
        images = drawn == OnnxFlags.Drawn.IMAGES || drawn == OnnxFlags.Drawn.DECODED_IMAGES;
        Sampler smp = processOptions.sampler(f, method.equals("fk") || method.equals("guidance"),
                method.equals("fk") ? FkSteering.DEFAULT_STOCHASTICITY : ProcessOptions.DEFAULT_STOCHASTICITY);
        SteeringMethod m = build(smp);
        if (r.dim() != f.dim())
            throw new IllegalArgumentException("--reward has dimension " + r.dim() + " but the model has dimension " + f.dim());
        if (drawn == OnnxFlags.Drawn.POINTS && f.dim() < 2)
            throw new IllegalArgumentException("--plot needs a model of dimension >= 2, this one has " + f.dim());
        String title = m.name() + " toward " + r.spec();
        ImagePlot grid = !images ? null : ImagePlot.of((drawn == OnnxFlags.Drawn.IMAGES ? f.shape() : loaded.onnx.decoder().outputShape()).dims(),
                drawn == OnnxFlags.Drawn.DECODED_IMAGES, particles, true, title);
        Memory.Footprint footprint = Memory.steer(m, particles, f.dim(), drawn == OnnxFlags.Drawn.POINTS);
        if (f instanceof MaskedProcess mp)       // each batch's cached model output: the run's, and search over paths' children
            footprint = Memory.plus(footprint, (double) mp.cacheBytes(1) * (method.equals("search-over-paths") ? 1 + expansions : 1));
        Memory.require(particles, grid == null ? footprint : Memory.plus(footprint, grid.bytesPerImage()));
        SteerResult res;
        if (stderr == null) {
            res = m.run(f, r, seed, fksteer.steer.ProgressListener.NONE);
        } else {
            try (ProgressBar bar = ProgressBar.open("steer " + method, stderr, quiet)) {
                res = m.run(f, r, seed, bar);
                bar.finish();
            }
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("method", res.method());
        float[] decoded = null;
        if (res.discrete()) {
            o.put("texts", loaded.texts(res.tokens(), res.n()));
            o.put("tokens", Json.rows(res.tokens(), res.n(), res.d()));
            if (prompt != null) o.put("prompt", prompt);
        } else {
            o.put("samples", Json.rows(res.samples(), res.n(), res.d()));
            o.put("shape", f.shape().dims());                   // each row of "samples" is one sample of this shape, flat
            decoded = loaded.decoded(res.samples(), res.n());
            if (decoded != null) o.put("decoded", Json.rows(decoded, res.n(), loaded.decodedSize()));
        }
        o.put("logWeights", writableLogWeights(res.logWeights()));
        o.put("weights", weights(res.logWeights()));
        o.put("rewards", res.rewards());
        o.put("nfe", res.nfe());
        o.put("rewardCalls", res.rewardCalls());
        o.put("wallSeconds", Validate.seconds(res.wallSeconds()));
        o.put("meanReward", res.weightedMeanReward());
        o.put("maxReward", res.maxReward());
        if (res.d() == 2 && Validate.isCheckerboard(model))
            o.put("onSupportFraction", Checkerboard.onSupportFraction(res.samples(), res.n(), res.logWeights()));
        o.putAll(res.diagnostics());
        o.computeIfPresent("learnedTrainingSeconds", (k, v) -> Validate.seconds((Double) v));
        o.put("warnings", res.warnings());
        Map<String, Object> cfg = config(f, smp);
        loaded.record(cfg);
        o.put("config", cfg);
        return new Run(o, res, r, title, grid, decoded);
    }

    /**
     * The log-weights as written: a particle of weight zero has log-weight -inf, which JSON cannot
     * hold, so it is written as -Double.MAX_VALUE (-1.7976931348623157E308), whose exp is exactly 0
     * and which leaves logsumexp = 0. NaN or +inf stays, and the writer refuses it (a bug upstream).
     */
    static double[] writableLogWeights(double[] logWeights) {
        double[] w = logWeights.clone();
        for (int i = 0; i < w.length; i++) if (w[i] == Double.NEGATIVE_INFINITY) w[i] = -Double.MAX_VALUE;
        return w;
    }

    /** The normalised weights exp(logWeights), in [0, 1], summing to 1. */
    static double[] weights(double[] logWeights) {
        double[] w = new double[logWeights.length];
        for (int i = 0; i < w.length; i++) w[i] = Math.exp(logWeights[i]);
        return w;
    }

    /** Canonical method names; "bon" is short for best-of-n. */
    static final List<String> METHODS = List.of("best-of-n", "zeroth-order", "search-over-paths", "fk", "guidance");

    /**
     * The options that only some methods read, with the methods that read them. Given explicitly to any
     * other method, they are refused (one line, exit 2) instead of being silently ignored.
     */
    private static final Map<String, List<String>> ONLY_FOR = Map.ofEntries(
            Map.entry("--potential", List.of("fk")), Map.entry("--intermediate", List.of("fk")), Map.entry("--tempering", List.of("fk")),
            Map.entry("--resampler", List.of("fk")), Map.entry("--ess-threshold", List.of("fk")),
            Map.entry("--resample-start", List.of("fk")), Map.entry("--resample-end", List.of("fk")),
            Map.entry("--resample-count", List.of("fk")), Map.entry("--resample-every", List.of("fk")),
            Map.entry("--output-policy", List.of("fk")), Map.entry("--lookahead-steps", List.of("fk")),
            Map.entry("--guidance", List.of("fk", "guidance")), Map.entry("--lambda", List.of("fk", "best-of-n")),
            Map.entry("--top-k", List.of("best-of-n")), Map.entry("--weighted", List.of("best-of-n")),
            Map.entry("--cycles", List.of("zeroth-order")), Map.entry("--radius", List.of("zeroth-order")),
            Map.entry("--proposal", List.of("zeroth-order")), Map.entry("--pivot", List.of("zeroth-order")),
            Map.entry("--expansions", List.of("search-over-paths")), Map.entry("--t-start", List.of("search-over-paths")),
            Map.entry("--delta-f", List.of("search-over-paths")), Map.entry("--delta-b", List.of("search-over-paths")),
            Map.entry("--noise-kernel", List.of("search-over-paths")), Map.entry("--score-on", List.of("search-over-paths")));

    private boolean given(String option) {
        return processOptions.given(option);
    }

    /** Refuses an option given explicitly that the chosen method (or its settings) would ignore. */
    private void refuseInapplicable(String mth) {
        for (Map.Entry<String, List<String>> e : ONLY_FOR.entrySet())
            if (given(e.getKey()) && !e.getValue().contains(mth))
                throw new IllegalArgumentException(e.getKey() + " applies only to --method " + String.join(" or ", e.getValue()));
        if (mth.equals("best-of-n") && given("--lambda") && !weighted)
            throw new IllegalArgumentException("--lambda applies to --method best-of-n only with --weighted (it sets the weights exp(lambda r))");
        if (mth.equals("fk") && given("--lookahead-steps")) {
            Intermediate im = Intermediate.parse(intermediate);
            if (im != Intermediate.LOOKAHEAD && im != Intermediate.MANY)
                throw new IllegalArgumentException("--lookahead-steps applies only to --intermediate lookahead or many:K");
        }
    }

    /** Checks --method and the options only some methods read, making the method's name canonical. */
    void canonicalMethod() {
        String mth = method.toLowerCase(Locale.ROOT);
        if (mth.equals("bon")) mth = "best-of-n";
        if (!METHODS.contains(mth))
            throw new IllegalArgumentException("--method must be one of best-of-n, zeroth-order, search-over-paths, fk, guidance; got '" + method + "'");
        method = mth; // canonical from here on (config, labels)
        refuseInapplicable(mth);
    }

    /** The method with the sampler chosen for the model's process. */
    SteeringMethod build(Sampler s) {
        String mth = method;
        switch (mth) {
            case "fk" -> {
                if (resampleCount != null && resampleEvery != null)
                    throw new IllegalArgumentException("give only one of --resample-count and --resample-every");
                int count = resampleEvery != null ? 0 : resampleCount == null ? 5 : resampleCount;
                int every = resampleEvery == null ? 0 : resampleEvery;
                if (resampleCount != null && resampleCount < 1) throw new IllegalArgumentException("--resample-count must be >= 1, got " + resampleCount);
                if (resampleEvery != null && resampleEvery < 1) throw new IllegalArgumentException("--resample-every must be >= 1, got " + resampleEvery);
                ResampleSchedule sched = new ResampleSchedule(resampleStart, resampleEnd, count, every, essThreshold);
                Intermediate im = Intermediate.parse(intermediate);
                int samples = im == Intermediate.MANY ? Intermediate.samples(intermediate) : 4;
                return new FkSteering(particles, steps, s, lambda, Potential.parse(potential), im,
                        lookaheadSteps, sched, Resampler.parse(resampler), FkSteering.OutputPolicy.parse(outputPolicy),
                        plot == null || images ? 0 : Math.max(1, steps / 6), guidance, samples).withTempering(Tempering.parse(tempering));
            }
            case "guidance" -> {
                if (!(guidance > 0)) throw new IllegalArgumentException("--method guidance needs --guidance SCALE > 0");
                return new GuidedSampling(particles, steps, s, guidance);
            }
            case "best-of-n" -> {
                return new BestOfN(particles, steps, s, topK, weighted, lambda);
            }
            case "zeroth-order" -> {
                String prop = proposal.toLowerCase(Locale.ROOT);
                if (!prop.equals("disk") && !prop.equals("gaussian"))
                    throw new IllegalArgumentException("--proposal must be disk or gaussian, got '" + proposal + "'");
                return new ZerothOrder(particles, cycles, steps, ode(s), radius, prop.equals("gaussian"), pivot);
            }
            case "search-over-paths" -> {
                String kernel = noiseKernel.toLowerCase(Locale.ROOT);
                if (!kernel.equals("reference") && !kernel.equals("path"))
                    throw new IllegalArgumentException("--noise-kernel must be reference or path, got '" + noiseKernel + "'");
                Intermediate so = Intermediate.parse(scoreOn);
                if (so == Intermediate.LOOKAHEAD) throw new IllegalArgumentException("--score-on must be xt or x1hat, got 'lookahead'");
                return new SearchOverPaths(particles, expansions, tStart, deltaF, deltaB, 1.0 / steps, ode(s), kernel.equals("path"), so);
            }
            default -> throw new IllegalArgumentException("--method must be one of best-of-n, zeroth-order, search-over-paths, fk, guidance; got '" + method + "'");
        }
    }

    private Sampler ode(Sampler s) {
        if (s.kind() == Sampler.Kind.ANCESTRAL && method.equals("zeroth-order"))
            throw new IllegalArgumentException("--method zeroth-order searches over continuous initial noise, and a masked (text) model starts from "
                    + "all-mask sequences: use fk, best-of-n or search-over-paths");
        if (s.stochastic() && !(method.equals("search-over-paths") && s.kind() == Sampler.Kind.ANCESTRAL))
            throw new IllegalArgumentException("--sampler for " + method + " must be deterministic: euler, midpoint, heun or rk4 (flows), "
                    + "ddim with --eta 0 (vp)");
        return s;
    }

    private Map<String, Object> config(Process f, Sampler s) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", model);
        c.put("modelDescription", f.describe());
        c.put("method", method);
        c.put("reward", reward);
        c.put("particles", particles);
        c.put("steps", steps);
        c.put("seed", seed);
        c.put("threads", Parallel.threads());
        // only the settings the method read, under their canonical names
        if (method.equals("fk") || method.equals("best-of-n") && weighted) c.put("lambda", lambda);
        processOptions.record(c, f, s);
        switch (method) {
            case "fk" -> {
                Intermediate im = Intermediate.parse(intermediate);
                c.put("potential", Potential.parse(potential).cliName());
                c.put("tempering", Tempering.parse(tempering).cliName());
                c.put("intermediate", intermediate.toLowerCase(Locale.ROOT));
                if (im == Intermediate.LOOKAHEAD || im == Intermediate.MANY) c.put("lookaheadSteps", lookaheadSteps);
                c.put("resampler", resampler.toLowerCase(Locale.ROOT));
                c.put("essThreshold", essThreshold);
                c.put("resampleStart", resampleStart);
                c.put("resampleEnd", resampleEnd);
                c.put("resampleCount", resampleEvery == null ? (resampleCount == null ? 5 : resampleCount) : null);
                c.put("resampleEvery", resampleEvery);
                c.put("outputPolicy", outputPolicy.toLowerCase(Locale.ROOT));
                c.put("guidance", guidance);
            }
            case "guidance" -> c.put("guidance", guidance);
            case "best-of-n" -> {
                c.put("topK", topK);
                c.put("weighted", weighted);
            }
            case "zeroth-order" -> {
                c.put("cycles", cycles);
                c.put("radius", radius);
                c.put("proposal", proposal.toLowerCase(Locale.ROOT));
                c.put("pivot", pivot);
            }
            case "search-over-paths" -> {
                c.put("expansions", expansions);
                c.put("tStart", tStart);
                c.put("deltaF", deltaF);
                c.put("deltaB", deltaB);
                c.put("noiseKernel", noiseKernel.toLowerCase(Locale.ROOT));
                c.put("scoreOn", scoreOn.toLowerCase(Locale.ROOT));
            }
            default -> { }
        }
        return c;
    }

    /** The output samples (or their decoded images) in output order, each captioned with its reward and weight. */
    private void drawImages(ImagePlot grid, String title, SteerResult res, float[] decoded, OnnxFlags.Loaded loaded) throws java.io.IOException {
        List<String> captions = new java.util.ArrayList<>(res.n());
        for (int i = 0; i < res.n(); i++) captions.add(ImagePlot.caption(res.rewards()[i], Math.exp(res.logWeights()[i])));
        ImagePlot g = grid.n() == res.n() ? grid : new ImagePlot(grid.shape(), grid.decoded(), res.n(), Math.min(grid.columns(), res.n()), grid.scale());
        g.write(plot, title, grid.decoded() ? decoded : res.samples(), grid.decoded() ? null : loaded.dataRange(), captions);
    }

    private void plot(SteerResult res, Reward r) throws java.io.IOException {
        Plots.panels(plot, res.method() + " toward " + r.spec(), Plots.runPanels(res, r), 260, 10);
    }
}
