package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.resample.ResampleSchedule;
import fksteer.reward.Reward;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.SearchOverPaths;
import fksteer.steer.SteerResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one steering core on token sequences: FK, best-of-N and search over paths run a
 * {@link MaskedProcess} through the loops they run flows and VP diffusion with.
 *
 * <p>Ground truth: a product distribution over {0, 1, 2}^3 ({@link TokenTable}), which MDLM's sampler
 * draws exactly at any step count (MaskedProcessTest), and a non-separable reward, so the tilted target
 * p(x) exp(λ r(x)) / Z and its Z are sums over the 27 sequences. Statistics as FkExactnessTest: R
 * replicates of k particles, the replicates' standard error, 3 SE (fixed before any run).
 */
class MaskedSteeringTest {
    static final int L = 3, V = 3, R = 48, K = 256, STEPS = 12;
    static final TokenTable TABLE = TokenTable.product(new double[][] {{0.5, 0.3, 0.2}, {0.6, 0.3, 0.1}, {0.2, 0.2, 0.6}});
    static final double LAMBDA = 1.5;

    /** r(x): 1 per token equal to 2, plus 1 when the first and last tokens agree; masked positions count nothing. */
    static double r(int[] t, int off) {
        double v = 0;
        for (int l = 0; l < L; l++) if (t[off + l] == 2) v += 1;
        if (t[off] != V && t[off] == t[off + 2]) v += 1;
        return v;
    }

    static final Reward REWARD = new Reward() {
        public int dim() {
            return L;
        }

        public void evaluate(float[] x, int n, double[] out) {
            throw new AssertionError("a token reward is never called on points");
        }

        @Override
        public void evaluateTokens(int[] tokens, int n, double[] out) {
            for (int i = 0; i < n; i++) out[i] = r(tokens, i * L);
        }
    };

    static MaskedProcess process() {
        return ProcessSpec.Masked.logLinear().bindTokens(TABLE);
    }

    /** E_π[r] and log Z of the tilt, by enumeration. */
    static double[] exact() {
        double z = 0, m = 0;
        for (int c = 0; c < TABLE.size(); c++) {
            int[] s = TokenTable.decode(c, L, V);
            double w = TABLE.p()[c] * Math.exp(LAMBDA * r(s, 0));
            z += w;
            m += w * r(s, 0);
        }
        return new double[] {m / z, Math.log(z)};
    }

    static double weightedMeanReward(SteerResult res) {
        return res.weightedMeanReward();
    }

    static void fkIsExact(FkSteering fk, String what) {
        double[] ex = exact();
        double[] mean = new double[R], z = new double[R];
        int resampled = 0;
        for (int s = 0; s < R; s++) {
            SteerResult res = fk.run(process(), REWARD, s);
            assertTrue(res.discrete(), "a token result");
            mean[s] = weightedMeanReward(res);
            z[s] = Math.exp((double) res.diagnostics().get("logZ"));
            if (!((List<?>) res.diagnostics().get("resampleSteps")).isEmpty()) resampled++;
        }
        assertTrue(resampled == R, what + ": every run resamples (" + resampled + "/" + R + ")");
        double base = 0;
        for (int c = 0; c < TABLE.size(); c++) base += TABLE.p()[c] * r(TokenTable.decode(c, L, V), 0);
        assertTrue(Math.abs(ex[0] - base) > 10 * Stats.se(mean), what + ": the tilt must be detectable (" + base + " -> " + ex[0] + ")");
        assertEquals(ex[0], Stats.mean(mean), 3 * Stats.se(mean), what + ": weighted mean reward (se " + Stats.se(mean) + ")");
        assertEquals(Math.exp(ex[1]), Stats.mean(z), 3 * Stats.se(z), what + ": Z-hat is unbiased for Z");
    }

    static FkSteering fk() {
        return FkSteering.defaults(K, STEPS).withSampler(MaskedProcess.ANCESTRAL).withLambda(LAMBDA)
                .withSchedule(new ResampleSchedule(0.2, 0.9, 4, 0, 1.0));
    }

    @Test
    void fkOnTheArgmaxPredictionReachesTheExactTilt() {
        fkIsExact(fk().withIntermediate(Intermediate.X1HAT), "x1hat (argmax)");
    }

    @Test
    void fkOnSampledPredictionsReachesTheExactTiltAtNoExtraNfe() {
        FkSteering f = fk().withIntermediate(Intermediate.MANY, 1, 4);
        fkIsExact(f, "many:4");
        SteerResult res = f.run(process(), REWARD, 99);
        assertTrue(res.nfe() <= f.plannedNfe(process()), "NFE " + res.nfe() + " within the plan " + f.plannedNfe(process()));
        assertEquals((long) K * STEPS, f.plannedNfe(process()), "many:K draws cost no network evaluation on a masked process");
        // rewards: k per scoring x K samples, and the final k
        assertEquals((long) K * 4 * 4 + K, res.rewardCalls());
    }

    @Test
    void fkOnTheMaskedStateReachesTheExactTilt() {
        fkIsExact(fk().withIntermediate(Intermediate.XT), "xt");
    }

    /** Weighted best-of-N is importance sampling with the base as proposal: the same target. */
    @Test
    void weightedBestOfNReachesTheExactTilt() {
        double[] ex = exact();
        double[] mean = new double[R];
        for (int s = 0; s < R; s++) mean[s] = new BestOfN(K, STEPS, MaskedProcess.ANCESTRAL, 1, true, LAMBDA).run(process(), REWARD, s)
                .weightedMeanReward();
        assertEquals(ex[0], Stats.mean(mean), 3 * Stats.se(mean));
    }

    /** Search over paths by re-masking: every kept path improves on plain sampling's best, and the result is token sequences. */
    @Test
    void searchOverPathsRemasksAndKeepsTheBest() {
        SearchOverPaths sop = SearchOverPaths.defaults(4, STEPS).withSolver(MaskedProcess.ANCESTRAL).withPathKernel(true).withExpansions(8)
                .withScoreOn(Intermediate.X1HAT);
        double sum = 0, plain = 0;
        for (int s = 0; s < 40; s++) {
            SteerResult res = sop.run(process(), REWARD, s);
            assertTrue(res.discrete());
            for (int v : res.tokens()) assertTrue(v >= 0 && v < V, "a final token is a real token, never the mask: " + v);
            sum += res.weightedMeanReward();
            plain += new BestOfN(4, STEPS, MaskedProcess.ANCESTRAL, 1, false, 0).run(process(), REWARD, s).weightedMeanReward();
        }
        assertTrue(sum > plain, "search over paths " + sum / 40 + " vs plain sampling " + plain / 40);
    }

    /** The same seed gives the same tokens and weights, warm or cold, whatever else ran before. */
    @Test
    void sameSeedSameResult() {
        FkSteering f = fk().withIntermediate(Intermediate.MANY, 1, 4);
        SteerResult a = f.run(process(), REWARD, 7);
        for (int s = 0; s < 5; s++) f.run(process(), REWARD, 100 + s);
        SteerResult b = f.run(process(), REWARD, 7);
        assertArrayEquals(a.tokens(), b.tokens());
        assertArrayEquals(a.logWeights(), b.logWeights());
        assertEquals(a.nfe(), b.nfe());
        assertTrue(Arrays.stream(a.tokens()).allMatch(v -> v < V));
    }
}
