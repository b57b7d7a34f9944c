package fksteer.resample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.rng.Rng;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Property tests shared by every resampling scheme. */
class ResamplerTest {

    @Provide
    Arbitrary<double[]> weights() {
        // a mix of zeros, tiny and ordinary weights
        return Arbitraries.doubles().between(0, 1).ofScale(6)
                .map(v -> v < 0.3 ? 0.0 : v < 0.4 ? v * 1e-12 : v)
                .array(double[].class).ofMinSize(1).ofMaxSize(40)
                .filter(a -> java.util.Arrays.stream(a).sum() > 0);
    }

    @Property(tries = 300)
    void indicesInRangeAndZeroWeightsNeverChosen(@ForAll("weights") double[] w, @ForAll @IntRange(min = 1, max = 64) int m,
                                                 @ForAll long seed) {
        for (Resampler r : Resampler.values()) {
            int[] out = new int[m];
            r.resample(w, w.length, new long[] {seed}, out, m);
            for (int a : out) {
                assertTrue(a >= 0 && a < w.length, r + " index " + a);
                assertTrue(w[a] > 0, r + " chose zero-weight particle " + a);
            }
        }
    }

    /**
     * E[offspring_i] = m W_i. Over R repetitions the mean count's standard error is at most
     * sqrt(max(m W (1 - W), 1/4) / R) (multinomial variance, or the at-most-1/4 variance of the
     * schemes that round m W_i up or down); we allow 4 of them per particle.
     */
    @ParameterizedTest
    @EnumSource(Resampler.class)
    void expectedOffspringEqualsMTimesW(Resampler r) {
        double[] w = {0.05, 0.0, 0.3, 0.125, 0.0001, 0.2, 0.3249};
        int m = 20, reps = 20000;
        double sum = 0;
        for (double v : w) sum += v;
        double[] count = new double[w.length];
        long[] rng = Rng.single(99, "res-" + r);
        int[] out = new int[m];
        for (int rep = 0; rep < reps; rep++) {
            r.resample(w, w.length, rng, out, m);
            for (int a : out) count[a]++;
        }
        for (int i = 0; i < w.length; i++) {
            double p = w[i] / sum, expect = m * p;
            double se = Math.sqrt(Math.max(m * p * (1 - p), 0.25) / reps);
            assertEquals(expect, count[i] / reps, 4 * se, r + " particle " + i);
        }
    }

    /** Weights whose float sum ends just below 1, and uniforms near 1, must still pick a valid index. */
    @ParameterizedTest
    @EnumSource(Resampler.class)
    void cumulativeSumJustBelowOne(Resampler r) {
        int n = 1000;
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.1 / 100.0000001; // sums to about 0.999999999 after rounding
        w[n - 1] = 0;                                       // and the last has zero weight
        int[] out = new int[4096];
        for (long seed = 0; seed < 50; seed++) {
            r.resample(w, n, new long[] {seed}, out, out.length);
            for (int a : out) assertTrue(a >= 0 && a < n - 1, r + " picked " + a);
        }
        float[] fw = new float[n];
        double[] dw = new double[n];
        for (int i = 0; i < n; i++) dw[i] = fw[i] = 1f / n; // float weights: sum rounds below 1
        r.resample(dw, n, new long[] {7}, out, out.length);
        for (int a : out) assertTrue(a >= 0 && a < n);
    }

    @Test
    void systematicIsDeterministicGivenTheStream() {
        double[] w = {0.25, 0.25, 0.5};
        int[] a = new int[4], b = new int[4];
        Resampler.SYSTEMATIC.resample(w, 3, new long[] {5}, a, 4);
        Resampler.SYSTEMATIC.resample(w, 3, new long[] {5}, b, 4);
        assertTrue(java.util.Arrays.equals(a, b));
        // systematic with m = 4: exactly 1, 1, 2 copies
        int[] c = new int[3];
        for (int x : a) c[x]++;
        assertEquals(1, c[0]);
        assertEquals(1, c[1]);
        assertEquals(2, c[2]);
    }

    @Test
    void logWeightsHandleExtremes() {
        LogWeights lw = new LogWeights(4);
        lw.add(new double[] {1e6, -1e6, Double.NaN, 1e6 - 1});
        double[] w = new double[4];
        lw.normalized(w);
        for (double v : w) assertTrue(Double.isFinite(v));
        assertEquals(1 / (1 + Math.exp(-1)), w[0], 1e-12);
        assertEquals(0, w[2]);
        LogWeights inf = new LogWeights(3);
        inf.add(new double[] {Double.POSITIVE_INFINITY, 0, Double.POSITIVE_INFINITY});
        inf.normalized(w);
        assertEquals(0.5, w[0]);
        assertEquals(0, w[1]);
        assertEquals(2.0, inf.ess(new double[3]), 1e-12);
    }
}
