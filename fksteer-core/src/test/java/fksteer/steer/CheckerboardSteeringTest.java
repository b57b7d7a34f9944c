package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.data.Checkerboard;
import fksteer.io.Models;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Steering the shipped checkerboard model. */
class CheckerboardSteeringTest {
    static VelocityField model;

    @BeforeAll
    static void load() {
        model = new MlpFlow(Models.checkerboardMlp());
    }

    static double plainMeanReward(Reward r, int n, int steps, long seed) {
        float[] x = Noise.initial(n, 2, seed);
        Sampler.ode(Sampler.Kind.MIDPOINT).bind(model, n).solve(x, n, 0, 1, steps, null);
        double[] out = new double[n];
        r.evaluate(x, n, out);
        double s = 0;
        for (double v : out) s += v;
        return s / n;
    }

    /** Each method's output beats plain sampling on reward at the same seed; each reports its on-support share. */
    @Test
    void everyMethodBeatsPlainSampling() {
        Reward r = Rewards.parse("point:2,0.5");
        long seed = 1;
        double plain = plainMeanReward(r, 1024, 100, seed);
        SteerResult bon = BestOfN.topK(new BestOfN(1024, 100, Sampler.ode(Sampler.Kind.MIDPOINT), 1, false, 10).run(model, r, seed));
        SteerResult zo = new ZerothOrder(512, 5, 50, Sampler.ode(Sampler.Kind.MIDPOINT), 1.0, false, null).run(model, r, seed);
        SteerResult sop = new SearchOverPaths(256, 8, 0.8, 0.1, 0.14, 0.01, Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.XT).run(model, r, seed);
        SteerResult fk = FkSteering.defaults(1024, 100).run(model, r, seed);
        for (SteerResult s : new SteerResult[] {bon, zo, sop, fk}) {
            double m = s.weightedMeanReward();
            double on = Checkerboard.onSupportFraction(s.samples(), s.n(), s.logWeights());
            assertTrue(m > plain, s.method() + " mean reward " + m + " vs plain " + plain);
            assertTrue(on >= 0 && on <= 1, s.method() + " on-support " + on);
        }
    }

    /**
     * FK's weighted samples against importance sampling (best-of-n --weighted: independent ODE samples
     * weighted by exp(lambda r)) at the same NFE, on the exact tilt p(x) exp(lambda r(x)) / Z of the
     * ideal checkerboard with r = -|x - (2, 0.5)|^2, lambda = 2. Ground truth by quadrature on a
     * 1200 x 1200 midpoint grid (its error is far below the Monte Carlo errors compared).
     *
     * <p>Design: k = 128 samples, 100 steps (25,600 network evaluations each), 200 paired seeds. For
     * each seed the two methods' errors are differenced; the test is on the mean difference in units of
     * its standard error (paired z).
     *
     * <p>What the 200-seed experiment showed (FK: sde, lambda 2, diff, x̂1, reference schedule):
     * <pre>
     *   k     sde k   mean error fk / IS   z     mass error fk / IS   z
     *   128   0.1     0.162 / 0.166        0.5   0.160 / 0.168        0.9
     *   128   1.0     0.151 / 0.166        1.4   0.147 / 0.168        2.8
     *   256   1.0     0.113 / 0.115        0.2   0.126 / 0.137        2.1
     *   1024  1.0     0.057 / 0.051       -1.8   0.090 / 0.092        0.8
     * </pre>
     * So on this mild, smooth tilt FK beats importance sampling on the mass per square and merely ties
     * it on the mean; at k = 1024 both are dominated by the learned model's own bias against the ideal
     * board. The test asserts exactly that: FK better on mass per square (paired z > 2) and not worse on
     * the mean (paired z > -2).
     */
    @Test
    void fkMatchesTheCheckerboardTiltAtLeastAsWellAsImportanceSampling() {
        double[] c = {2, 0.5};
        double lambda = 2;
        Reward r = new Rewards.Quadratic(c, "quadratic:2,0.5");
        Truth truth = Truth.of(c, lambda);
        int k = 128, steps = 100, seeds = 200;
        double[] meanDiff = new double[seeds], massDiff = new double[seeds];
        for (int s = 0; s < seeds; s++) {
            FkSteering fkm = new FkSteering(k, steps, new Sampler(Sampler.Kind.SDE, 1.0), lambda, Potential.DIFF, Intermediate.X1HAT, 4,
                    ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
            BestOfN is = new BestOfN(k, steps, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, lambda);
            SteerResult a = fkm.run(model, r, 1000 + s), b = is.run(model, r, 1000 + s);
            assertTrue(a.nfe() == b.nfe(), "equal compute: " + a.nfe() + " vs " + b.nfe());
            meanDiff[s] = truth.meanError(b) - truth.meanError(a);
            massDiff[s] = truth.massError(b) - truth.massError(a);
        }
        double zMass = fksteer.Stats.mean(massDiff) / fksteer.Stats.se(massDiff);
        double zMean = fksteer.Stats.mean(meanDiff) / fksteer.Stats.se(meanDiff);
        assertTrue(zMass > 2, "FK should beat IS on mass per square: paired z = " + zMass);
        assertTrue(zMean > -2, "FK should not be worse than IS on the mean: paired z = " + zMean);
    }

    /** The exact tilt of the ideal checkerboard, by quadrature. */
    record Truth(double[] mean, double[] mass) {
        static Truth of(double[] c, double lambda) {
            int g = 1200;
            double h = 6.0 / g, z = 0, mx = 0, my = 0;
            double[] mass = new double[16];
            for (int i = 0; i < g; i++)
                for (int j = 0; j < g; j++) {
                    double x = -3 + (i + 0.5) * h, y = -3 + (j + 0.5) * h;
                    if (!Checkerboard.onSupport(x, y)) continue;
                    double w = Math.exp(-lambda * ((x - c[0]) * (x - c[0]) + (y - c[1]) * (y - c[1])));
                    z += w;
                    mx += w * x;
                    my += w * y;
                    mass[square(x, y)] += w;
                }
            for (int q = 0; q < 16; q++) mass[q] /= z;
            return new Truth(new double[] {mx / z, my / z}, mass);
        }

        static int square(double x, double y) {
            int a = (int) Math.floor((x + 3) / 1.5), b = (int) Math.floor((y + 3) / 1.5);
            if (a < 0 || a > 3 || b < 0 || b > 3) return -1;
            return a * 4 + b;
        }

        double meanError(SteerResult r) {
            return Math.hypot(r.weightedMean(0) - mean[0], r.weightedMean(1) - mean[1]);
        }

        /** Total-variation distance between the weighted mass per square and the truth (outside mass counts too). */
        double massError(SteerResult r) {
            double[] m = new double[16];
            double outside = 0;
            for (int i = 0; i < r.n(); i++) {
                double w = Math.exp(r.logWeights()[i]);
                int q = square(r.samples()[2 * i], r.samples()[2 * i + 1]);
                if (q < 0) outside += w;
                else m[q] += w;
            }
            double tv = outside;
            for (int q = 0; q < 16; q++) tv += Math.abs(m[q] - mass[q]);
            return tv / 2;
        }
    }
}
