package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.model.FlowPath;
import fksteer.model.VelocityField;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;

/** Evaluates an {@link Intermediate} reward on a batch at time t; owns its scratch. */
final class IntermediateScorer {
    private final Intermediate kind;
    private final int lookaheadSteps, samples;
    private final double lambda;
    private final Reward reward;
    private final float[] buf;
    private final double[] rbuf;
    private final Integrator ode;
    private final long[] lookRng;
    private final LearnedReward learned;
    private final int d;

    IntermediateScorer(Intermediate kind, int lookaheadSteps, int samples, double lambda, Sampler sampler, VelocityField field,
                       Reward reward, int capacity, long seed, LearnedReward learned) {
        this.kind = kind;
        this.lookaheadSteps = lookaheadSteps;
        this.samples = samples;
        this.lambda = lambda;
        this.reward = reward;
        this.d = field.dim();
        this.learned = learned;
        int rows = kind == Intermediate.MANY ? Sizes.length("intermediate", "particles x many:K samples", capacity, samples) : capacity;
        if (kind == Intermediate.MANY) Sizes.length("intermediate", "particles x many:K samples x dimension", capacity, samples, d);
        this.buf = kind == Intermediate.XT || kind == Intermediate.LEARNED ? null : new float[rows * d];
        this.rbuf = kind == Intermediate.MANY ? new double[rows] : null;
        if (kind == Intermediate.LOOKAHEAD) {
            ode = Sampler.ode(Sampler.Kind.MIDPOINT).bind(field, capacity);
            lookRng = null;
        } else if (kind == Intermediate.MANY) {
            if (!sampler.stochastic()) throw new fksteer.io.InvalidSettingException("intermediate", "many:K needs a stochastic sampler (stochasticity > 0)", "stochasticity");
            ode = sampler.bind(field, rows);
            lookRng = Rng.streams(Rng.subSeed(seed, "many-sample-lookahead"), rows);
        } else {
            ode = null;
            lookRng = null;
        }
        if (kind == Intermediate.LEARNED && learned == null) throw new IllegalArgumentException("learned intermediate reward missing");
    }

    /** Bytes of a scorer's scratch for capacity particles: its rows' states and rewards, the lookahead's integrator and streams. */
    static long scratchBytes(Intermediate kind, int samples, Sampler sampler, long capacity, int d) {
        Sizes.Bytes b = new Sizes.Bytes();
        switch (kind) {
            case X1HAT -> b.floats(capacity, d);
            case LOOKAHEAD -> b.floats(capacity, d).add(Integrator.scratchBytes(Sampler.Kind.MIDPOINT, capacity, d));
            case MANY -> {
                long rows = Sizes.product(capacity, samples);
                b.floats(rows, d).doubles(rows).longs(rows).add(Integrator.scratchBytes(sampler.kind(), rows, d));
            }
            case LEARNED -> b.floats(capacity, d + 1L).floats(capacity); // the learned net's input and output, per scoring
            default -> { }
        }
        return b.sum();
    }

    /** Network evaluations per point of one scoring when v(x_t, t) is already known. */
    static long extraNfePerPoint(Intermediate kind, int lookaheadSteps, int samples, Sampler sampler) {
        return switch (kind) {
            case LOOKAHEAD -> 2L * lookaheadSteps;
            case MANY -> (long) samples * lookaheadSteps * sampler.evaluationsPerStep();
            default -> 0;
        };
    }

    /**
     * out[i] = r̃(x_i at time t). x, v: Not modified (v = v(x_t, t)). out: Modified.
     */
    void score(float[] x, float[] v, int n, float t, double[] out) {
        switch (kind) {
            case XT -> reward.evaluate(x, n, out);
            case X1HAT -> {
                FlowPath.predictX1(x, v, t, buf, n * d); // x̂1 = x_t + (1 - t) v
                reward.evaluate(buf, n, out);
            }
            case LOOKAHEAD -> {
                System.arraycopy(x, 0, buf, 0, n * d);
                ode.solve(buf, n, t, 1.0, lookaheadSteps, null);
                reward.evaluate(buf, n, out);
            }
            case MANY -> {
                int kk = samples;
                for (int i = 0; i < n; i++)
                    for (int q = 0; q < kk; q++) System.arraycopy(x, i * d, buf, (i * kk + q) * d, d);
                ode.solve(buf, n * kk, t, 1.0, lookaheadSteps, lookRng);
                reward.evaluate(buf, n * kk, rbuf);
                for (int i = 0; i < n; i++) out[i] = logMeanExp(rbuf, i * kk, kk, lambda);
            }
            case LEARNED -> learned.evaluate(x, n, t, out);
        }
    }

    /** (1/lambda) log mean_q exp(lambda r_q), stable; the plain mean when lambda = 0. NaN counts as -inf. */
    static double logMeanExp(double[] r, int off, int len, double lambda) {
        if (lambda == 0) {
            double s = 0;
            for (int q = 0; q < len; q++) s += Double.isNaN(r[off + q]) ? Double.NEGATIVE_INFINITY : r[off + q];
            return s / len;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int q = 0; q < len; q++) {
            double a = FkSteering.scale(lambda, r[off + q]); // throws when lambda r overflows
            if (!Double.isNaN(a)) max = Math.max(max, a);
        }
        if (Double.isInfinite(max)) return max / lambda;
        double s = 0;
        for (int q = 0; q < len; q++) {
            double a = lambda * r[off + q];
            if (!Double.isNaN(a)) s += Math.exp(a - max);
        }
        return (max + Math.log(s / len)) / lambda;
    }
}
