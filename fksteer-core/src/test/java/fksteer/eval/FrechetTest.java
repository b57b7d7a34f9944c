package fksteer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.io.InvalidSettingException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Fréchet distance against closed forms. */
class FrechetTest {

    /** A random rotation of dimension d (Gram–Schmidt of a seeded Gaussian matrix). */
    static double[][] rotation(int d, long seed) {
        Random r = new Random(seed);
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) q[i][j] = r.nextGaussian();
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += q[i][j] * q[k][j];
                for (int j = 0; j < d; j++) q[i][j] -= dot * q[k][j];
            }
            double norm = 0;
            for (int j = 0; j < d; j++) norm += q[i][j] * q[i][j];
            for (int j = 0; j < d; j++) q[i][j] /= Math.sqrt(norm);
        }
        return q;
    }

    /** Q diag(ev) Q^T. */
    static double[][] withEigen(double[][] q, double[] ev) {
        int d = ev.length;
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                for (int k = 0; k < d; k++) a[i][j] += q[k][i] * ev[k] * q[k][j];
        return a;
    }

    @Test
    void commutingCovariancesGiveTheSumOfSquaredRootDifferences() {
        // Σ1 = Q diag(a) Qᵀ and Σ2 = Q diag(b) Qᵀ commute: tr(...) = Σ (√a − √b)², plus |μ1 − μ2|²
        int d = 12;
        double[][] q = rotation(d, 1);
        double[] a = new double[d], b = new double[d], m1 = new double[d], m2 = new double[d];
        double want = 0;
        for (int i = 0; i < d; i++) {
            a[i] = 0.1 + i;
            b[i] = 3.0 / (1 + i);
            m1[i] = i * 0.5;
            m2[i] = -i * 0.25;
            want += Math.pow(Math.sqrt(a[i]) - Math.sqrt(b[i]), 2) + Math.pow(m1[i] - m2[i], 2);
        }
        double got = Frechet.distance(new Frechet.Gaussian(m1, withEigen(q, a), 100), new Frechet.Gaussian(m2, withEigen(q, b), 100));
        assertEquals(want, got, 1e-9 * want);
    }

    @Test
    void nonCommutingTwoByTwoMatchesTheClosedForm() {
        // 2x2: tr √M = √(tr M + 2 √det M) for M = Σ1^½ Σ2 Σ1^½, det M = det Σ1 det Σ2, tr M = tr(Σ1 Σ2)
        double[][] s1 = {{2, 0.7}, {0.7, 1}}, s2 = {{0.5, -0.2}, {-0.2, 3}};
        double trM = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
        double det = (s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0]) * (s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0]);
        double want = 2 + 1 + 0.5 + 3 - 2 * Math.sqrt(trM + 2 * Math.sqrt(det)) + 1 * 1;
        double got = Frechet.distance(new Frechet.Gaussian(new double[] {1, 0}, s1, 10), new Frechet.Gaussian(new double[] {0, 0}, s2, 10));
        assertEquals(want, got, 1e-12);
    }

    @Test
    void sqrtOfAPsdMatrixSquaresBack() {
        double[][] a = withEigen(rotation(9, 3), new double[] {4, 1, 0.25, 9, 0, 2, 3, 5, 1e-3});
        double[][] s = Frechet.sqrtPsd(a);
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 9; j++) {
                double v = 0;
                for (int k = 0; k < 9; k++) v += s[i][k] * s[k][j];
                assertEquals(a[i][j], v, 1e-10, "entry " + i + "," + j);
            }
    }

    @Test
    void fittedSamplesOfOneGaussianAreCloseAndTheFitIsExact() {
        // fit: the sample mean and the (n - 1) covariance of known rows
        float[] rows = {1, 2, 3, 4, 5, 9};
        Frechet.Gaussian g = Frechet.fit(rows, 3, 2);
        assertEquals(3, g.mean()[0], 1e-12);
        assertEquals(5, g.mean()[1], 1e-12);
        assertEquals(4, g.cov()[0][0], 1e-12);     // deviations -2, 0, 2
        assertEquals(7, g.cov()[0][1], 1e-12);     // y deviations -3, -1, 4: ((-2)(-3) + 0 + 2 · 4) / 2
        assertEquals(13, g.cov()[1][1], 1e-12);    // (9 + 1 + 16) / 2
        assertEquals(g.cov()[0][1], g.cov()[1][0]);
        // the same distribution twice: distance near 0 (bias ~ d² / n), and far smaller than a shifted copy
        Random r = new Random(5);
        int n = 20000, d = 4;
        float[] x = new float[n * d], y = new float[n * d];
        for (int i = 0; i < n * d; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        double same = Frechet.distance(Frechet.fit(x, n, d), Frechet.fit(y, n, d));
        assertEquals(0, same, 0.01);
        for (int i = 0; i < n * d; i += d) y[i] += 1;
        double shifted = Frechet.distance(Frechet.fit(x, n, d), Frechet.fit(y, n, d));
        assertEquals(1, shifted, 0.05);
    }

    @Test
    void meanPairwiseDistance() {
        float[] p = {0, 0, 3, 4, 0, 8};             // distances 5, 8, 5
        assertEquals(6, Frechet.meanPairwiseDistance(p, 3, 2), 1e-12);
    }

    @Test
    void refusesTooFewRows() {
        assertThrows(InvalidSettingException.class, () -> Frechet.fit(new float[] {1, 2}, 1, 2));
    }
}
