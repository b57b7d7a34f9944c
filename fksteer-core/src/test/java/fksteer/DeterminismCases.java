package fksteer;

import fksteer.io.Models;
import fksteer.model.CountingField;
import fksteer.model.GaussianMixture;
import fksteer.process.BetaSchedule;
import fksteer.process.Condition;
import fksteer.process.MixtureNetwork;
import fksteer.process.Prediction;
import fksteer.process.Process;
import fksteer.process.ProcessSpec;
import fksteer.process.TimestepSpacing;
import fksteer.model.Mixtures;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.GuidedSampling;
import fksteer.steer.Intermediate;
import fksteer.steer.LearnedReward;
import fksteer.steer.Noise;
import fksteer.steer.Potential;
import fksteer.steer.SearchOverPaths;
import fksteer.steer.SteerResult;
import fksteer.steer.ZerothOrder;
import fksteer.train.FlowMatchingTrainer;
import fksteer.train.TrainConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The workloads of the determinism suite, by name: every sampler at the awkward batch sizes, every
 * method (each FK potential and intermediate, guidance included) and training, on the shipped
 * checkerboard MLP (and one Gaussian mixture, whose field uses exp and log). Each returns its whole
 * output as raw bits (floats and doubles by their bit patterns, counts, diagnostics; never times), so
 * two runs agree only when they agree byte for byte.
 */
final class DeterminismCases {
    /** Batch sizes around the chunk sizes (256 rows for the network, 512 for noise and training): 16 chunks + 1 row, 1 row, 1 short chunk, 4 chunks + 1. */
    static final int[] SIZES = {4097, 1, 255, 1025};
    static final long SEED = 5;

    private DeterminismCases() {}

    private static final VelocityField CHECKERBOARD = Models.load(Models.CHECKERBOARD);
    private static final GaussianMixture MIXTURE = Mixtures.twoComponents();
    private static final Reward POINT = new Rewards.Point(new double[] {2, 0.5}, "point:2,0.5");
    private static final Reward QUADRATIC = new Rewards.Quadratic(new double[] {1, 0.5}, "quadratic:1,0.5");

