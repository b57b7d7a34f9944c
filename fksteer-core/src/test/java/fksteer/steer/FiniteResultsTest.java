package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.io.Models;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A run gives finite results or stops with one line naming the setting to change (issue 9, found 2),
 * and its weights stay normalised at any magnitude (found 5).
 */
class FiniteResultsTest {
    static final VelocityField CHECKERBOARD = Models.load(Models.CHECKERBOARD);
    static final GaussianMixture GM = Mixtures.twoComponents();
    static final Reward POINT = new Rewards.Point(new double[] {2, 0.5}, "point:2,0.5");
    static final Reward QUADRATIC = new Rewards.Quadratic(new double[] {1, 0.5}, "quadratic:1,0.5");

    static FkSteering fk(Sampler s, int k, int steps) {
        return new FkSteering(k, steps, s, 1, Potential.DIFF, Intermediate.X1HAT, 4, ResampleSchedule.defaults(), Resampler.SYSTEMATIC,
                FkSteering.OutputPolicy.WEIGHTED, 0);
    }

    static InvalidSettingException fails(String setting, Executable run) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, run);
        assertEquals(setting, e.setting(), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().contains("t = "), "says when: " + e.getMessage());
        return e;
    }

    /** The reproduction (sde, stochasticity 1e4, 20 steps, 64 particles) in every method that takes an SDE. */
    @Test
    void hugeStochasticityStopsWithOneLine() {
        Sampler sde = new Sampler(Sampler.Kind.SDE, 1e4);
        InvalidSettingException e = fails("stochasticity", () -> sde.bind(CHECKERBOARD, 64).solve(Noise.initial(64, 2, 1), 64, 0, 1, 20,
                Noise.stepStreams(1, 64)));
        assertTrue(e.problem().startsWith("10000.0 made the sde sampler's state non-finite in the step from t = "), e.problem());
        assertTrue(e.problem().endsWith("lower it or use more steps"), e.problem());
        fails("stochasticity", () -> fk(sde, 64, 20).run(CHECKERBOARD, POINT, 1));
        fails("stochasticity", () -> fk(sde, 64, 20).withGuidance(1).run(CHECKERBOARD, QUADRATIC, 1));
        fails("stochasticity", () -> new BestOfN(64, 20, sde, 1, true, 1).run(CHECKERBOARD, POINT, 1));
        fails("stochasticity", () -> new GuidedSampling(64, 20, sde, 1).run(CHECKERBOARD, QUADRATIC, 1));
        fails("stochasticity", () -> fk(new Sampler(Sampler.Kind.REFERENCE_SDE, 2000), 64, 20).run(CHECKERBOARD, POINT, 1));
        // a stable setting of the same sampler runs and is finite
        SteerResult ok = fk(new Sampler(Sampler.Kind.SDE, 1), 64, 20).run(CHECKERBOARD, POINT, 1);
        for (float v : ok.samples()) assertTrue(Float.isFinite(v));
    }

    /** A network whose weights overflow (a hidden weight of 1e30): every sampler and method names the model. */
    @Test
    void overflowingModelStopsNamingTheModel() {
        Mlp base = Models.checkerboardMlp();
        float[][] w = new float[base.layers()][], b = new float[base.layers()][];
        for (int l = 0; l < base.layers(); l++) {
            w[l] = base.torchWeight(l);
            b[l] = base.torchBias(l);
        }
        java.util.Arrays.fill(w[1], 1e30f);
        VelocityField huge = new MlpFlow(Mlp.fromTorch(base.sizes(), w, b));
        for (Sampler.Kind kind : fksteer.process.FlowProcess.SAMPLERS) {
            Sampler s = new Sampler(kind, kind.stochastic ? 0.1 : 0);
            fails("model", () -> s.bind(huge, 16).solve(Noise.initial(16, 2, 1), 16, 0, 1, 10, Noise.stepStreams(1, 16)));
        }
        Sampler mid = Sampler.ode(Sampler.Kind.MIDPOINT);
        List<SteeringMethod> methods = new ArrayList<>(List.of(
                new BestOfN(16, 10, mid, 1, false, 1),
                new ZerothOrder(16, 2, 10, mid, 1, false, null),
                new SearchOverPaths(16, 2, 0.5, 0.1, 0.25, 0.125, mid, true, Intermediate.X1HAT),
                fk(new Sampler(Sampler.Kind.SDE, 0.1), 16, 10)));
        for (SteeringMethod m : methods) fails("model", () -> m.run(huge, POINT, 1));
    }

    @Test
    void hugeGuidanceStopsNamingGuidance() {
        fails("guidance", () -> new GuidedSampling(64, 20, new Sampler(Sampler.Kind.SDE, 1), 1e38).run(GM, QUADRATIC, 1));
    }

    @Test
    void lambdaTimesRewardOverflowStopsNamingLambda() {
        Reward big = new Rewards.Linear(new double[] {1e300, 0}, "linear:1e300,0");
        for (Potential p : Potential.values()) {
            FkSteering m = new FkSteering(64, 10, new Sampler(Sampler.Kind.SDE, 0.1), 1e10, p, Intermediate.X1HAT, 4, ResampleSchedule.defaults(),
                    Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> m.run(GM, big, 1));
            assertEquals("lambda", e.setting());
            assertTrue(e.problem().startsWith("1.0E10 times the reward"), e.problem());
        }
        InvalidSettingException b = assertThrows(InvalidSettingException.class,
                () -> new BestOfN(64, 10, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, 1e10).run(GM, big, 1));
        assertEquals("lambda", b.setting());
    }

    /** A reward that returns NaN never puts a NaN into a result: counted as -inf with a warning, in every method. */
    @Test
    void nanRewardsNeverReachAResult() {
        Reward half = new Reward() {
            public int dim() {
                return 2;
            }

            public void evaluate(float[] x, int n, double[] out) {
                for (int i = 0; i < n; i++) out[i] = x[2 * i] > 0 ? Double.NaN : x[2 * i];
            }

            public String spec() {
                return "half-nan";
            }
        };
        Sampler mid = Sampler.ode(Sampler.Kind.MIDPOINT);
        for (SteeringMethod m : List.of(new BestOfN(64, 10, mid, 1, true, 1), new ZerothOrder(64, 2, 10, mid, 1, false, null),
                new SearchOverPaths(64, 2, 0.5, 0.1, 0.25, 0.125, mid, false, Intermediate.XT), fk(new Sampler(Sampler.Kind.SDE, 0.5), 64, 10))) {
            SteerResult r = m.run(GM, half, 2);
            for (int i = 0; i < r.n(); i++) {
                assertFalse(Double.isNaN(r.rewards()[i]), m.name());
                assertFalse(Double.isNaN(r.logWeights()[i]), m.name());
            }
            assertTrue(r.warnings().stream().anyMatch(w -> w.contains("NaN")), m.name() + ": " + r.warnings());
        }
    }

    /**
     * Found 5's reproduction: rewards around -1e40 (quadratic:1e20,1e20) in FK and weighted best-of-n.
     * The output weights sum to 1, and the result's summaries stay within what the weights allow.
     */
    @Test
    void logWeightsStayNormalisedAtHugeMagnitudes() {
        Reward far = new Rewards.Quadratic(new double[] {1e20, 1e20}, "quadratic:1e20,1e20");
        List<SteerResult> runs = List.of(fk(new Sampler(Sampler.Kind.SDE, 0.5), 256, 20).run(GM, far, 3),
                new BestOfN(256, 20, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, 1).run(GM, far, 3));
        for (SteerResult r : runs) {
            double sum = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY, mean = 0;
            for (int i = 0; i < r.n(); i++) {
                double w = Math.exp(r.logWeights()[i]);
                sum += w;
                if (w > 0) {
                    lo = Math.min(lo, r.rewards()[i]);
                    hi = Math.max(hi, r.rewards()[i]);
                }
                assertTrue(r.rewards()[i] < -1e40, "reward " + r.rewards()[i]);
            }
            assertEquals(1.0, sum, 1e-12, r.method());
            double m = r.weightedMeanReward();
            assertTrue(m >= lo * (1 + 1e-12) && m <= hi * (1 - 1e-12), m + " not in [" + lo + ", " + hi + "]");
            assertTrue(r.ess() >= 1 - 1e-9 && r.ess() <= r.n() + 1e-9, "ESS " + r.ess());
            assertTrue(Double.isFinite(r.weightedMean(0)));
        }
    }
}
