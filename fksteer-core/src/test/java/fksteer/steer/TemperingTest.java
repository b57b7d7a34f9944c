package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.resample.LogWeights;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The tempering rules on hand-made weights: parsing, the conditional ESS and the adaptive choice. */
class TemperingTest {

    @Test
    void parsesAndRefusesNamingTheSetting() {
        assertEquals(Tempering.NONE, Tempering.parse("none"));
        assertEquals(Tempering.LINEAR, Tempering.parse("Linear"));
        assertEquals(Tempering.adaptive(0.5), Tempering.parse("adaptive"));
        assertEquals(Tempering.adaptive(0.8), Tempering.parse("adaptive:0.8"));
        assertEquals("adaptive:0.8", Tempering.parse("adaptive:0.8").cliName());
        for (String bad : new String[] {"adaptive:1", "adaptive:0", "adaptive:x", "adaptive:NaN", "fast", ""}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Tempering.parse(bad), bad);
            assertEquals("tempering", e.setting(), bad);
        }
    }

    /** Equal weights and equal potentials: CESS = k; one particle carrying all the increment: CESS = 1. */
    @Test
    void conditionalEssOfKnownCases() {
        int k = 8;
        double[] logW = new double[k], a = new double[k], b = new double[k];
        Arrays.fill(logW, -Math.log(k));
        Arrays.fill(a, 3.0);
        assertEquals(k, Tempering.cess(2.0, a, b, logW, k), 1e-9);
        Arrays.fill(a, Double.NEGATIVE_INFINITY);
        a[5] = 0;
        assertEquals(1.0, Tempering.cess(1.0, a, b, logW, k), 1e-9);
        // two particles with G = 1 and 2 at W = 1/2: CESS = 2 (1.5)^2 / 2.5 = 1.8
        double[] lw2 = {Math.log(0.5), Math.log(0.5)}, a2 = {0, Math.log(2)}, b2 = {0, 0};
        assertEquals(1.8, Tempering.cess(1.0, a2, b2, lw2, 2), 1e-12);
    }

    /** The adaptive choice: the full lambda when affordable, else the tilt at which CESS meets the target. */
    @Test
    void adaptiveChoosesTheLargestAffordableTilt() {
        int k = 1000;
        double[] logW = new double[k], a = new double[k], b = new double[k];
        Arrays.fill(logW, -Math.log(k));
        for (int i = 0; i < k; i++) a[i] = -4 + 8.0 * i / (k - 1);   // rewards spread over [-4, 4]
        Tempering t = Tempering.adaptive(0.5);
        LogWeights lw = new LogWeights(k);                          // equal weights
        double[] scratch = new double[k];
        double l = t.next(3.0, 0.0, 0, 5, a, b, lw, scratch);
        assertTrue(l > 0 && l < 3.0, "binds: " + l);
        assertEquals(0.5 * k, Tempering.cess(l, a, b, logW, k), 1e-6 * k, "at the target");
        assertEquals(0.01, t.next(0.01, 0.0, 0, 5, a, b, lw, scratch), 0.0, "a small lambda is taken whole");
        // never below the previous tilt, even when the previous tilt itself misses the target
        assertEquals(2.5, t.next(3.0, 2.5, 1, 5, a, b, lw, scratch), 0.0);
        // negative lambda: the same rule on the segment toward it
        double neg = t.next(-3.0, 0.0, 0, 5, a, b, lw, scratch);
        assertTrue(neg < 0 && neg > -3.0, "binds toward -3: " + neg);
        assertEquals(Tempering.LINEAR.next(3.0, 0, 1, 4, a, b, lw, scratch), 1.5, 1e-12);
        assertEquals(Tempering.LINEAR.next(3.0, 0, 3, 4, a, b, lw, scratch), 3.0, 0.0);
        assertEquals(Tempering.NONE.next(3.0, 0, 0, 4, a, b, lw, scratch), 3.0, 0.0);
    }
}