    /** All cases, in a fixed order. */
    static Map<String, Supplier<byte[]>> all() {
        Map<String, Supplier<byte[]>> m = new LinkedHashMap<>();
        for (Sampler.Kind kind : fksteer.process.FlowProcess.SAMPLERS)
            for (int n : SIZES) m.put("sample/" + kind.cliName + "/n=" + n, () -> sample(CHECKERBOARD, kind, n, 6));
        m.put("sample/sde/mixture/n=1025", () -> sample(MIXTURE, Sampler.Kind.SDE, 1025, 6));
        for (int n : new int[] {1, 255, 1025}) {
            m.put("best-of-n/n=" + n, () -> bits(new BestOfN(n, 6, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, 1).run(CHECKERBOARD, POINT, SEED)));
            m.put("zeroth-order/n=" + n, () -> bits(new ZerothOrder(n, 2, 4, Sampler.ode(Sampler.Kind.HEUN), 1.0, false, null)
                    .run(CHECKERBOARD, POINT, SEED)));
            m.put("search-over-paths/reference/n=" + n, () -> bits(new SearchOverPaths(n, 3, 0.5, 0.1, 0.25, 0.125,
                    Sampler.ode(Sampler.Kind.EULER), false, Intermediate.XT).run(CHECKERBOARD, POINT, SEED)));
            m.put("search-over-paths/path/n=" + n, () -> bits(new SearchOverPaths(n, 2, 0.5, 0.1, 0.25, 0.125,
                    Sampler.ode(Sampler.Kind.MIDPOINT), true, Intermediate.X1HAT).run(CHECKERBOARD, POINT, SEED)));
            m.put("guidance/n=" + n, () -> bits(new GuidedSampling(n, 6, new Sampler(Sampler.Kind.SDE, 1), 1).run(CHECKERBOARD, QUADRATIC, SEED)));
        }
        for (Potential p : Potential.values())
            for (Intermediate im : Intermediate.values())
                m.put("fk/" + p.cliName() + "/" + im.cliName() + "/n=255", () -> fk(p, im, 255, 0));
        for (int n : SIZES) m.put("fk/diff/x1hat/n=" + n, () -> fk(Potential.DIFF, Intermediate.X1HAT, n, 0));
        for (int n : new int[] {1, 255, 1025}) m.put("fk/diff/x1hat/guidance/n=" + n, () -> fk(Potential.DIFF, Intermediate.X1HAT, n, 1));
        // adaptive tempering: its bisection and the conditional ESS sum in index order
        for (int n : new int[] {1, 255, 1025})
            for (Potential p : new Potential[] {Potential.DIFF, Potential.MAX})
                m.put("fk/" + p.cliName() + "/adaptive/n=" + n, () -> bits(fkMethod(p, Intermediate.X1HAT, n, 0, 10)
                        .withTempering(fksteer.steer.Tempering.adaptive(0.9)).run(MIXTURE, QUADRATIC, SEED)));
        m.put("fk/diff/x1hat/guidance/mixture/n=255", () -> bits(fkMethod(Potential.DIFF, Intermediate.X1HAT, 255, 1, 10)
                .run(MIXTURE, QUADRATIC, SEED)));
        // the same loop on the other processes: VP (DDIM eta = 1, DDPM, guided), the noise-at-1 flow with a shift, CFG
        for (int n : new int[] {1, 255, 1025}) {
            m.put("fk/vp-ddim/lookahead/n=" + n, () -> bits(fkMethod(Potential.DIFF, Intermediate.LOOKAHEAD, n, 0, 10)
                    .withSampler(new Sampler(Sampler.Kind.DDIM, 1)).run(vp(Prediction.EPSILON, Condition.NONE), POINT, SEED)));
            m.put("fk/vp-ddpm/guidance/n=" + n, () -> bits(fkMethod(Potential.DIFF, Intermediate.X1HAT, n, 1, 10)
                    .withSampler(new Sampler(Sampler.Kind.DDPM, 0)).run(vp(Prediction.V, Condition.NONE), QUADRATIC, SEED)));
            m.put("fk/flow-noise-at-1/many/n=" + n, () -> bits(fkMethod(Potential.MAX, Intermediate.MANY, n, 0, 10)
                    .run(flowAtOne(Condition.NONE), POINT, SEED)));
            m.put("fk/vp-cfg/n=" + n, () -> bits(fkMethod(Potential.DIFF, Intermediate.X1HAT, n, 0, 10)
                    .withSampler(new Sampler(Sampler.Kind.DDIM, 1)).run(vp(Prediction.X0, Condition.label(1).withCfg(2)), POINT, SEED)));
            m.put("search-over-paths/vp/n=" + n, () -> bits(new SearchOverPaths(n, 2, 0.5, 0.1, 0.25, 0.125,
                    new Sampler(Sampler.Kind.DDIM, 0), true, Intermediate.X1HAT).run(vp(Prediction.EPSILON, Condition.NONE), POINT, SEED)));
        }
        m.put("train/batch=1025/steps=200", () -> train(1025, 200));
        m.put("train/batch=255/steps=200", () -> train(255, 200));
        m.put("train/batch=4097/steps=20", () -> train(4097, 20));
        m.put("train/batch=1/steps=100", () -> train(1, 100));
        m.put("train/batch=600/steps=5", () -> train(600, 5));
        return m;
    }

    /** The cheap cases a C1-only JVM reruns (it runs the Vector API's Java fallback, as the interpreter does). */
    static final List<String> COLD_SUBSET = List.of("sample/euler/n=1025", "sample/sde/n=255", "sample/sde/mixture/n=1025",
            "fk/diff/x1hat/guidance/n=255", "fk/max/many/n=255", "fk/vp-ddim/lookahead/n=255", "fk/vp-cfg/n=255",
            "train/batch=600/steps=5");

    static Process vp(Prediction p, Condition c) {
        ProcessSpec.Vp spec = new ProcessSpec.Vp(BetaSchedule.cosine(), TimestepSpacing.TRAILING);
        return spec.bind(new MixtureNetwork(MIXTURE, new int[] {0, 1}, spec, p), p, c);
    }

    static Process flowAtOne(Condition c) {
        ProcessSpec.Flow spec = new ProcessSpec.Flow(1, 3.0);
        return spec.bind(new MixtureNetwork(MIXTURE, null, spec, Prediction.VELOCITY), Prediction.VELOCITY, c);
    }

