package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Sizes;
import fksteer.model.CountingDenoiser;
import fksteer.model.CountingField;
import fksteer.model.Denoiser;
import fksteer.model.DifferentiableField;
import fksteer.model.FlowPath;
import fksteer.model.VelocityField;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.solver.TimeGrid;
import java.util.List;

/**
 * Flow matching in either time convention, stepped by this project's ODE solvers and SDE samplers
 * ({@link Integrator}).
 *
 * <p>Internally time runs from t = 0 (noise) to t = 1 (data) on x_t = (1 - t) ε + t x with velocity
 * v = x - ε. A model trained the other way round (noise at σ = 1, x_σ = (1 - σ) x + σ ε, velocity
 * u = ε - x, as in SD3 and Flux) is the same process under t = 1 - σ: v(x, t) = -u(x, σ = 1 - t). So
 * every sampler, including the marginal-keeping sde (ω_t = k (1 - t) = k σ), serves both conventions.
 * The SD3 timestep shift places the steps at σ'_i = shift σ_i / (1 + (shift - 1) σ_i), σ_i = 1 - i/N.
 */
public final class FlowProcess implements Process {
    /** The samplers of a flow. */
    public static final List<Sampler.Kind> SAMPLERS = List.of(Sampler.Kind.EULER, Sampler.Kind.MIDPOINT, Sampler.Kind.HEUN,
            Sampler.Kind.RK4, Sampler.Kind.SDE, Sampler.Kind.REFERENCE_SDE, Sampler.Kind.SIMPLE_STOCHASTIC);

    private final VelocityField field;     // a plain velocity network (noise at 0, unconditional); or null
    private final Denoiser net;            // a general network; or null
    private final ProcessSpec.Flow spec;
    private final Condition condition;

    private FlowProcess(VelocityField field, Denoiser net, ProcessSpec.Flow spec, Condition condition) {
        this.field = field;
        this.net = net;
        this.spec = spec;
        this.condition = condition;
    }

    /** Today's flow: a velocity field with noise at t = 0, unconditional. */
    public static FlowProcess of(VelocityField field) {
        InvalidSettingException.require(field != null, "model", "is required");
        return new FlowProcess(field, null, ProcessSpec.flow(), Condition.NONE);
    }

    /** A velocity-predicting network in either convention, under a condition (maybe with classifier-free guidance). */
    public static FlowProcess of(Denoiser network, Prediction prediction, ProcessSpec.Flow spec, Condition condition) {
        InvalidSettingException.require(network != null, "model", "is required");
        InvalidSettingException.require(prediction == Prediction.VELOCITY, "prediction",
                "of a flow model must be velocity, got " + (prediction == null ? "none" : prediction.id));
        InvalidSettingException.require(spec != null && condition != null, "process", "and condition are required");
        condition.check(network.classes(), network.conditionWidth(), 0);
        return new FlowProcess(null, network, spec, condition);
    }

    public ProcessSpec.Flow spec() {
        return spec;
    }

    @Override
    public Shape shape() {
        return field != null ? Shape.of(field.dim()) : net.shape();
    }

    @Override
    public String kind() {
        return spec.kind();
    }

    @Override
    public String describe() {
        return field != null ? field.describe() : net.describe();
    }

    @Override
    public List<Sampler.Kind> samplers() {
        return SAMPLERS;
    }

    @Override
    public Sampler deterministicSampler() {
        return Sampler.ode(Sampler.Kind.MIDPOINT);
    }

    /** FK's default sampler on a flow: the marginal-keeping sde with stochasticity 1 (chosen by the study of docs/exactness.md). */
    public static final Sampler STOCHASTIC_SAMPLER = new Sampler(Sampler.Kind.SDE, 1.0);

    @Override
    public Sampler stochasticSampler() {
        return STOCHASTIC_SAMPLER;
    }

    @Override
    public boolean continuousNoise() {
        return true;
    }

    /** The user's velocity field without this process's counter (null for a network). */
    private VelocityField plainField() {
        return field instanceof CountingField cf ? cf.inner() : field;
    }

    @Override
    public boolean differentiable() {
        return field != null ? plainField() instanceof DifferentiableField : net.differentiable();
    }

    @Override
    public FlowProcess counted() {
        if (field != null) return new FlowProcess(new CountingField(plainField()), null, spec, condition);
        Denoiser n = net instanceof CountingDenoiser cd ? cd.inner() : net;
        return new FlowProcess(null, new CountingDenoiser(n), spec, condition);
    }

