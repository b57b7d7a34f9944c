package fksteer.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The Vector API kernels against their scalar twin on random shapes, ragged tails included. The
 * linear parts are the same fma chains in the same order, so they must agree bit for bit; ELU uses a
 * vector expm1 that may differ from Math.expm1 by a few ulps; the narrow kernel's lane tree is
 * reproduced by the twin, so it agrees bit for bit too.
 */
class DenseKernelsTest {
    final DenseKernels vec = new VectorDense(), sca = new ScalarDense();

    static float[] rand(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 4 - 2);
        return a;
    }

    @Property(tries = 60)
    void denseLinearIsBitwiseEqual(@ForAll @IntRange(min = 1, max = 37) int n, @ForAll @IntRange(min = 1, max = 80) int K,
                                   @ForAll @IntRange(min = 1, max = 150) int N, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = rand(r, n * K), b = rand(r, K * N + 3), bias = rand(r, N + 2);
        float[] c1 = new float[n * N], c2 = new float[n * N];
        vec.dense(a, n, K, b, 3, N, bias, 2, c1, false);
        sca.dense(a, n, K, b, 3, N, bias, 2, c2, false);
        assertArrayEquals(c2, c1);
    }

    @Property(tries = 60)
    void denseEluIsBitwiseEqual(@ForAll @IntRange(min = 1, max = 37) int n, @ForAll @IntRange(min = 1, max = 70) int K,
                                  @ForAll @IntRange(min = 1, max = 140) int N, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = rand(r, n * K), b = rand(r, K * N), bias = rand(r, N);
        float[] c1 = new float[n * N], c2 = new float[n * N];
        vec.dense(a, n, K, b, 0, N, bias, 0, c1, true);
        sca.dense(a, n, K, b, 0, N, bias, 0, c2, true);
        assertArrayEquals(c2, c1);
    }

    /** Our exp-based ELU against Math.expm1 over the whole negative range (absolute error, outputs in (-1, 0]). */
    @Property(tries = 2000)
    void eluIsAccurate(@ForAll @net.jqwik.api.constraints.FloatRange(min = -120f, max = 5f) float x) {
        double exact = x > 0 ? x : Math.expm1(x);
        assertEquals(exact, DenseKernels.elu(x), 3e-7 + 1e-7 * Math.abs(exact));
        float[] v = new float[16];
        java.util.Arrays.fill(v, x);
        float[] out = new float[16];
        VectorDense.eluNegative(jdk.incubator.vector.FloatVector.fromArray(VectorDense.S, v, 0)).intoArray(out, 0);
        if (x <= 0) assertEquals(DenseKernels.elu(x), out[0]);
    }

    /** The narrow kernel adds its lanes in a fixed tree that the twin reproduces: equal bits, and close to the exact sum. */
    @Property(tries = 60)
    void narrowIsBitwiseEqualAndWithinSummationBound(@ForAll @IntRange(min = 1, max = 33) int n, @ForAll @IntRange(min = 1, max = 300) int K,
                                                     @ForAll @IntRange(min = 1, max = 5) int N, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = rand(r, n * K), w = rand(r, K * N + 1), bias = rand(r, N + 1);
        float[] c1 = new float[n * N], c2 = new float[n * N];
        vec.denseNarrow(a, n, K, w, 1, N, bias, 1, c1);
        sca.denseNarrow(a, n, K, w, 1, N, bias, 1, c2);
        assertArrayEquals(c2, c1);
        for (int rI = 0; rI < n; rI++)
            for (int j = 0; j < N; j++) {
                double exact = bias[1 + j], abs = Math.abs(bias[1 + j]);
                for (int k = 0; k < K; k++) {
                    double p = (double) a[rI * K + k] * w[1 + j * K + k];
                    exact += p;
                    abs += Math.abs(p);
                }
                assertEquals(exact, c1[rI * N + j], (K + 2) * 0x1p-24 * abs); // standard summation bound
            }
    }

    /** The twin of another lane count gives the same tree structure: 1 lane is the plain k-order chain. */
    @Example
    void narrowTwinWithOneLaneIsThePlainChain() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 5, K = 67, N = 3;
        float[] a = rand(r, n * K), w = rand(r, K * N), bias = rand(r, N), c = new float[n * N];
        new ScalarDense(1).denseNarrow(a, n, K, w, 0, N, bias, 0, c);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) acc = Math.fma(a[i * K + k], w[j * K + k], acc);
                assertEquals(Float.floatToRawIntBits(acc + bias[j]), Float.floatToRawIntBits(c[i * N + j]));
            }
    }

    @Property(tries = 60)
    void gradientsAreBitwiseEqual(@ForAll @IntRange(min = 1, max = 45) int n, @ForAll @IntRange(min = 1, max = 70) int K,
                                  @ForAll @IntRange(min = 1, max = 100) int N, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = rand(r, n * K), d = rand(r, n * N);
        float[] g1 = rand(r, K * N + 1), gb1 = rand(r, N);
        float[] g2 = g1.clone(), gb2 = gb1.clone();
        vec.accumulateGrad(a, n, K, d, N, g1, 1, gb1, 0);
        sca.accumulateGrad(a, n, K, d, N, g2, 1, gb2, 0);
        assertArrayEquals(g2, g1);
        assertArrayEquals(gb2, gb1);
        float[] post = rand(r, n * N), d1 = d.clone(), d2 = d.clone();
        vec.eluBackward(d1, post, n * N);
        sca.eluBackward(d2, post, n * N);
        assertArrayEquals(d2, d1);
    }

    @Property(tries = 20)
    void denseMatchesDoubleReference(@ForAll @IntRange(min = 1, max = 20) int n, @ForAll @IntRange(min = 1, max = 64) int K,
                                     @ForAll @IntRange(min = 1, max = 64) int N, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = rand(r, n * K), b = rand(r, K * N), bias = rand(r, N);
        float[] c = new float[n * N];
        vec.dense(a, n, K, b, 0, N, bias, 0, c, false);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < N; j++) {
                double s = bias[j], abs = Math.abs(bias[j]);
                for (int k = 0; k < K; k++) {
                    s += (double) a[i * K + k] * b[k * N + j];
                    abs += Math.abs((double) a[i * K + k] * b[k * N + j]);
                }
                assertEquals(s, c[i * N + j], (K + 1) * 0x1p-24 * abs);
            }
    }
}
