package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * FK steering on an analytic Gaussian mixture with a linear reward r(x) = a.x: the target
 * p(x) exp(lambda a.x) / Z is again a Gaussian mixture with known mean and log Z.
 *
 * <p>Statistics: each setting runs R independent replicates (seeds 0..R-1) of k particles; the
 * standard error of the averaged estimate is the replicates' standard deviation / sqrt(R). The 3-SE
 * criterion is the issue's. Over the 8 settings x 2 coordinates the family-wise false-alarm rate is
 * about 8% (t with R-1 = 31 degrees of freedom); a failure is investigated, never reseeded.
 *
 * <p>Two regimes. The diff potential telescopes: its intermediate target is p exp(lambda r_s), a good
 * twist, so it is tested with a strong tilt and every resampling scheme. The max, sum and rt potentials
 * are the paper's absolute potentials: after n scored steps their intermediate target is tilted by
 * up to n (rt, max) or n(n+1)/2 (sum) times lambda r, which the final correction must undo, so their
 * final weights are heavy-tailed (see {@link #absolutePotentialsPayInFinalEss}). They are consistent,
 * and tested for exactness with a milder tilt whose over-tilted intermediate targets keep the weights'
 * variance finite in practice. Every setting resamples at every scheduled step (ESS threshold 1) so
 * that the potentials matter: without resampling, all potentials reduce to importance sampling.
 */
class FkExactnessTest {
    static final GaussianMixture GM = Mixtures.twoComponents();
    static final double[] A = {1.0, 0.5};
    static final double LAMBDA = 1.0;
    static final GaussianMixture.Tilted TILT = GM.tiltLinear(A, LAMBDA);
    static final int R = 32, STEPS = 200;

    static final double[] MILD = {0.15, 0.075};

    static FkSteering fk(int k, Potential p, Resampler res) {
        return new FkSteering(k, STEPS, new Sampler(Sampler.Kind.SDE, 0.5), LAMBDA, p, Intermediate.X1HAT, 4,
                new ResampleSchedule(0.6, 0.95, 5, 0, 1.0), res, FkSteering.OutputPolicy.WEIGHTED, 0);
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of(Potential.DIFF, Resampler.SYSTEMATIC, A),
                Arguments.of(Potential.DIFF, Resampler.MULTINOMIAL, A),
                Arguments.of(Potential.DIFF, Resampler.STRATIFIED, A),
                Arguments.of(Potential.DIFF, Resampler.RESIDUAL, A),
                Arguments.of(Potential.DIFF, Resampler.SYSTEMATIC, MILD),
                Arguments.of(Potential.MAX, Resampler.SYSTEMATIC, MILD),
                Arguments.of(Potential.SUM, Resampler.SYSTEMATIC, MILD),
                Arguments.of(Potential.RT, Resampler.SYSTEMATIC, MILD));
    }

    @ParameterizedTest
    @MethodSource("settings")
    void weightedMeanMatchesTheExactTilt(Potential p, Resampler res, double[] a) {
        GaussianMixture.Tilted tilt = GM.tiltLinear(a, LAMBDA);
        int k = 1024;
        double[][] est = new double[2][R];
        double[] z = new double[R];
        int resampledRuns = 0;
        for (int s = 0; s < R; s++) {
            SteerResult r = fk(k, p, res).run(GM, new Rewards.Linear(a, "linear"), s);
            est[0][s] = r.weightedMean(0);
            est[1][s] = r.weightedMean(1);
            z[s] = Math.exp((double) r.diagnostics().get("logZ"));
            if (!((java.util.List<?>) r.diagnostics().get("resampleSteps")).isEmpty()) resampledRuns++;
        }
        assertTrue(resampledRuns == R, "the setting must actually resample (" + resampledRuns + "/" + R + ")");
        double[] exact = tilt.mixture().mean();
        for (int c = 0; c < 2; c++) {
            double se = Stats.se(est[c]);
            assertEquals(exact[c], Stats.mean(est[c]), 3 * se, p + "/" + res + " coordinate " + c + " (se " + se + ")");
        }
        // the test has power: the tilt moves the mean by many standard errors
        assertTrue(Math.abs(exact[0] - GM.mean()[0]) > 2.5 * Stats.se(est[0]), "tilt too weak to detect");
        // Z-hat is unbiased for Z: its replicate mean lies within 3 SE of exp(log Z)
        double zExact = Math.exp(tilt.logZ());
        assertEquals(zExact, Stats.mean(z), 3 * Stats.se(z), p + "/" + res + " Z");
        // and, as a stated tolerance on log Z itself: within 0.05 nats
        assertEquals(tilt.logZ(), Math.log(Stats.mean(z)), 0.05);
    }

    /** The documented price of the absolute potentials: at a strong tilt their final ESS is far below diff's. */
    @Test
    void absolutePotentialsPayInFinalEss() {
        double diff = 0, sum = 0;
        for (int s = 0; s < 8; s++) {
            diff += (double) fk(1024, Potential.DIFF, Resampler.SYSTEMATIC).run(GM, new Rewards.Linear(A, "l"), s).diagnostics().get("finalEss");
            sum += (double) fk(1024, Potential.SUM, Resampler.SYSTEMATIC).run(GM, new Rewards.Linear(A, "l"), s).diagnostics().get("finalEss");
        }
        assertTrue(sum < 0.2 * diff, "sum " + sum / 8 + " vs diff " + diff / 8);
    }

    /**
     * Monte Carlo error falls as 1/sqrt(k): x16 particles gives about /4 RMSE. Each RMSE from R = 32
     * replicates has a relative standard error of about 1/sqrt(2R) = 12.5%, so the ratio's is about
     * 18%; 3 of those around 4 give [2.5, 6.5].
     */
    @Test
    void errorShrinksLikeOneOverSqrtK() {
        double small = rmse(64), large = rmse(1024);
        double ratio = small / large;
        assertTrue(ratio > 2.5 && ratio < 6.5, "RMSE k=64 " + small + ", k=1024 " + large + ", ratio " + ratio);
    }

    static double rmse(int k) {
        double[] exact = TILT.mixture().mean();
        double s = 0;
        for (int seed = 1000; seed < 1000 + R; seed++) {
            SteerResult r = fk(k, Potential.DIFF, Resampler.SYSTEMATIC).run(GM, new Rewards.Linear(A, "linear"), seed);
            for (int c = 0; c < 2; c++) s += Math.pow(r.weightedMean(c) - exact[c], 2);
        }
        return Math.sqrt(s / R);
    }

    /** The same estimate with a quadratic reward (a second closed-form tilt), always-resample schedule. */
    @Test
    void quadraticTiltMean() {
        double[] c = {0.5, 0.5};
        GaussianMixture.Tilted t = GM.tiltQuadratic(c, 1.0);
        double[][] est = new double[2][R];
        for (int s = 0; s < R; s++) {
            FkSteering f = new FkSteering(1024, STEPS, new Sampler(Sampler.Kind.SDE, 0.5), 1.0, Potential.DIFF, Intermediate.X1HAT, 4,
                    new ResampleSchedule(0.2, 0.9, 6, 0, 1.0), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
            SteerResult r = f.run(GM, new Rewards.Quadratic(c, "quadratic"), 500 + s);
            est[0][s] = r.weightedMean(0);
            est[1][s] = r.weightedMean(1);
        }
        for (int k = 0; k < 2; k++) assertEquals(t.mixture().mean()[k], Stats.mean(est[k]), 3 * Stats.se(est[k]), "coordinate " + k);
    }
}