    @Override
    public int passes() {
        return condition.guided() ? 2 : 1;
    }

    @Override
    public long nfe() {
        if (field instanceof CountingField cf) return cf.nfe();
        if (net instanceof CountingDenoiser cd) return cd.nfe();
        return 0;
    }

    @Override
    public long gradientCalls() {
        if (field instanceof CountingField cf) return cf.gradientCalls();
        if (net instanceof CountingDenoiser cd) return cd.gradientCalls();
        return 0;
    }

    @Override
    public Chain chain(Sampler sampler, int steps, int capacity) {
        requireSampler(sampler);
        InvalidSettingException.require(steps >= 1, "steps", "must be >= 1, got " + steps);
        float[] times = new float[steps + 1];
        for (int s = 0; s <= steps; s++) times[s] = gridTime(s, steps);
        return new FlowChain(sampler, times, capacity);
    }

    /** t of step s of n: uniform in t (= uniform in σ), or, with a shift, at σ' = shift σ / (1 + (shift - 1) σ). */
    private float gridTime(int s, int n) {
        if (spec.shift() == 1.0) return TimeGrid.at(0, 1, n, s);
        if (s == n) return 1f;
        double sigma = 1.0 - (double) s / n, k = spec.shift();
        return (float) (1.0 - k * sigma / (1.0 + (k - 1.0) * sigma));   // SD3: σ' = shift σ / (1 + (shift - 1) σ)
    }

    /**
     * The network as this project's velocity field: v(x, t) = u(x, t) (noise at 0) or -u(x, 1 - t)
     * (noise at 1), under the conditions of the batch in use.
     */
    private final class NetworkField implements DifferentiableField {
        private final ConditionedNetwork cn;
        private final boolean flip = spec.noiseAt() == 1;
        private int[] labels;
        private float[] vectors;

        NetworkField(int capacity) {
            cn = new ConditionedNetwork(net, condition, Math.max(capacity, 1));
        }

        void use(Particles p) {
            labels = p.labels();
            vectors = p.conditionVectors();
        }

        @Override
        public int dim() {
            return net.dim();
        }

        @Override
        public void velocity(float[] x, int n, float t, float[] out) {
            if (!flip) {
                cn.predict(x, n, t, labels, vectors, out);
                return;
            }
            cn.predict(x, n, 1f - t, labels, vectors, out);  // u(x, σ = 1 - t)
            for (int i = 0; i < n * net.dim(); i++) out[i] = -out[i];   // dx/dt = -dx/dσ
        }

        @Override
        public void vjp(float[] x, int n, float t, float[] g, float[] out) {
            if (!net.differentiable()) throw new InvalidSettingException("guidance", "needs a model with gradients");
            if (!flip) {
                cn.vjp(x, n, t, labels, vectors, g, out);
                return;
            }
            cn.vjp(x, n, 1f - t, labels, vectors, g, out);
            for (int i = 0; i < n * net.dim(); i++) out[i] = -out[i];
        }

        @Override
        public String describe() {
            return net.describe();
        }
    }

    private final class FlowChain implements Chain {
        private final Sampler sampler;
        private final float[] times;
        private final int capacity, d;
        private final NetworkField nf;
        private final VelocityField f;
        private final Integrator integ;
        private final float[] buf, eps;
        private FlowChain tailScratch;   // the scratch every tail of this chain shares (one in use at a time)

        /** A chain on other times sharing the scratch of `share` (same sampler and capacity). */
        private FlowChain(FlowChain share, float[] times) {
            this.sampler = share.sampler;
            this.times = times;
            this.capacity = share.capacity;
            this.d = share.d;
            this.nf = share.nf;
            this.f = share.f;
            this.integ = share.integ;
            this.buf = share.buf;
            this.eps = share.eps;
        }

        FlowChain(Sampler sampler, float[] times, int capacity) {
            this.sampler = sampler;
            this.times = times;
            this.capacity = capacity;
            this.d = dim();
            this.nf = net != null ? new NetworkField(capacity) : null;
            this.f = nf != null ? nf : field;
            this.integ = sampler.bind(f, capacity);
            this.buf = new float[Sizes.length("particles", "particles x dimension", capacity, d)];
            this.eps = new float[d];
        }

        @Override
        public Sampler sampler() {
            return sampler;
        }

        @Override
        public int steps() {
            return times.length - 1;
        }

        @Override
        public float time(int s) {
            return times[s];
        }

