package fksteer.bench;

import fksteer.io.Models;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Rewards;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.Potential;
import fksteer.steer.ProgressListener;
import fksteer.train.FlowMatchingTrainer;
import fksteer.train.TrainConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's own benchmark workloads ({@code fksteer bench}): medians of repeated timed runs after
 * warm-up, on the configured thread count. Precise kernel studies use the JMH benchmarks instead.
 */
public final class Bench {
    public static final List<String> WORKLOADS = List.of("peak-fma", "mlp-forward-1024", "mlp-forward-8192", "train-step-8192",
            "fk-checkerboard-1024x100", "train-checkerboard-10k", "onnx-mlp-1024", "onnx-fk-conv-64");
    /** FLOP per row of the reference MLP 3 -> 64 -> 64 -> 64 -> 2. */
    public static final long MLP_FLOP_PER_ROW = 17_024;

    private Bench() {}

    /** One workload's figures. */
    public record Result(String name, double medianMs, double minMs, int runs, double gflops, Map<String, Object> extra) {}

    @FunctionalInterface
    interface Body {
        void run();
    }

    /** Times runs after warm-up, telling progress of both as "runs" of the stage. */
    static double[] time(Body b, int warmup, int runs, ProgressListener progress, String stage) {
        for (int i = 0; i < warmup; i++) {
            b.run();
            progress.progress(i + 1, warmup + runs, stage);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            b.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            progress.progress(warmup + i + 1, warmup + runs, stage);
        }
        Arrays.sort(ms);
        return ms;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    public static Result run(String name) {
        return run(name, ProgressListener.NONE);
    }

    /** One workload, telling progress of its runs (stage: the workload's name). */
    public static Result run(String name, ProgressListener p) {
        return switch (name) {
            case "peak-fma" -> {
                int iters = 2_000_000;
                double[] ms = time(() -> Peak.run(iters), 5, 15, p, name);
                yield new Result(name, median(ms), ms[0], ms.length, Peak.flops(iters) / median(ms) / 1e6, Map.of());
            }
            case "mlp-forward-1024", "mlp-forward-8192" -> {
                int n = name.endsWith("1024") ? 1024 : 8192;
                Mlp m = Models.checkerboardMlp();
                float[] in = new float[n * 3], out = new float[n * 2];
                long[] st = Rng.single(1, "bench");
                for (int i = 0; i < in.length; i++) in[i] = (float) Rng.nextGaussian(st, 0);
                int runs = n == 1024 ? 2000 : 300;
                double[] ms = time(() -> m.forward(in, n, out), runs, runs, p, name);
                yield new Result(name, median(ms), ms[0], runs, n * MLP_FLOP_PER_ROW / median(ms) / 1e6, Map.of());
            }
            case "train-step-8192" -> {
                FlowMatchingTrainer tr = new FlowMatchingTrainer(TrainConfig.defaults("checkerboard", 1));
                double[] ms = time(tr::step, 300, 300, p, name);
                // forward 17,024 + backward about twice that per row
                yield new Result(name, median(ms), ms[0], ms.length, 8192 * 3.0 * MLP_FLOP_PER_ROW / median(ms) / 1e6, Map.of());
            }
            case "fk-checkerboard-1024x100" -> {
                TimedField f = new TimedField(new MlpFlow(Models.checkerboardMlp()));
                FkSteering fk = new FkSteering(1024, 100, new Sampler(Sampler.Kind.SDE, 0.1), 10, Potential.DIFF, Intermediate.X1HAT, 4,
                        new ResampleSchedule(0.6, 0.95, 5, 0, 1.0), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
                var reward = Rewards.parse("point:2,0.5");
                long[] seed = {0};
                time(() -> fk.run(f, reward, seed[0]++), 100, 0, p, name + " warm-up");
                f.reset();
                double[] ms = time(() -> fk.run(f, reward, seed[0]++), 0, 200, p, name);
                double netMs = f.nanos.get() / 1e6 / ms.length;
                double mean = Arrays.stream(ms).average().orElse(0);
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("networkMsPerRun", netMs);
                extra.put("overheadPercent", 100 * (mean - netMs) / mean);
                yield new Result(name, median(ms), ms[0], ms.length, 200.0 * 1024 * MLP_FLOP_PER_ROW / median(ms) / 1e6, extra);
            }
            case "train-checkerboard-10k" -> {
                // one run of 10,000 steps: progress in training steps
                double[] ms = time(() -> new FlowMatchingTrainer(TrainConfig.defaults("checkerboard", 0)).train((s, total, loss) -> {
                    p.progress(s, total, name);
                    return true;
                }), 0, 1, ProgressListener.NONE, name);
                yield new Result(name, median(ms), ms[0], 1, 10_000 * 8192 * 3.0 * MLP_FLOP_PER_ROW / median(ms) / 1e6, Map.of());
            }
            case "onnx-mlp-1024" -> onnxMlp(name, p);
            case "onnx-fk-conv-64" -> onnxFkConv(name, p);
            default -> throw new IllegalArgumentException("--workload must be one of " + String.join(", ", WORKLOADS) + "; got '" + name + "'");
        };
    }

    /** The ONNX fixtures of a source checkout (fksteer-onnx/src/test/resources/onnx), from the working directory or the jar's. */
    static java.nio.file.Path onnxFixtures(String workload) {
        String rel = "fksteer-onnx/src/test/resources/onnx";
        List<java.nio.file.Path> tried = new ArrayList<>();
        tried.add(java.nio.file.Path.of(rel));
        try {
            var jar = java.nio.file.Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (var d = jar.getParent(); d != null; d = d.getParent()) tried.add(d.resolve(rel));
        } catch (Exception e) {
            // no code source: the working directory only
        }
        for (var d : tried) if (java.nio.file.Files.isRegularFile(d.resolve("conv.card.json"))) return d;
        throw new IllegalArgumentException("--workload " + workload + " needs the ONNX fixtures of a source checkout (" + rel
                + "); run it from the repository");
    }

    /**
     * The checkerboard MLP natively and through ONNX Runtime (the same weights, exported by
     * make_fixtures.py), batch 1024, on the same threads: 5 alternating rounds of 400 timed calls each.
     * ONNX Runtime's time is fksteer's whole call (copy into the direct buffer, run, copy out).
     */
    static Result onnxMlp(String name, ProgressListener p) {
        int n = 1024, runs = 400, rounds = 5;
        var dir = onnxFixtures(name);
        Mlp m = Models.checkerboardMlp();
        var opts = fksteer.onnx.OnnxOptions.defaults().withThreads(fksteer.kernel.Parallel.threads()).withMaxBatch(n);
        try (var om = fksteer.onnx.OnnxModel.load(dir.resolve("checkerboard-mlp.card.json"), opts)) {
            var net = om.network();
            float[] rows = new float[n * 3], x = new float[n * 2], out = new float[n * 2];
            long[] st = Rng.single(1, "bench");
            for (int i = 0; i < n; i++) {
                rows[3 * i] = 0.5f;                           // [t, x]: the native MLP's input row
                x[2 * i] = rows[3 * i + 1] = (float) Rng.nextGaussian(st, 0);
                x[2 * i + 1] = rows[3 * i + 2] = (float) Rng.nextGaussian(st, 0);
            }
            double[] nat = new double[rounds * runs], onnx = new double[rounds * runs];
            time(() -> m.forward(rows, n, out), runs, 0, ProgressListener.NONE, name);
            time(() -> net.predict(x, n, 0.5f, null, null, out), runs, 0, ProgressListener.NONE, name);
            long ort0 = net.inferenceNanos();
            for (int r = 0; r < rounds; r++) {
                System.arraycopy(time(() -> m.forward(rows, n, out), 0, runs, ProgressListener.NONE, name), 0, nat, r * runs, runs);
                System.arraycopy(time(() -> net.predict(x, n, 0.5f, null, null, out), 0, runs, ProgressListener.NONE, name), 0, onnx, r * runs, runs);
                p.progress(r + 1, rounds, name);
            }
            double ortOnly = (net.inferenceNanos() - ort0) / 1e6 / (rounds * runs);
            Arrays.sort(nat);
            Arrays.sort(onnx);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("nativeMedianMs", median(nat));
            extra.put("onnxMedianMs", median(onnx));
            extra.put("onnxRunOnlyMeanMs", ortOnly);
            extra.put("onnxOverNative", median(onnx) / median(nat));
            extra.put("nativeGflops", n * MLP_FLOP_PER_ROW / median(nat) / 1e6);
            return new Result(name, median(onnx), onnx[0], onnx.length, n * MLP_FLOP_PER_ROW / median(onnx) / 1e6, extra);
        }
    }

    /**
     * FK on the convolutional fixture (VP, ε, 1 x 28 x 28) through ONNX Runtime: 64 particles, 20 DDIM
     * steps (η = 1), x̂0 potentials, 5 resampling steps, a quadratic reward on the 784 pixels. The
     * overhead is the share of the wall time spent outside ONNX Runtime's own run calls: the FK loop,
     * the sampler, the reward, and fksteer's copies into and out of ONNX Runtime's buffers.
     */
    static Result onnxFkConv(String name, ProgressListener p) {
        var dir = onnxFixtures(name);
        var opts = fksteer.onnx.OnnxOptions.defaults().withThreads(fksteer.kernel.Parallel.threads()).withMaxBatch(64);
        try (var om = fksteer.onnx.OnnxModel.load(dir.resolve("conv.card.json"), opts)) {
            var process = om.process(fksteer.process.Condition.NONE);
            FkSteering fk = new FkSteering(64, 20, new Sampler(Sampler.Kind.DDIM, 1), 1, Potential.DIFF, Intermediate.X1HAT, 4,
                    new ResampleSchedule(0.6, 0.95, 5, 0, 1.0), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
            var reward = new Rewards.Quadratic(new double[784], "quadratic:0 (784)");
            long[] seed = {0};
            time(() -> fk.run(process, reward, seed[0]++), 3, 0, p, name + " warm-up");
            long ort0 = om.network().inferenceNanos();
            double[] ms = time(() -> fk.run(process, reward, seed[0]++), 0, 15, p, name);
            double ortMs = (om.network().inferenceNanos() - ort0) / 1e6 / ms.length;
            double mean = Arrays.stream(ms).average().orElse(0);
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("onnxRunMsPerRun", ortMs);
            extra.put("overheadPercent", 100 * (mean - ortMs) / mean);
            return new Result(name, median(ms), ms[0], ms.length, 0, extra);
        }
    }

    /** Times network evaluations, to split FK wall time into network and steering overhead. */
    static final class TimedField implements VelocityField {
        final VelocityField inner;
        final AtomicLong nanos = new AtomicLong();

        TimedField(VelocityField inner) {
            this.inner = inner;
        }

        void reset() {
            nanos.set(0);
        }

        public int dim() {
            return inner.dim();
        }

        public void velocity(float[] x, int n, float t, float[] out) {
            long t0 = System.nanoTime();
            inner.velocity(x, n, t, out);
            nanos.addAndGet(System.nanoTime() - t0);
        }
    }

    public static List<Result> runAll(List<String> names, ProgressListener progress) {
        List<Result> r = new ArrayList<>();
        for (String n : names) r.add(run(n, progress));
        return r;
    }
}
