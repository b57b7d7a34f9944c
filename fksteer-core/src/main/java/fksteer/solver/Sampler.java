package fksteer.solver;

import java.util.Locale;

/**
 * How to step from noise to data: a deterministic ODE solver or a stochastic sampler. A value object;
 * {@link #bind} gives the {@link Integrator} that holds the scratch buffers of one run.
 *
 * @param kind          the scheme
 * @param stochasticity k, for the stochastic kinds (omega_t = k (1 - t)); 0 for ODE solvers
 */
public record Sampler(Kind kind, double stochasticity) {

    public enum Kind {
        EULER("euler", 1, false),
        MIDPOINT("midpoint", 2, false),
        HEUN("heun", 2, false),
        RK4("rk4", 4, false),
        /** Marginal-preserving SDE: dx = [v + (omega_t/2) s] dt + sqrt(omega_t) dW, omega_t = k (1 - t). */
        SDE("sde", 2, true),
        /** The reference walkthrough's SDE: opposite drift sign and noise scaled by h instead of sqrt(h). */
        REFERENCE_SDE("reference-sde", 2, true),
        /** The reference's "simple stochastic" sampler: a midpoint step plus h * sqrt(1 - t) * eps. */
        SIMPLE_STOCHASTIC("simple-stochastic", 2, true),
        /** VP diffusion: DDIM with η = stochasticity in [0, 1] (η = 0 deterministic, η = 1 the DDPM posterior's variance). */
        DDIM("ddim", 1, false),
        /** VP diffusion: DDPM ancestral sampling. */
        DDPM("ddpm", 1, true),
        /** Masked diffusion: MDLM's ancestral sampler (a masked token stays masked with probability s/t, else is drawn from the model), with its final noise removal. */
        ANCESTRAL("ancestral", 1, true);

        public final String cliName;
        public final int evaluationsPerStep;
        public final boolean stochastic;

        Kind(String cliName, int evals, boolean stochastic) {
            this.cliName = cliName;
            this.evaluationsPerStep = evals;
            this.stochastic = stochastic;
        }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.cliName.equals(s.toLowerCase(Locale.ROOT))) return k;
            throw new fksteer.io.InvalidSettingException("sampler", "must be one of euler, midpoint, heun, rk4, sde, reference-sde, simple-stochastic (flows), ddim, ddpm (VP diffusion), ancestral (masked diffusion); got '" + s + "'");
        }
    }

    public Sampler {
        if (kind == null) throw new fksteer.io.InvalidSettingException("sampler", "is required");
        if (!Double.isFinite(stochasticity) || stochasticity < 0)
            throw new fksteer.io.InvalidSettingException(kind == Kind.DDIM ? "eta" : "stochasticity", "must be a finite number >= 0, got " + stochasticity);
        if (kind == Kind.DDIM && stochasticity > 1) throw new fksteer.io.InvalidSettingException("eta", "must be in [0, 1], got " + stochasticity);
        if (kind == Kind.ANCESTRAL && stochasticity != 1)
            throw new fksteer.io.InvalidSettingException("stochasticity", "does not apply to the ancestral sampler of masked diffusion, whose randomness "
                    + "is the model's own; leave it at 1 (got " + stochasticity + ")");
    }

    public static Sampler ode(Kind k) {
        return new Sampler(k, 0);
    }

    public static Sampler parse(String name, double k) {
        return new Sampler(Kind.parse(name), k);
    }

    /** Network evaluations per point per step. */
    public int evaluationsPerStep() {
        return kind.evaluationsPerStep;
    }

    /** Whether the sampler draws noise (and so resampled copies can diverge). */
    public boolean stochastic() {
        return switch (kind) {
            case SDE, REFERENCE_SDE, DDIM -> stochasticity > 0;
            case SIMPLE_STOCHASTIC, DDPM, ANCESTRAL -> true;
            default -> false;
        };
    }

    /**
     * @throws fksteer.io.InvalidSettingException naming setting when this sampler draws noise: the noise
     *         searches (zeroth-order, search over paths) need the same path from the same start
     */
    public void requireDeterministic(String setting) {
        if (stochastic())
            throw new fksteer.io.InvalidSettingException(setting, "must be deterministic: euler, midpoint, heun or rk4 (flows) or ddim with eta 0 "
                    + "(VP); got " + name());
    }

    /**
     * Whether each step is a Gaussian transition with variance > 0 whose mean a guided proposal can
     * shift (and weight exactly): sde with stochasticity > 0, ddim with eta > 0, ddpm.
     */
    public boolean gaussianNoise() {
        return switch (kind) {
            case SDE, DDIM -> stochasticity > 0;
            case DDPM -> true;
            default -> false;
        };
    }

    public String name() {
        return kind.cliName;
    }

    /**
     * An estimate of the heap, in bytes, of sampling `particles` points of dimension dim from noise with
     * this sampler: the points, their initial and per-step random streams and the integrator's scratch
     * (what {@code fksteer sample} allocates, before its output). Excludes the model's parameters and
     * per-thread scratch, which do not grow with the particles. Saturates at Long.MAX_VALUE.
     */
    public long estimatedBytes(long particles, int dim) {
        return new fksteer.kernel.Sizes.Bytes().floats(particles, dim).longs(2, particles)
                .add(Integrator.scratchBytes(kind, particles, dim)).total();
    }

    /** Binds to a field with scratch for up to capacity points. */
    public Integrator bind(fksteer.model.VelocityField field, int capacity) {
        return new Integrator(this, field, capacity);
    }
}