        @Override
        public Particles newParticles(int n) {
            InvalidSettingException.require(n >= 1 && n <= capacity, "particles", "must be in [1, " + capacity + "], got " + n);
            Particles p = Particles.continuous(shape(), n);
            p.carry(integ.velocityBuffer(), d);              // the cached v(x_t, t) moves with its particle
            if (net != null) {
                condition.check(net.classes(), net.conditionWidth(), n);
                p.condition(condition, net.conditionWidth());
            }
            return p;
        }

        private void use(Particles p) {
            if (nf != null) nf.use(p);
        }

        @Override
        public void initialNoise(Particles p, long seed) {
            Gaussians.initialNoise(p, seed);
        }

        @Override
        public void prepare(Particles p, int s) {
            use(p);
            integ.velocityAt(p.floats(), p.count(), times[s]);
        }

        @Override
        public void predictData(Particles p, int s, Particles out) {
            FlowPath.predictX1(p.floats(), integ.velocityBuffer(), times[s], out.floats(), p.count() * d); // x̂1 = x_t + (1 - t) v
            out.count(p.count());
        }

        @Override
        public void advance(Particles p, int s, long[] rng) {
            use(p);
            integ.stepFromVelocity(p.floats(), p.count(), times[s], times[s + 1] - times[s], rng);
        }

        @Override
        public double variance(int s) {
            double t = times[s], h = times[s + 1] - times[s], k = sampler.stochasticity();
            return switch (sampler.kind()) {
                case SDE -> k * Math.max(0, 1 - t) * h;                 // dW over h, ω_t = k (1 - t)
                case REFERENCE_SDE -> h * h * k * Math.max(0, 1 - t);   // the reference scales its noise by h
                case SIMPLE_STOCHASTIC -> h * h * Math.max(0, 1 - t);
                default -> 0;
            };
        }

        @Override
        public void transitionMean(Particles p, int s, float[] out) {
            use(p);
            integ.transitionMean(p.floats(), p.count(), times[s], times[s + 1] - times[s], out);
        }

        @Override
        public void advanceGuided(Particles p, int s, long[] rng, float[] shift, double[] logCorr) {
            use(p);
            if (!(variance(s) > 0)) {                       // no noise (an ODE solver): the model's step, no correction
                integ.stepFromVelocity(p.floats(), p.count(), times[s], times[s + 1] - times[s], rng);
                java.util.Arrays.fill(logCorr, 0, p.count(), 0.0);
                return;
            }
            integ.stepGuided(p.floats(), p.count(), times[s], times[s + 1] - times[s], rng, shift, logCorr);
        }

        @Override
        public void dataVjp(Particles p, int s, float[] g, float[] out) {
            use(p);
            if (!(f instanceof DifferentiableField df)) throw new InvalidSettingException("guidance", "needs a model with gradients (an MLP or a gaussian-mixture)");
            int len = p.count() * d;
            df.vjp(p.floats(), p.count(), times[s], g, out);       // (dv/dx)^T g
            float a = 1f - times[s];
            for (int i = 0; i < len; i++) out[i] = g[i] + a * out[i]; // x̂1 = x + (1 - t) v
        }

        @Override
        public void renoise(Particles p, int from, int to, long[] rng) {
            if (!(to < from)) throw new IllegalArgumentException("renoise goes back to an earlier step: " + to + " >= " + from);
            // x = t x1 + (1 - t) ε: x_{t'} = (t'/t) x_t + sqrt((1 - t')² - (t' (1 - t) / t)²) z
            double t = times[from], tb = times[to];
            double a = tb / t, sd = Math.sqrt(Math.max(0, (1 - tb) * (1 - tb) - Math.pow(tb * (1 - t) / t, 2)));
            Gaussians.renoise(p.floats(), p.count(), d, a, sd, rng, eps);
        }

        @Override
        public Chain tail(int from, int steps, Sampler s, int cap) {
            InvalidSettingException.require(steps >= 1, "lookaheadSteps", "must be >= 1, got " + steps);
            float[] ts = new float[steps + 1];
            for (int i = 0; i <= steps; i++) ts[i] = TimeGrid.at(times[from], 1.0, steps, i);
            requireSampler(s);
            if (tailScratch == null || !tailScratch.sampler.equals(s) || tailScratch.capacity != cap) tailScratch = new FlowChain(s, ts, cap);
            return new FlowChain(tailScratch, ts);
        }
    }
}
