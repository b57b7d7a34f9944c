package fksteer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fksteer.kernel.Parallel;
import fksteer.rng.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MlpTest {
    @AfterEach
    void restore() {
        Parallel.setThreads(Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    static double loss(Mlp m, float[] in, int n, float[] target) {
        float[] out = new float[n * m.outputDim()];
        m.forward(in, n, out);
        double s = 0;
        for (int i = 0; i < out.length; i++) s += 0.5 * (out[i] - target[i]) * (out[i] - target[i]);
        return s;
    }

    @Test
    void backpropMatchesFiniteDifferences() {
        int[] sizes = {3, 7, 5, 2};
        Mlp m = Mlp.init(sizes, 11);
        int n = 6;
        float[] in = new float[n * 3], target = new float[n * 2];
        long[] st = Rng.single(3, "t");
        for (int i = 0; i < in.length; i++) in[i] = (float) Rng.nextGaussian(st, 0);
        for (int i = 0; i < target.length; i++) target[i] = (float) Rng.nextGaussian(st, 0);
        // analytic gradient of 0.5 |out - target|^2
        float[][] acts = new float[m.layers()][];
        float[] a = in;
        for (int l = 0; l < m.layers(); l++) {
            acts[l] = new float[n * sizes[l + 1]];
            m.layer(fksteer.kernel.DenseKernels.get(), l, a, n, acts[l]);
            a = acts[l];
        }
        float[] dOut = new float[n * 2];
        for (int i = 0; i < dOut.length; i++) dOut[i] = a[i] - target[i];
        float[][] p = m.parametersInPlace();
        float[] gw = new float[p[0].length], gb = new float[p[1].length];
        m.backwardRows(in, acts, n, dOut, new float[n * m.maxWidth()], new float[n * m.maxWidth()], gw, gb);
        // central differences in double around float parameters; h chosen for float32 (cube root of eps)
        float h = 1e-2f;
        for (int which = 0; which < 2; which++) {
            float[] arr = p[which], g = which == 0 ? gw : gb;
            for (int i = 0; i < arr.length; i += 3) {
                float orig = arr[i];
                arr[i] = orig + h;
                m.syncLayouts();
                double lp = loss(m, in, n, target);
                arr[i] = orig - h;
                m.syncLayouts();
                double lm = loss(m, in, n, target);
                arr[i] = orig;
                m.syncLayouts();
                double fd = (lp - lm) / (2 * h);
                assertEquals(fd, g[i], 2e-3 * Math.max(1, Math.abs(fd)), "param " + which + "/" + i);
            }
        }
    }

    @Test
    void forwardIsBitwiseIdenticalForOneAndTwoThreads() {
        Mlp m = Mlp.init(new int[] {3, 64, 64, 64, 2}, 5);
        int n = 3000;
        float[] in = new float[n * 3];
        long[] st = Rng.single(9, "x");
        for (int i = 0; i < in.length; i++) in[i] = (float) Rng.nextGaussian(st, 0);
        float[] o1 = new float[n * 2], o2 = new float[n * 2];
        Parallel.setThreads(1);
        m.forward(in, n, o1);
        Parallel.setThreads(2);
        m.forward(in, n, o2);
        assertArrayEquals(o1, o2);
    }
}
