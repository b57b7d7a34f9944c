package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;

/** Evaluates an {@link Intermediate} reward on a batch at step s of a chain; owns its scratch. */
final class IntermediateScorer {
    private final Intermediate kind;
    private final int lookaheadSteps, samples;
    private final double lambda;
    private final Meter meter;
    private final Process process;
    private final Chain chain;
    private final Sampler sampler;
    private final Particles buf;
    private final double[] rbuf;
    private final long[] lookRng;
    private final LearnedReward learned;
    private final int capacity;

    /**
     * @param chain   the run's chain; scoring at step s needs {@link Chain#prepare} of that step done
     * @param like    a batch of the run (its shape and conditions)
     */
    IntermediateScorer(Intermediate kind, int lookaheadSteps, int samples, double lambda, Process process, Chain chain, Meter meter,
                       Particles like, int capacity, long seed, LearnedReward learned) {
        this.kind = kind;
        this.lookaheadSteps = lookaheadSteps;
        this.samples = samples;
        this.lambda = lambda;
        this.meter = meter;
        this.process = process;
        this.chain = chain;
        this.sampler = chain.sampler();
        this.learned = learned;
        this.capacity = capacity;
        int d = process.dim();
        int rows = kind == Intermediate.MANY ? Sizes.length("intermediate", "particles x many:K samples", capacity, samples) : capacity;
        if (kind == Intermediate.MANY) {
            Sizes.length("intermediate", "particles x many:K samples x dimension", capacity, samples, d);
            if (!sampler.stochastic())
                throw new fksteer.io.InvalidSettingException("intermediate", "many:K needs a stochastic sampler (stochasticity > 0)", "stochasticity");
        }
        this.buf = kind == Intermediate.XT || kind == Intermediate.LEARNED ? null : like.like(rows);
        this.rbuf = kind == Intermediate.MANY ? new double[rows] : null;
        this.lookRng = kind == Intermediate.MANY ? Rng.streams(Rng.subSeed(seed, "many-sample-lookahead"), rows) : null;
        if (kind == Intermediate.LOOKAHEAD) process.deterministicSampler();   // a process without one says so now, not at the first scoring
        if (kind == Intermediate.LEARNED && learned == null) throw new IllegalArgumentException("learned intermediate reward missing");
    }

    /** Bytes of a scorer's scratch for capacity particles: its rows' states and rewards, the lookahead's integrator and streams. */
    static long scratchBytes(Intermediate kind, int samples, Sampler sampler, long capacity, int d) {
        Sizes.Bytes b = new Sizes.Bytes();
        switch (kind) {
            case X1HAT -> b.floats(capacity, d).ints(capacity);
            case LOOKAHEAD -> b.floats(capacity, d).ints(capacity).add(Integrator.scratchBytes(Sampler.Kind.MIDPOINT, capacity, d));
            case MANY -> {
                long rows = Sizes.product(capacity, samples);
                b.floats(rows, d).ints(rows).doubles(rows).longs(rows).add(Integrator.scratchBytes(sampler.kind(), rows, d));
            }
            case LEARNED -> b.floats(capacity, d + 1L).floats(capacity); // the learned net's input and output, per scoring
            default -> { }
        }
        return b.sum();
    }

    /** Network evaluations per point of one scoring when the step's model output is already known. */
    static long extraNfePerPoint(Intermediate kind, int lookaheadSteps, int samples, Sampler sampler, Sampler lookaheadSolver) {
        return switch (kind) {
            case LOOKAHEAD -> (long) lookaheadSolver.evaluationsPerStep() * lookaheadSteps;
            case MANY -> (long) samples * lookaheadSteps * sampler.evaluationsPerStep();
            default -> 0;
        };
    }

    /** out[i] = r̃(particle i at step s). p: Not modified. out: Modified. */
    void score(Particles p, int s, double[] out) {
        int n = p.count();
        switch (kind) {
            case XT -> meter.score(p, out);
            case X1HAT -> {
                chain.predictData(p, s, buf);            // x̂ of the data end from the step's model output
                meter.score(buf, out);
            }
            case LOOKAHEAD -> {
                for (int i = 0; i < n; i++) buf.copyRow(p, i, i);
                buf.count(n);
                Chain ode = chain.tail(s, lookaheadSteps, process.deterministicSampler(), capacity);
                ode.solve(buf, 0, ode.steps(), null);
                meter.score(buf, out);
            }
            case MANY -> {
                int kk = samples;
                if (process.samplesData()) {
                    chain.sampleData(p, s, buf, kk, lookRng);    // K draws of x̂ from the step's output (masked diffusion: no NFE)
                } else {
                    for (int i = 0; i < n; i++)
                        for (int q = 0; q < kk; q++) buf.copyRow(p, i, i * kk + q);
                    buf.count(n * kk);
                    Chain sde = chain.tail(s, lookaheadSteps, sampler, capacity * kk);
                    sde.solve(buf, 0, sde.steps(), lookRng);
                }
                meter.score(buf, rbuf);
                for (int i = 0; i < n; i++) out[i] = logMeanExp(rbuf, i * kk, kk, lambda);
            }
            case LEARNED -> learned.evaluate(p.floats(), n, chain.time(s), out);
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
