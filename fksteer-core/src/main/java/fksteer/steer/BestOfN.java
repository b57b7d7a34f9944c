package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.reward.Reward;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Random search: draw N independent samples, score them, keep all and mark the top K. With
 * {@code weighted}, the samples carry importance weights exp(lambda r) (self-normalised importance
 * sampling of p(x) exp(lambda r(x)) / Z with p itself as proposal) and log Z is estimated.
 * It is FK steering that resamples only at the end.
 *
 * <p>Start from {@link #defaults(int, int)}: {@code BestOfN.defaults(512, 100).withTopK(8)}.
 *
 * @param particles N, the number of samples (>= 1)
 * @param steps     sampler steps from t = 0 to 1 (>= 1)
 * @param sampler   the sampler (an ODE solver such as midpoint, or a stochastic one)
 * @param topK      how many of the best samples to mark, in [1, particles]
 * @param weighted  whether samples carry importance weights exp(lambda r)
 * @param lambda    the tilt of the weights when weighted (finite)
 */
public record BestOfN(int particles, int steps, Sampler sampler, int topK, boolean weighted, double lambda)
        implements SteeringMethod {

    public BestOfN {
        java.util.Objects.requireNonNull(sampler, "sampler");
        if (particles < 1) throw new fksteer.io.InvalidSettingException("particles", "must be >= 1, got " + particles);
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        if (topK < 1 || topK > particles) throw new fksteer.io.InvalidSettingException("topK", "must be in [1, particles], got " + topK, "particles");
        if (!Double.isFinite(lambda)) throw new fksteer.io.InvalidSettingException("lambda", "must be a finite number, got " + lambda);
    }

    /**
     * N samples with the given number of steps and: sampler midpoint (an ODE solver), topK 1,
     * weighted false, lambda 1 (used only when weighted).
     */
    public static BestOfN defaults(int particles, int steps) {
        return new BestOfN(particles, steps, Sampler.ode(Sampler.Kind.MIDPOINT), 1, false, 1.0);
    }

    public BestOfN withParticles(int n) {
        return new BestOfN(n, steps, sampler, topK, weighted, lambda);
    }

    public BestOfN withSteps(int n) {
        return new BestOfN(particles, n, sampler, topK, weighted, lambda);
    }

    public BestOfN withSampler(Sampler s) {
        return new BestOfN(particles, steps, s, topK, weighted, lambda);
    }

    public BestOfN withTopK(int k) {
        return new BestOfN(particles, steps, sampler, k, weighted, lambda);
    }

    public BestOfN withWeighted(boolean w) {
        return new BestOfN(particles, steps, sampler, topK, w, lambda);
    }

    public BestOfN withLambda(double l) {
        return new BestOfN(particles, steps, sampler, topK, weighted, l);
    }

    @Override
    public String name() {
        return "best-of-n";
    }

    @Override
    public long plannedNfe() {
        return (long) particles * steps * sampler.evaluationsPerStep();
    }

    /** The samples, their streams, the integrator's scratch, rewards, weights and the boxed sort order. */
    @Override
    public long estimatedBytes(int dim) {
        long n = particles;
        Sizes.Bytes b = new Sizes.Bytes().floats(n, dim).longs(2, n).add(Integrator.scratchBytes(sampler.kind(), n, dim))
                .doubles(2, n).ints(n).boxedInts(n).ints(n / 2 + 1).ints(topK);
        if (weighted) b.doubles(4, n); // LogWeights (2), log-potentials, ESS scratch
        return b.total();
    }

    @Override
    public SteerResult run(Process model, Reward rewardFn, long seed, ProgressListener progress) {
        model.requireSampler(sampler);
        Meter meter = Meter.start(model, rewardFn);
        int n = particles, d = model.dim();
        Chain chain = meter.process().chain(sampler, steps, n);
        Particles p = chain.newParticles(n);
        chain.initialNoise(p, seed);
        progress.progress(0, steps, Meter.STEPS);
        Meter.solve(chain, p, 0, steps, Noise.stepStreams(seed, n), progress, 0, steps);
        double[] r = new double[n];
        meter.score(p, r);
        int nan = FkSteering.sanitize(r);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(r[b], r[a]));
        int[] top = new int[topK];
        for (int i = 0; i < topK; i++) top[i] = order[i];
        double[] lw = new double[n];
        Map<String, Object> diag = new LinkedHashMap<>();
        if (weighted) {
            fksteer.resample.LogWeights w = new fksteer.resample.LogWeights(n);
            double[] g = new double[n];
            for (int i = 0; i < n; i++) g[i] = FkSteering.scale(lambda, r[i]);
            w.add(g);
            if (w.max() == Double.NEGATIVE_INFINITY) throw new fksteer.io.InvalidSettingException("reward", "is NaN or -inf for every sample, so no sample has positive weight");
            w.normalizedLog(lw);
            diag.put("logZ", w.logMean());
            diag.put("ess", w.ess(new double[n]));
        } else {
            Arrays.fill(lw, -Math.log(n));
        }
        diag.put("topK", top);
        diag.put("bestReward", r[top[0]]);
        List<String> warnings = new ArrayList<>();
        if (nan > 0) warnings.add(nan + " reward value(s) were NaN and counted as -inf");
        return meter.result(name(), p, lw, r, diag, List.of(), warnings, 0);
    }

    /** The top-K samples of a best-of-n result, uniformly weighted. */
    public static SteerResult topK(SteerResult res) {
        int[] top = (int[]) res.diagnostics().get("topK");
        int d = res.d();
        float[] x = new float[res.discrete() ? 0 : top.length * d];
        int[] tok = res.discrete() ? new int[top.length * d] : null;
        double[] r = new double[top.length], lw = new double[top.length];
        for (int i = 0; i < top.length; i++) {
            if (tok != null) System.arraycopy(res.tokens(), top[i] * d, tok, i * d, d);
            else System.arraycopy(res.samples(), top[i] * d, x, i * d, d);
            r[i] = res.rewards()[top[i]];
            lw[i] = -Math.log(top.length);
        }
        return new SteerResult(res.method() + "-top" + top.length, x, top.length, d, lw, r, res.nfe(), res.rewardCalls(),
                res.wallSeconds(), res.diagnostics(), res.snapshots(), res.warnings(), tok);
    }
}
