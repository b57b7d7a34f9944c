package fksteer.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.model.Mixtures;
import fksteer.steer.FkSteering;
import fksteer.steer.SteerResult;
import org.junit.jupiter.api.Test;

class LambdaRewardTest {
    static final float[] X = {1, 2, -3, 0.5f, 0, 0};

    @Test
    void batchLambdaIsTheReward() {
        Reward r = Reward.of(2, (x, n, out) -> {
            for (int i = 0; i < n; i++) out[i] = x[2 * i] - x[2 * i + 1];
        });
        double[] out = new double[3];
        r.evaluate(X, 3, out);
        assertArrayEquals(new double[] {-1, -3.5, 0}, out);
        assertEquals(2, r.dim());
        assertEquals("custom", r.spec());
        assertNull(r.targetPoint());
        assertTrue(Double.isNaN(r.horizontalLine()) && Double.isNaN(r.verticalLine()));
        assertEquals("near", Reward.of(2, "near", (x, n, o) -> { }).spec());
    }

    @Test
    void pointLambdaAgreesWithTheBatchOne() {
        Reward point = Reward.ofPoint(2, p -> p[0] - p[1]);
        double[] out = new double[3];
        point.evaluate(X, 3, out);
        assertArrayEquals(new double[] {-1, -3.5, 0}, out);
        assertEquals("custom", point.spec());
    }

    @Test
    void badSettingsAreNamed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Reward.of(0, (x, n, out) -> { }));
        assertEquals("dim", e.setting());
        assertEquals("dim must be >= 1, got 0", e.getMessage());
        assertEquals("spec", assertThrows(InvalidSettingException.class, () -> Reward.of(2, " ", (x, n, out) -> { })).setting());
        assertThrows(NullPointerException.class, () -> Reward.of(2, null));
    }

    @Test
    void aLambdaRewardSteersExactlyLikeTheBuiltIn() {
        Reward builtIn = Rewards.parse("quadratic:1,0.5");
        Reward lambda = Reward.of(2, builtIn::evaluate);
        FkSteering fk = FkSteering.defaults(64, 20).withLambda(1);
        SteerResult a = fk.run(Mixtures.twoComponents(), builtIn, 5), b = fk.run(Mixtures.twoComponents(), lambda, 5);
        assertArrayEquals(a.samples(), b.samples());
        assertArrayEquals(a.logWeights(), b.logWeights());
        assertEquals("custom", lambda.spec());
    }
}
