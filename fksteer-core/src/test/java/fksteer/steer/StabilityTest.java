package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.solver.Sampler;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

class StabilityTest {
    static final GaussianMixture GM = Mixtures.twoComponents();

    static Reward of(DoubleUnaryOperator f) {
        return new Reward() {
            public int dim() {
                return 2;
            }

            public void evaluate(float[] x, int n, double[] out) {
                for (int i = 0; i < n; i++) out[i] = f.applyAsDouble(x[2 * i]);
            }

            public String spec() {
                return "test";
            }
        };
    }

    static SteerResult run(Reward r, double lambda, Potential p) {
        return new FkSteering(256, 50, new Sampler(Sampler.Kind.SDE, 0.3), lambda, p, Intermediate.X1HAT, 4,
                new ResampleSchedule(0.2, 0.9, 6, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0).run(GM, r, 3);
    }

    static void assertProperWeights(SteerResult r) {
        double s = 0;
        for (double lw : r.logWeights()) {
            assertFalse(Double.isNaN(lw), "NaN log-weight");
            s += Math.exp(lw);
        }
        assertEquals(1.0, s, 1e-9);
        for (double e : (double[]) r.diagnostics().get("ess")) assertFalse(Double.isNaN(e));
    }

    @Test
    void hugeLambdaTimesRewardGivesNoNaN() {
        for (Potential p : Potential.values()) {
            SteerResult r = run(of(x -> 1e5 * x), 10, p); // lambda r up to ~1e6
            assertProperWeights(r);
            assertFalse(Double.isNaN((double) r.diagnostics().get("logZ")));
        }
    }

    @Test
    void infiniteRewardsGiveNoNaN() {
        for (Potential p : Potential.values()) {
            SteerResult r = run(of(x -> x > 1.5 ? Double.POSITIVE_INFINITY : x < -1 ? Double.NEGATIVE_INFINITY : x), 2, p);
            assertProperWeights(r);
            // all the mass sits on +inf-reward particles when any exists
            for (int i = 0; i < r.n(); i++)
                if (Math.exp(r.logWeights()[i]) > 0) assertEquals(Double.POSITIVE_INFINITY, r.rewards()[i], p.toString());
        }
    }

    @Test
    void nanRewardCountsAsMinusInfinityAndWarns() {
        SteerResult r = run(of(x -> x > 0.5 ? Double.NaN : x), 1, Potential.DIFF);
        assertProperWeights(r);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("NaN")), r.warnings().toString());
        for (int i = 0; i < r.n(); i++)
            if (r.samples()[2 * i] > 0.5) assertEquals(Double.NEGATIVE_INFINITY, r.logWeights()[i]);
    }

    @Test
    void allInvalidRewardsGiveAClearError() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> run(of(x -> Double.NaN), 1, Potential.DIFF));
        assertEquals("reward", e.setting(), e.getMessage());
        InvalidSettingException b = assertThrows(InvalidSettingException.class,
                () -> new BestOfN(64, 10, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, 1).run(GM, of(x -> Double.NEGATIVE_INFINITY), 1));
        assertEquals("reward", b.setting(), b.getMessage());
    }

    @Test
    void deterministicSamplerWarns() {
        SteerResult r = new FkSteering(64, 20, new Sampler(Sampler.Kind.SDE, 0), 1, Potential.DIFF, Intermediate.XT, 4,
                ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0).run(GM, of(x -> x), 1);
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("identical")));
    }

    @Test
    void sameSeedSameOutputWhateverTheThreadCount() {
        try {
            fksteer.kernel.Parallel.setThreads(1);
            SteerResult a = run(of(x -> -x * x), 3, Potential.MAX);
            fksteer.kernel.Parallel.setThreads(2);
            SteerResult b = run(of(x -> -x * x), 3, Potential.MAX);
            org.junit.jupiter.api.Assertions.assertArrayEquals(a.samples(), b.samples());
            org.junit.jupiter.api.Assertions.assertArrayEquals(a.logWeights(), b.logWeights());
        } finally {
            fksteer.kernel.Parallel.setThreads(Runtime.getRuntime().availableProcessors());
        }
    }
}
