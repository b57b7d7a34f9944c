package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.model.Mixtures;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import org.junit.jupiter.api.Test;

/** The default lambda, and the warning when FK's particles collapse onto one lineage. */
class FkCollapseWarningTest {
    static final Reward POINT = Rewards.parse("point:1.2,0.8"); // 1 / (|x - c|^2 + 1e-3): up to 1000

    static FkSteering fk(int k, double lambda) {
        FkSteering d = FkSteering.defaults(k, 40);
        return new FkSteering(k, 40, d.sampler(), lambda, d.potential(), d.intermediate(), d.lookaheadSteps(), d.schedule(), d.resampler(),
                d.output(), 0);
    }

    static boolean collapsed(SteerResult r) {
        return r.warnings().stream().anyMatch(w -> w.startsWith("FK collapsed") && w.contains("lower lambda (--lambda)"));
    }

    @Test
    void theDefaultLambdaIsOne() {
        assertEquals(1.0, FkSteering.defaults(64, 100).lambda());
    }

    @Test
    void aCollapseIsWarnedAboutAndAHealthyRunIsNot() {
        SteerResult sharp = fk(64, 10).run(Mixtures.twoComponents(), POINT, 3);
        double ess = (double) sharp.diagnostics().get("finalEss");
        int ancestors = (int) sharp.diagnostics().get("uniqueAncestors");
        assertTrue(ess < 2 || ancestors == 1, "the setting collapses: ESS " + ess + ", ancestors " + ancestors);
        assertTrue(collapsed(sharp), sharp.warnings().toString());

        SteerResult mild = fk(64, 0.01).run(Mixtures.twoComponents(), POINT, 3);
        assertTrue((double) mild.diagnostics().get("finalEss") >= 2 && (int) mild.diagnostics().get("uniqueAncestors") > 1);
        assertFalse(collapsed(mild), mild.warnings().toString());
    }

    @Test
    void tooFewParticlesToJudgeAreNotWarnedAbout() {
        SteerResult few = fk(FkSteering.COLLAPSE_MIN_PARTICLES - 1, 10).run(Mixtures.twoComponents(), POINT, 3);
        assertTrue((double) few.diagnostics().get("finalEss") < 2 || (int) few.diagnostics().get("uniqueAncestors") == 1);
        assertFalse(collapsed(few), few.warnings().toString());
    }
}
