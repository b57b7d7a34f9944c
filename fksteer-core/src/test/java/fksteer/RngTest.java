package fksteer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.rng.Rng;
import org.junit.jupiter.api.Test;

class RngTest {
    /** Standard normal CDF via erf (Abramowitz-Stegun 7.1.26 is too coarse; use a series/continued fraction). */
    static double phi(double x) {
        // complementary error function by a Chebyshev fit (Numerical Recipes erfc, |error| < 1.2e-7)
        double z = Math.abs(x) / Math.sqrt(2), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * r : 0.5 * r;
    }

    /** sqrt(n) times the Kolmogorov–Smirnov distance between the sample and N(0, 1). x: Modified (sorted). */
    static double ksStatistic(double[] x) {
        int n = x.length;
        java.util.Arrays.sort(x);
        double d = 0;
        for (int i = 0; i < n; i++) {
            double f = phi(x[i]);
            d = Math.max(d, Math.max(f - (double) i / n, (double) (i + 1) / n - f));
        }
        return d * Math.sqrt(n);
    }

    @Test
    void gaussianMomentsAndTails() {
        int n = 2_000_000;
        long[] st = Rng.single(1, "test");
        double s1 = 0, s2 = 0, s4 = 0;
        int beyond3 = 0, beyondR = 0;
        for (int i = 0; i < n; i++) {
            double x = Rng.nextGaussian(st, 0);
            s1 += x;
            s2 += x * x;
            s4 += x * x * x * x;
            if (Math.abs(x) > 3) beyond3++;
            if (Math.abs(x) > 3.442619855899) beyondR++;
        }
        // standard errors of the sample moments of N(0,1): mean 1/sqrt(n), E x^2 sqrt(2/n), E x^4 sqrt(96/n)
        assertEquals(0, s1 / n, 4 / Math.sqrt(n));
        assertEquals(1, s2 / n, 4 * Math.sqrt(2.0 / n));
        assertEquals(3, s4 / n, 4 * Math.sqrt(96.0 / n));
        // tail counts (binomial): P(|x| > 3) = 0.0026998, P(|x| > R) = 0.000576 (the ziggurat's tail branch)
        double p3 = 2 * (1 - phi(3)), pR = 2 * (1 - phi(3.442619855899));
        assertEquals(n * p3, beyond3, 4 * Math.sqrt(n * p3));
        assertEquals(n * pR, beyondR, 4 * Math.sqrt(n * pR));
    }

    /** Kolmogorov–Smirnov against the normal CDF: D * sqrt(n) < 1.63 (the 1% critical value). */
    @Test
    void gaussianKolmogorovSmirnov() {
        int n = 200_000;
        long[] st = Rng.single(2, "ks");
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Rng.nextGaussian(st, 0);
        double ks = ksStatistic(x);
        assertTrue(ks < 1.63, "KS statistic " + ks);
    }

    /** The paired generator (two normals per 64-bit draw) against the normal CDF and for independence within a pair. */
    @Test
    void gaussianPairsKolmogorovSmirnovAndUncorrelated() {
        int n = 200_000;
        long[] st = Rng.single(3, "pairs");
        double[] x = new double[n];
        float[] pair = new float[2];
        double cross = 0, tails = 0;
        for (int i = 0; i < n; i += 2) {
            Rng.nextGaussianPair(st, 0, pair, 0);
            x[i] = pair[0];
            x[i + 1] = pair[1];
            cross += (double) pair[0] * pair[1];
            tails += (double) pair[0] * pair[0] * pair[1] * pair[1];
        }
        // E[x y] = 0 and E[x^2 y^2] = 1 for independent normals; standard errors 1/sqrt(m) and sqrt(8/m)
        int m = n / 2;
        assertEquals(0, cross / m, 4 / Math.sqrt(m));
        assertEquals(1, tails / m, 4 * Math.sqrt(8.0 / m));
        double ks = ksStatistic(x);
        assertTrue(ks < 1.63, "KS statistic " + ks);
    }

    /** The Vector API pair generator is bit-identical to the scalar one, ragged tails and slow paths included. */
    @Test
    void vectorPairsEqualScalarPairs() {
        for (int count : new int[] {1, 7, 8, 9, 16, 100, 1027}) {
            long[] a = Rng.streams(11 + count, count + 3), b = a.clone();
            float[] va = new float[2 * count], sb = new float[2 * count];
            for (int rep = 0; rep < 50; rep++) { // 50 rounds make slow-path lanes certain
                Rng.fillGaussianPairs(a, 3 % count == 0 ? 0 : 0, count, va, 0, new int[16], new float[16]);
                for (int j = 0; j < count; j++) Rng.nextGaussianPair(b, j, sb, 2 * j);
                org.junit.jupiter.api.Assertions.assertArrayEquals(sb, va, "count " + count + " round " + rep);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b, a);
            }
        }
    }

    @Test
    void streamsAreReproducibleAndDistinct() {
        long[] a = Rng.streams(5, 3), b = Rng.streams(5, 3);
        for (int i = 0; i < 3; i++) assertEquals(Rng.nextLong(a, i), Rng.nextLong(b, i));
        assertTrue(Rng.nextLong(a, 0) != Rng.nextLong(a, 1));
    }
}
