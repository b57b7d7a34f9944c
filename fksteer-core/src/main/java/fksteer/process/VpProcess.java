package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Finite;
import fksteer.kernel.Sizes;
import fksteer.model.CountingDenoiser;
import fksteer.model.Denoiser;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * VP diffusion, x_t = sqrt(ᾱ_t) x + sqrt(1 - ᾱ_t) ε, sampled from the noisiest timestep down with
 * {@link DdimScheduler} (η = the sampler's stochasticity) or {@link DdpmScheduler}; the network
 * predicts ε, v or x0 and sees the training timestep t. Process time for labels is 1 - (t + 1)/T.
 */
public final class VpProcess implements Process {
    /** The samplers of VP diffusion. */
    public static final List<Sampler.Kind> SAMPLERS = List.of(Sampler.Kind.DDIM, Sampler.Kind.DDPM);

    private final Denoiser net;
    private final Prediction prediction;
    private final ProcessSpec.Vp spec;
    private final Condition condition;

    private VpProcess(Denoiser net, Prediction prediction, ProcessSpec.Vp spec, Condition condition) {
        this.net = net;
        this.prediction = prediction;
        this.spec = spec;
        this.condition = condition;
    }

    public static VpProcess of(Denoiser network, Prediction prediction, ProcessSpec.Vp spec, Condition condition) {
        InvalidSettingException.require(network != null, "model", "is required");
        InvalidSettingException.require(prediction != null && prediction != Prediction.VELOCITY, "prediction",
                "of a vp model must be epsilon, v or x0, got " + (prediction == null ? "none" : prediction.id));
        InvalidSettingException.require(spec != null && condition != null, "process", "and condition are required");
        condition.check(network.classes(), network.conditionWidth(), 0);
        return new VpProcess(network, prediction, spec, condition);
    }

    public ProcessSpec.Vp spec() {
        return spec;
    }

    public Prediction prediction() {
        return prediction;
    }

    @Override
    public Shape shape() {
        return net.shape();
    }

    @Override
    public String kind() {
        return "vp";
    }

    @Override
    public String describe() {
        return net.describe();
    }

    @Override
    public List<Sampler.Kind> samplers() {
        return SAMPLERS;
    }

    @Override
    public Sampler deterministicSampler() {
        return new Sampler(Sampler.Kind.DDIM, 0);
    }

    @Override
    public Sampler stochasticSampler() {
        return new Sampler(Sampler.Kind.DDIM, 1);
    }

    @Override
    public boolean continuousNoise() {
        return true;
    }

    @Override
    public boolean differentiable() {
        return net.differentiable();
    }

    @Override
    public VpProcess counted() {
        Denoiser n = net instanceof CountingDenoiser cd ? cd.inner() : net;
        return new VpProcess(new CountingDenoiser(n), prediction, spec, condition);
    }

    @Override
    public int passes() {
        return condition.guided() ? 2 : 1;
    }

    @Override
    public long nfe() {
        return net instanceof CountingDenoiser cd ? cd.nfe() : 0;
    }

    @Override
    public long gradientCalls() {
        return net instanceof CountingDenoiser cd ? cd.gradientCalls() : 0;
    }

    @Override
    public Chain chain(Sampler sampler, int steps, int capacity) {
        requireSampler(sampler);
        return new VpChain(scheduler(sampler, spec.spacing().timesteps(spec.schedule().trainSteps(), steps)), sampler, capacity);
    }

    private GaussianScheduler scheduler(Sampler sampler, int[] timesteps) {
        return sampler.kind() == Sampler.Kind.DDIM
                ? new DdimScheduler(spec.schedule(), prediction, timesteps, sampler.stochasticity(), spec.clipSample())
                : new DdpmScheduler(spec.schedule(), prediction, timesteps, spec.clipSample());
    }

    private final class VpChain implements Chain {
        private final GaussianScheduler sch;
        private final Sampler sampler;
        private final int[] ts;
        private final int capacity, d, trainSteps;
        private final ConditionedNetwork cn;
        private final float[] out, mean, eps;
        private VpChain tailScratch;   // the scratch every tail of this chain shares (one in use at a time)

        /** A chain on another scheduler sharing the scratch of `share` (same sampler and capacity). */
        private VpChain(VpChain share, GaussianScheduler sch) {
            this.sch = sch;
            this.sampler = share.sampler;
            this.ts = sch.timesteps();
            this.capacity = share.capacity;
            this.d = share.d;
            this.trainSteps = share.trainSteps;
            this.cn = share.cn;
            this.out = share.out;
            this.mean = share.mean;
            this.eps = share.eps;
        }

        VpChain(GaussianScheduler sch, Sampler sampler, int capacity) {
            this.sch = sch;
            this.sampler = sampler;
            this.ts = sch.timesteps();
            this.capacity = capacity;
            this.d = dim();
            this.trainSteps = spec.schedule().trainSteps();
            this.cn = new ConditionedNetwork(net, condition, Math.max(1, capacity));
            int len = Sizes.length("particles", "particles x dimension", capacity, d);
            this.out = new float[len];
            this.mean = new float[len];
            this.eps = new float[d];
        }

        @Override
        public Sampler sampler() {
            return sampler;
        }

        @Override
        public int steps() {
            return ts.length;
        }

        @Override
        public float time(int s) {
            return s == ts.length ? 1f : (float) (1.0 - (ts[s] + 1.0) / trainSteps);
        }

        @Override
        public Particles newParticles(int n) {
            InvalidSettingException.require(n >= 1 && n <= capacity, "particles", "must be in [1, " + capacity + "], got " + n);
            Particles p = Particles.continuous(shape(), n);
            p.carry(out, d);                                  // the cached model output moves with its particle
            condition.check(net.classes(), net.conditionWidth(), n);
            p.condition(condition, net.conditionWidth());
            return p;
        }

        @Override
        public void initialNoise(Particles p, long seed) {
            Gaussians.initialNoise(p, seed);
        }

        @Override
        public void prepare(Particles p, int s) {
            cn.predict(p.floats(), p.count(), ts[s], p.labels(), p.conditionVectors(), out);
        }

        @Override
        public void predictData(Particles p, int s, Particles dst) {
            sch.predictX0(out, ts[s], p.floats(), dst.floats(), p.count() * d);   // x̂0 through the schedule
            dst.count(p.count());
        }

        @Override
        public void advance(Particles p, int s, long[] rng) {
            step(p, s, rng, null, null);
        }

        /**
         * x_prev = mean + shift + σ z (shift null: the model's own step), rounded as fma(σ, z, mean + shift);
         * with a shift, logCorr[i] = log p/τ = -(|shift|² + 2 σ shift·z) / (2 σ²). A step without noise
         * takes the mean (and writes logCorr 0).
         */
        private void step(Particles p, int s, long[] rng, float[] shift, double[] logCorr) {
            float[] x = p.floats();
            int n = p.count(), len = n * d;
            sch.mean(out, ts[s], x, mean, len);
            double var = sch.variance(ts[s]);
            if (!(var > 0)) {                                // the last step (or DDIM eta = 0) has no noise
                System.arraycopy(mean, 0, x, 0, len);
                if (logCorr != null) Arrays.fill(logCorr, 0, n, 0.0);
                requireFinite(x, len, s, shift != null);
                return;
            }
            if (rng == null || rng.length < n) throw new IllegalArgumentException("a stochastic step needs one random stream per particle");
            float sd = (float) Math.sqrt(var);
            for (int i = 0; i < n; i++) {
                Rng.fillGaussian(rng, i, eps, 0, d);
                double lc = 0;
                for (int k = 0; k < d; k++) {
                    int j = i * d + k;
                    if (shift == null) {
                        x[j] = Math.fma(sd, eps[k], mean[j]);        // x_prev = mean + σ z
                        continue;
                    }
                    float m = shift[j];
                    x[j] = Math.fma(sd, eps[k], mean[j] + m);        // τ = N(mean + shift, σ² I)
                    lc += (double) m * m + 2.0 * sd * m * eps[k];
                }
                if (logCorr != null) logCorr[i] = -lc / (2.0 * var);
            }
            requireFinite(x, len, s, shift != null);
        }

        private void requireFinite(float[] x, int len, int s, boolean guided) {
            if (Finite.all(x, len)) return;
            String where = String.format(Locale.ROOT, "the %s sampler's state non-finite in the step from timestep %d", sampler.name(), ts[s]);
            if (guided) throw new InvalidSettingException("guidance", "made " + where + "; lower it");
            throw new InvalidSettingException("model", "made " + where + ": its output is not finite or overflows; check its weights");
        }

        @Override
        public double variance(int s) {
            return sch.variance(ts[s]);
        }

        @Override
        public void transitionMean(Particles p, int s, float[] dst) {
            sch.mean(out, ts[s], p.floats(), dst, p.count() * d);
        }

        @Override
        public void advanceGuided(Particles p, int s, long[] rng, float[] shift, double[] logCorr) {
            step(p, s, rng, shift, logCorr);
        }

        @Override
        public void dataVjp(Particles p, int s, float[] g, float[] dst) {
            if (!net.differentiable()) throw new InvalidSettingException("guidance", "needs a model with gradients");
            if (spec.clipSample() > 0)
                throw new InvalidSettingException("guidance", "is not available for a model whose process clips x0-hat (clipSample): the clipped prediction's gradient is not implemented");
            int n = p.count(), len = n * d;
            double ab = sch.alphaBar(ts[s]), a = Math.sqrt(ab), sg = Math.sqrt(1 - ab);
            cn.vjp(p.floats(), n, ts[s], p.labels(), p.conditionVectors(), g, dst);   // J_o^T g
            // x̂0 = (x - s ε̂)/a | o | a x - s v̂, so J^T g = c1 g + c2 J_o^T g
            double c1 = switch (prediction) {
                case EPSILON -> 1 / a;
                case V -> a;
                default -> 0;
            }, c2 = switch (prediction) {
                case EPSILON -> -sg / a;
                case V -> -sg;
                default -> 1;
            };
            for (int i = 0; i < len; i++) dst[i] = (float) (c1 * g[i] + c2 * dst[i]);
        }

        @Override
        public void renoise(Particles p, int from, int to, long[] rng) {
            if (!(to < from)) throw new IllegalArgumentException("renoise goes back to an earlier step: " + to + " >= " + from);
            // q(x_t' | x_t) = N(sqrt(ᾱ_t'/ᾱ_t) x_t, (1 - ᾱ_t'/ᾱ_t) I), t' noisier than t
            double ab = sch.alphaBar(ts[from]), abTo = sch.alphaBar(ts[to]), r = abTo / ab;
            Gaussians.renoise(p.floats(), p.count(), d, Math.sqrt(r), Math.sqrt(Math.max(0, 1 - r)), rng, eps);
        }

        @Override
        public Chain tail(int from, int steps, Sampler s, int cap) {
            InvalidSettingException.require(steps >= 1, "lookaheadSteps", "must be >= 1, got " + steps);
            requireSampler(s);
            // steps evenly spaced from this step's timestep down to 0 (fewer when they would repeat)
            int t0 = ts[from];
            int[] sub = new int[steps];
            int m = 0;
            for (int i = 0; i < steps; i++) {
                int t = (int) Math.round(t0 * (1.0 - (double) i / steps));
                if (m == 0 || t < sub[m - 1]) sub[m++] = t;
            }
            GaussianScheduler tailSch = scheduler(s, Arrays.copyOf(sub, m));
            if (tailScratch == null || !tailScratch.sampler.equals(s) || tailScratch.capacity != cap) tailScratch = new VpChain(tailSch, s, cap);
            return new VpChain(tailScratch, tailSch);
        }
    }
}
