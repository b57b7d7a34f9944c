package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.io.Models;
import fksteer.kernel.Parallel;
import fksteer.model.GaussianMixture;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import fksteer.train.FlowMatchingTrainer;
import fksteer.train.TrainConfig;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Size arithmetic is checked in long, and a run's memory can be estimated before it starts (issue 9, found 4). */
class SizeLimitsTest {
    static final VelocityField CHECKERBOARD = Models.load(Models.CHECKERBOARD);
    static final Reward POINT = new Rewards.Point(new double[] {2, 0.5}, "point:2,0.5");
    static final Sampler MID = Sampler.ode(Sampler.Kind.MIDPOINT);

    static void rejected(String setting, Executable run) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, run);
        assertEquals(setting, e.setting(), e.getMessage());
        assertTrue(e.problem().startsWith("is too large: "), e.problem());
    }

    /** 65536 x 65537 used to wrap to 65536 rows and run a different search; 40000^2 x 2 fits an int only before the dimension. */
    @Test
    void searchOverPathsSizeOverflowIsRejected() {
        rejected("expansions", () -> new SearchOverPaths(65536, 65537, 0.8, 0.1, 0.14, 0.01, MID, false, Intermediate.XT));
        rejected("expansions", () -> new SearchOverPaths(65536, 32768, 0.8, 0.1, 0.14, 0.01, MID, false, Intermediate.XT));
        SearchOverPaths fitsInt = new SearchOverPaths(40000, 40000, 0.8, 0.1, 0.14, 0.01, MID, false, Intermediate.XT);
        rejected("expansions", () -> fitsInt.run(CHECKERBOARD, POINT, 1));
        assertTrue(fitsInt.estimatedBytes(2) > 3L * 40000 * 40000 * 2 * 4, "the estimate sees the 1.6e9 x 2 states");
    }

    /** many:4096 x 1,000,000 particles used to die of NegativeArraySizeException; other products likewise. */
    @Test
    void everySizeProductIsCheckedInLong() {
        FkSteering many = new FkSteering(1_000_000, 10, new Sampler(Sampler.Kind.SDE, 0.1), 1, Potential.DIFF, Intermediate.MANY, 4,
                ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, 0, 4096);
        rejected("intermediate", () -> many.run(CHECKERBOARD, POINT, 1));
        assertEquals(Long.MAX_VALUE, new FkSteering(Integer.MAX_VALUE, Integer.MAX_VALUE - 1, new Sampler(Sampler.Kind.SDE, 0.1), 1,
                Potential.DIFF, Intermediate.MANY, 4, ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED,
                1, 0, 4096).estimatedBytes(Integer.MAX_VALUE), "estimates saturate instead of wrapping");
        // a 100k-dimensional mixture with 50,000 particles: 5e9 coordinates
        double[] mean = new double[100_000];
        GaussianMixture wide = new GaussianMixture(new double[] {1}, new double[][] {mean}, new double[] {1});
        Reward wideReward = new Rewards.Quadratic(mean, "quadratic:0,...");
        rejected("particles", () -> new BestOfN(50_000, 4, MID, 1, false, 1).run(wide, wideReward, 1));
        rejected("particles", () -> Noise.initial(1 << 30, 3, 1));
        rejected("particles", () -> MID.bind(CHECKERBOARD, 1 << 30));
        // the learned reward's training set: 1024 trajectories x 1,000,000 steps x (2 + 1) values
        rejected("steps", () -> LearnedReward.train(fksteer.process.FlowProcess.of(CHECKERBOARD), POINT, new Sampler(Sampler.Kind.SDE, 0.1),
                1_000_000, FkSteering.LEARNED_TRAJECTORIES, 1, 1));
        // a network with more weights than an array holds
        rejected("model", () -> Mlp.fromTorch(new int[] {3, 50_000, 50_000, 2}, new float[3][], new float[3][]));
    }

    static long allocatedBytes(Runnable r) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId(), before = mx.getThreadAllocatedBytes(id);
        r.run();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    /**
     * The workloads of {@link #estimatedBytesCoverWhatARunAllocates} at n particles: {estimate, allocated
     * bytes} each, on a small network (2 hidden layers of 8): estimates leave out the model, and plain
     * kernels run it fast.
     */
    static Map<String, Supplier<long[]>> workloads(int n) {
        VelocityField small = new MlpFlow(Mlp.init(MlpFlow.architecture(2, 8, 2), 1));
        Reward quad = new Rewards.Quadratic(new double[] {1, 0.5}, "quadratic:1,0.5");
        Map<String, SteeringMethod> methods = new LinkedHashMap<>();
        methods.put("best-of-n", new BestOfN(n, 4, new Sampler(Sampler.Kind.RK4, 0), 3, true, 1));
        methods.put("zeroth-order", new ZerothOrder(n, 3, 4, MID, 1, false, null));
        methods.put("search-over-paths", new SearchOverPaths(n / 4, 4, 0.5, 0.1, 0.25, 0.125, MID, true, Intermediate.X1HAT));
        methods.put("guidance", new GuidedSampling(n, 4, new Sampler(Sampler.Kind.SDE, 1), 1));
        for (Intermediate im : new Intermediate[] {Intermediate.XT, Intermediate.X1HAT, Intermediate.LOOKAHEAD, Intermediate.MANY})
            methods.put("fk/" + im.cliName(), new FkSteering(n, 8, new Sampler(Sampler.Kind.SDE, 0.5), 1, Potential.DIFF, im, 2,
                    new ResampleSchedule(0.2, 0.9, 3, 0, 1.0), Resampler.RESIDUAL, FkSteering.OutputPolicy.RESAMPLED, 4, 1, 3));
        Map<String, Supplier<long[]>> runs = new LinkedHashMap<>();
        for (var e : methods.entrySet()) {
            Reward r = e.getKey().startsWith("fk") || e.getKey().equals("guidance") ? quad : POINT;
            runs.put(e.getKey(), () -> new long[] {e.getValue().estimatedBytes(2), allocatedBytes(() -> e.getValue().run(small, r, 3))});
        }
        Sampler rk4 = new Sampler(Sampler.Kind.RK4, 0);
        runs.put("sample", () -> new long[] {rk4.estimatedBytes(n, 2),
                allocatedBytes(() -> rk4.bind(small, n).solve(Noise.initial(n, 2, 1), n, 0, 1, 4, Noise.stepStreams(1, n)))});
        TrainConfig cfg = new TrainConfig("checkerboard", 2, n, 1e-2, 64, 3, 0, false);
        runs.put("train", () -> new long[] {FlowMatchingTrainer.estimatedBytes(cfg), allocatedBytes(() -> new FlowMatchingTrainer(cfg).train(null))});
        return runs;
    }

    /**
     * Each method's estimate is at least what one run allocates in all (its arrays, and the garbage
     * besides) and within 3x of it, at a size where the per-particle arrays dominate. Measured in a JVM
     * on one thread (so every allocation is that thread's) with -Dfksteer.vector=false: the Vector API
     * boxes its vectors, and so allocates, until C2 has compiled a kernel, and plain code allocates only
     * what the run itself does, whatever the JIT has compiled.
     */
    @Test
    void estimatedBytesCoverWhatARunAllocates() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Dfksteer.vector=false", "-Xmx1g", "-cp", cp,
                MemoryProbe.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, p.exitValue(), out);
        String[] lines = out.strip().split("\\R");
        assertEquals(workloads(4000).size(), lines.length, out);
        for (String line : lines) {
            String[] f = line.split(" ");
            long est = Long.parseLong(f[1]), bytes = Long.parseLong(f[2]);
            assertTrue(est >= bytes && est <= 3 * bytes, f[0] + ": estimate " + est + " B, allocated " + bytes + " B\n" + out);
        }
    }
}
