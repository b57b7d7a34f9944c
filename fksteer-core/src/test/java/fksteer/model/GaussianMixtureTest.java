package fksteer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.Stats;
import org.junit.jupiter.api.Test;

class GaussianMixtureTest {

    @Test
    void velocityAtTimeZeroIsMeanMinusX() {
        // at t = 0, x_t = x0 is independent of x1, so v = E[x1] - x0
        GaussianMixture gm = Mixtures.threeD();
        float[] x = {0.3f, -1f, 2f, -0.5f, 0.1f, 0f};
        float[] v = new float[6];
        gm.velocity(x, 2, 0f, v);
        double[] mu = gm.mean();
        for (int i = 0; i < 6; i++) assertEquals(mu[i % 3] - x[i], v[i], 1e-6);
    }

    @Test
    void velocityAtTimeOneIsPosteriorMeanOfX1MinusX0() {
        // at t = 1 with one component: x_t = x1, E[x0 | x1] = 0, so v = x
        GaussianMixture one = new GaussianMixture(new double[] {1}, new double[][] {{2, -1}}, new double[] {0.5});
        float[] x = {1f, 1f};
        float[] v = new float[2];
        one.velocity(x, 1, 1f, v);
        assertEquals(1f, v[0], 1e-6);
        assertEquals(1f, v[1], 1e-6);
    }

    @Test
    void exactSamplesHaveTheMixtureMoments() {
        GaussianMixture gm = Mixtures.threeD();
        int n = 40000;
        float[] x = gm.sample(n, 1);
        double[] m = Stats.mean(x, n, 3), mu = gm.mean();
        double[][] c = gm.covariance();
        for (int k = 0; k < 3; k++) assertEquals(mu[k], m[k], 4 * Math.sqrt(c[k][k] / n));
    }

    @Test
    void linearTiltMatchesNumericalIntegration() {
        // 1-D check of the closed form against a Riemann sum
        GaussianMixture gm = new GaussianMixture(new double[] {0.3, 0.7}, new double[][] {{-1}, {2}}, new double[] {0.5, 1.0});
        GaussianMixture.Tilted t = gm.tiltLinear(new double[] {0.8}, 1.5);
        double z = 0, m1 = 0, h = 1e-3;
        for (double x = -15; x < 20; x += h) {
            double p = Math.exp(gm.logDensity(new double[] {x}) + 1.5 * 0.8 * x);
            z += p * h;
            m1 += x * p * h;
        }
        assertEquals(Math.log(z), t.logZ(), 1e-6);
        assertEquals(m1 / z, t.mixture().mean()[0], 1e-6);
    }

    @Test
    void quadraticTiltMatchesNumericalIntegration() {
        GaussianMixture gm = new GaussianMixture(new double[] {0.3, 0.7}, new double[][] {{-1}, {2}}, new double[] {0.5, 1.0});
        GaussianMixture.Tilted t = gm.tiltQuadratic(new double[] {0.5}, 2.0);
        double z = 0, m1 = 0, h = 1e-4;
        for (double x = -15; x < 20; x += h) {
            double p = Math.exp(gm.logDensity(new double[] {x}) - 2.0 * (x - 0.5) * (x - 0.5));
            z += p * h;
            m1 += x * p * h;
        }
        assertEquals(Math.log(z), t.logZ(), 1e-6);
        assertEquals(m1 / z, t.mixture().mean()[0], 1e-6);
    }

    /** The path helper's score (t v - x) / (1 - t) from the exact velocity equals grad log p_t (finite differences). */
    @Test
    void scoreFromVelocityIsTheGradientOfLogPt() {
        GaussianMixture gm = Mixtures.twoComponents();
        for (float t : new float[] {0.1f, 0.5f, 0.9f}) {
            // p_t is the mixture of N(t mu_j, ((1-t)^2 + t^2 s_j^2) I)
            double[][] mt = new double[2][];
            double[] st = new double[2];
            for (int j = 0; j < 2; j++) {
                mt[j] = new double[] {t * gm.means()[j][0], t * gm.means()[j][1]};
                st[j] = Math.sqrt((1 - t) * (1 - t) + t * t * gm.stds()[j] * gm.stds()[j]);
            }
            GaussianMixture pt = new GaussianMixture(gm.weights(), mt, st);
            float[] x = {0.4f, -0.3f};
            float[] v = new float[2], s = new float[2];
            gm.velocity(x, 1, t, v);
            FlowPath.score(x, v, t, s, 2);
            for (int k = 0; k < 2; k++) {
                double h = 1e-4;
                double[] xp = {x[0], x[1]}, xm = {x[0], x[1]};
                xp[k] += h;
                xm[k] -= h;
                double fd = (pt.logDensity(xp) - pt.logDensity(xm)) / (2 * h);
                assertEquals(fd, s[k], 1e-4 * (1 + Math.abs(fd)), "t " + t + " coord " + k);
            }
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(new double[] {1}, new double[][] {{0}}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(new double[] {-1}, new double[][] {{0}}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(new double[] {1, 1}, new double[][] {{0}, {0, 1}}, new double[] {1, 1}));
    }

    @org.junit.jupiter.api.Test
    void weightsThatDoNotSumToOneAreRejectedNotNormalised() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new GaussianMixture(new double[] {1, 3}, new double[][] {{0}, {1}}, new double[] {1, 1}));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("must sum to 1"), e.getMessage());
        GaussianMixture ok = new GaussianMixture(new double[] {0.25, 0.75}, new double[][] {{0}, {1}}, new double[] {1, 1});
        org.junit.jupiter.api.Assertions.assertEquals(0.75, ok.weights()[1], 1e-15);
    }
}
