package fksteer.solver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.model.CountingField;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.steer.Noise;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SolverTest {
    static final GaussianMixture GM = Mixtures.twoComponents();

    static float[] solve(Sampler s, int steps, int n, long seed) {
        float[] x = Noise.initial(n, 2, seed);
        s.bind(GM, n).solve(x, n, 0, 1, steps, Noise.stepStreams(seed, n));
        return x;
    }

    static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
        return s / a.length;
    }

    /** Endpoint error against a 2048-step RK4 solution; it must fall by about 2^order per doubling. */
    @ParameterizedTest
    @CsvSource({"euler,1,16", "midpoint,2,8", "heun,2,8", "rk4,4,4"})
    void endpointErrorShrinksAtTheSolversOrder(String name, int order, int s0) {
        int n = 256;
        float[] ref = solve(Sampler.ode(Sampler.Kind.RK4), 2048, n, 3);
        double e1 = meanAbsDiff(solve(Sampler.ode(Sampler.Kind.parse(name)), s0, n, 3), ref);
        double e2 = meanAbsDiff(solve(Sampler.ode(Sampler.Kind.parse(name)), 2 * s0, n, 3), ref);
        double e3 = meanAbsDiff(solve(Sampler.ode(Sampler.Kind.parse(name)), 4 * s0, n, 3), ref);
        double observed = Math.log(e1 / e3) / Math.log(4); // slope over two doublings
        assertEquals(order, observed, 0.35, name + " errors " + e1 + ", " + e2 + ", " + e3);
        assertTrue(e2 < e1 && e3 < e2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"midpoint", "rk4"})
    void odeSamplesMatchMixtureMoments(String name) {
        int n = 30000;
        float[] x = solve(Sampler.ode(Sampler.Kind.parse(name)), 100, n, 5);
        assertMoments(x, n, 3.5);
    }

    /**
     * The marginal-keeping SDE ends at the data distribution for every k. Tolerance: 3.5 standard errors
     * per statistic (5 statistics x 3 values of k; 3.5 keeps the family-wise false alarm under 1%).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 1.0})
    void sdeKeepsTheMarginals(double k) {
        int n = 30000;
        float[] x = solve(new Sampler(Sampler.Kind.SDE, k), 400, n, 7);
        assertMoments(x, n, 3.5);
    }

    /** The reference SDE (k = 0.5) does not keep the marginals: its covariance is far outside sampling error. */
    @ParameterizedTest
    @ValueSource(doubles = {0.5})
    void referenceSdeDistortsTheCovariance(double k) {
        int n = 30000;
        float[] x = solve(new Sampler(Sampler.Kind.REFERENCE_SDE, k), 400, n, 7);
        double[][] c = Stats.cov(x, n, 2), exact = GM.covariance();
        double worst = 0;
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++) worst = Math.max(worst, Math.abs(c[a][b] - exact[a][b]) / Stats.covEntrySe(x, n, 2, a, b));
        assertTrue(worst > 10, "reference-sde covariance should be off by > 10 standard errors, worst z = " + worst);
    }

    @ParameterizedTest
    @CsvSource({"euler,1", "midpoint,2", "heun,2", "rk4,4", "sde,2", "reference-sde,2", "simple-stochastic,2"})
    void nfeIsCountedExactly(String name, int perStep) {
        CountingField f = new CountingField(GM);
        int n = 37, steps = 13;
        float[] x = Noise.initial(n, 2, 1);
        Sampler.parse(name, 0.3).bind(f, n).solve(x, n, 0, 1, steps, Noise.stepStreams(1, n));
        assertEquals((long) n * steps * perStep, f.nfe());
    }

    static void assertMoments(float[] x, int n, double z) {
        double[] m = Stats.mean(x, n, 2), mu = GM.mean();
        double[][] c = Stats.cov(x, n, 2), exact = GM.covariance();
        for (int k = 0; k < 2; k++) {
            double se = Math.sqrt(c[k][k] / n);
            assertEquals(mu[k], m[k], z * se, "mean " + k);
        }
        for (int a = 0; a < 2; a++)
            for (int b = a; b < 2; b++)
                assertEquals(exact[a][b], c[a][b], z * Stats.covEntrySe(x, n, 2, a, b), "cov " + a + "," + b);
    }
}