    static byte[] sample(VelocityField f, Sampler.Kind kind, int n, int steps) {
        Sampler s = new Sampler(kind, kind.stochastic ? 0.5 : 0);
        int d = f.dim();
        float[] x = Noise.initial(n, d, SEED);
        s.bind(f, n).solve(x, n, 0, 1, steps, Noise.stepStreams(SEED, n));
        Bits b = new Bits();
        b.floats(x);
        return b.bytes();
    }

    static FkSteering fkMethod(Potential p, Intermediate im, int n, double guidance, int steps) {
        return new FkSteering(n, steps, new Sampler(Sampler.Kind.SDE, guidance > 0 ? 1 : 0.5), 2, p, im, 2,
                new ResampleSchedule(0.2, 0.9, 4, 0, 0.9), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, guidance, 2);
    }

    static byte[] fk(Potential p, Intermediate im, int n, double guidance) {
        FkSteering m = fkMethod(p, im, n, guidance, 10);
        Reward r = guidance > 0 ? QUADRATIC : POINT;
        Bits b = new Bits();
        if (im == Intermediate.LEARNED) {
            // a small learned reward (its training is part of what must be reproducible)
            LearnedReward lr = LearnedReward.train(fksteer.process.FlowProcess.of(CHECKERBOARD), r, m.sampler(), 10, 64, 40, SEED);
            b.doubles(new double[] {lr.finalLoss()});
            m = m.withLearned(lr);
        }
        b.result(m.run(CHECKERBOARD, r, SEED));
        return b.bytes();
    }

    static byte[] train(int batch, int steps) {
        FlowMatchingTrainer tr = new FlowMatchingTrainer(new TrainConfig("checkerboard", steps, batch, 1e-2, 64, 3, SEED, true));
        double[] losses = new double[steps];
        tr.train((s, total, loss) -> {
            losses[s - 1] = loss;
            return true;
        });
        Mlp m = tr.model();
        Bits b = new Bits();
        b.doubles(losses);
        for (float[] p : m.parametersInPlace()) b.floats(p);
        for (int l = 0; l < m.layers(); l++) b.floats(m.torchWeight(l));
        return b.bytes();
    }

    static byte[] bits(SteerResult r) {
        Bits b = new Bits();
        b.result(r);
        return b.bytes();
    }

    /** Raw bits of outputs, in order. */
    static final class Bits {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(buf);

        void floats(float[] a) {
            try {
                out.writeInt(a.length);
                for (float v : a) out.writeInt(Float.floatToRawIntBits(v));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void doubles(double[] a) {
            try {
                out.writeInt(a.length);
                for (double v : a) out.writeLong(Double.doubleToRawLongBits(v));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void result(SteerResult r) {
            floats(r.samples());
            doubles(r.logWeights());
            doubles(r.rewards());
            value(r.nfe());
            value(r.rewardCalls());
            value(r.diagnostics());
        }

        /** Diagnostics, recursively; entries that are times ("...Seconds") are left out. */
        void value(Object o) {
            try {
                switch (o) {
                    case null -> out.writeByte(0);
                    case Double v -> out.writeLong(Double.doubleToRawLongBits(v));
                    case Float v -> out.writeInt(Float.floatToRawIntBits(v));
                    case Number v -> out.writeLong(v.longValue());
                    case Boolean v -> out.writeBoolean(v);
                    case String s -> out.write(s.getBytes(StandardCharsets.UTF_8));
                    case double[] a -> doubles(a);
                    case float[] a -> floats(a);
                    case int[] a -> {
                        out.writeInt(a.length);
                        for (int v : a) out.writeInt(v);
                    }
                    case List<?> l -> {
                        out.writeInt(l.size());
                        for (Object v : l) value(v);
                    }
                    case Map<?, ?> mm -> {
                        for (Map.Entry<?, ?> e : mm.entrySet()) {
                            if (String.valueOf(e.getKey()).endsWith("Seconds")) continue;
                            value(String.valueOf(e.getKey()));
                            value(e.getValue());
                        }
                    }
                    default -> throw new IllegalArgumentException("no bits for " + o.getClass());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }
}
