package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import fksteer.kernel.Parallel;
import fksteer.process.Condition;
import fksteer.process.Process;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.solver.Sampler;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.Potential;
import fksteer.steer.SteerResult;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The determinism rule for ONNX models, measured: the same seed gives the same bits whatever ONNX
 * Runtime's intra-op thread count (1 or 2), fksteer's own thread count, and --max-batch (how rows are
 * chunked), after warm-up and at awkward sizes. ONNX Runtime's CPU kernels split work across threads
 * without splitting any one output's reduction, so this holds for the graphs here (matrix products,
 * convolutions, element-wise math); a graph whose kernels split reductions could break it, which is
 * why the guide states the rule as "the same seed and the same thread settings".
 */
class OnnxDeterminismTest {

    @Test
    void convolutionBitsDoNotDependOnThreadsOrBatching() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 37, d = 784;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        float[] ref = null;
        for (int threads : new int[] {1, 2}) {
            for (int batch : new int[] {64, 5}) {
                try (OnnxModel m = OnnxModel.load(Fixtures.file("conv.card.json"), OnnxOptions.defaults().withThreads(threads).withMaxBatch(batch))) {
                    float[] out = new float[n * d];
                    for (int warm = 0; warm < 3; warm++) m.network().predict(x, n, 417f, null, null, out);
                    if (ref == null) ref = out;
                    else assertArrayEquals(ref, out, "conv at " + threads + " ONNX threads, batches of " + batch);
                }
            }
        }
    }

    @Test
    void fkThroughOnnxGivesTheSameBitsAtOneAndTwoThreads() {
        SteerResult ref = null;
        for (int threads : new int[] {2, 1, 2}) {
            for (int batch : new int[] {1024, 100}) {
                try (OnnxModel m = OnnxModel.load(Fixtures.file("mixture-vp.card.json"), OnnxOptions.defaults().withThreads(threads).withMaxBatch(batch))) {
                    Process p = m.process(Condition.label(1).withCfg(2));
                    Reward r = m.reward("onnx:" + Fixtures.file("classifier.onnx") + ":class=1+0.5*quadratic:1,0.5");
                    FkSteering fk = new FkSteering(1027, 40, new Sampler(Sampler.Kind.DDIM, 1), 1.0, Potential.DIFF, Intermediate.X1HAT, 4,
                            new ResampleSchedule(0.6, 0.95, 5, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
                    fk.run(p, r, 1);                                 // warm-up
                    SteerResult res = Parallel.withThreads(threads, () -> fk.run(p, r, 42));
                    if (ref == null) {
                        ref = res;
                        continue;
                    }
                    String where = threads + " threads, max batch " + batch;
                    assertArrayEquals(ref.samples(), res.samples(), where);
                    assertArrayEquals(ref.logWeights(), res.logWeights(), where);
                    assertArrayEquals(ref.rewards(), res.rewards(), where);
                }
            }
        }
    }
}
