package fksteer.resample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Log-weights stay normalised whatever their magnitude (issue 9, found 5). */
class LogWeightsTest {

    /**
     * Log-weights at every magnitude M = 10^e, e in [-300, 300]: each lw_i is one of a few base values
     * M u (u uniform in [-1, 1]) plus, for some, an offset in [-3, 3] (which vanishes in rounding at large
     * M, so ties are common, as after resampling), and a few are -inf. exp(normalizedLog) sums to 1
     * within 1e-12 and equals normalized(); the ESS is in [1, n] and matches the weights; logMean is
     * within [max - log n, max].
     */
    @Property(tries = 400)
    void logWeightsStayNormalisedAtHugeMagnitudes(@ForAll @IntRange(min = -300, max = 300) int exponent,
                                                  @ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double mag = Math.pow(10, exponent);
        double[] base = new double[1 + r.nextInt(4)];
        for (int j = 0; j < base.length; j++) base[j] = mag * (2 * r.nextDouble() - 1);
        double[] raw = new double[n];
        for (int i = 0; i < n; i++) {
            raw[i] = base[r.nextInt(base.length)] + (r.nextBoolean() ? 6 * r.nextDouble() - 3 : 0);
            if (i > 0 && r.nextInt(10) == 0) raw[i] = Double.NEGATIVE_INFINITY;
        }
        LogWeights lw = new LogWeights(n);
        lw.add(raw);
        double[] log = new double[n], w = new double[n];
        lw.normalizedLog(log);
        lw.normalized(w);
        double sum = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(log[i]);
            assertEquals(e, w[i], 1e-12, "exp(normalizedLog) = normalized at " + i);
            assertTrue(log[i] <= 0, "log W <= 0");
            sum += e;
            sq += w[i] * w[i];
        }
        assertEquals(1.0, sum, 1e-12, "at magnitude 1e" + exponent);
        double ess = lw.ess(new double[n]);
        assertTrue(ess >= 1 - 1e-12 && ess <= n + 1e-9, "ESS " + ess);
        assertEquals(1 / sq, ess, 1e-9 * ess);
        double max = lw.max(), logMean = lw.logMean(), tol = 1e-12 * Math.max(1, Math.abs(max));
        assertTrue(logMean <= max + tol && logMean >= max - Math.log(n) - tol,
                logMean + " not in [max - log n, max], max " + max);
    }

    /** The reproduction: two weights at 1e40 apart by 1 must be e/(1+e) and 1/(1+e), not both near 1. */
    @Example
    void weightsAroundOneE40AreNotRoundedAway() {
        LogWeights lw = new LogWeights(3);
        lw.add(new double[] {1e40, Math.nextDown(1e40), -1e40});
        double[] log = new double[3];
        lw.normalizedLog(log);
        double gap = 1e40 - Math.nextDown(1e40); // about 1.2e24: the second weight is exp(-gap) = 0
        assertEquals(0.0, log[0]);
        assertEquals(-gap, log[1]);
        assertEquals(0.0, Math.exp(log[1]));
        assertEquals(-2e40, log[2]);
        LogWeights near = new LogWeights(2);
        near.add(new double[] {1e15, 1e15 + 1}); // 1e15 + 1 is exact in double
        near.normalizedLog(log);
        assertEquals(-Math.log1p(Math.E), log[0], 1e-12);
        assertEquals(-Math.log1p(Math.exp(-1)), log[1], 1e-12);
        assertEquals(1.0, Math.exp(log[0]) + Math.exp(log[1]), 1e-15);
    }

    /** Equal +inf log-weights share the mass, in every view. */
    @Example
    void infiniteLogWeightsShareTheMassInEveryView() {
        LogWeights lw = new LogWeights(4);
        lw.add(new double[] {Double.POSITIVE_INFINITY, 3, Double.POSITIVE_INFINITY, Double.NaN});
        double[] log = new double[4], w = new double[4];
        lw.normalizedLog(log);
        lw.normalized(w);
        assertEquals(-Math.log(2), log[0]);
        assertEquals(Double.NEGATIVE_INFINITY, log[1]);
        assertEquals(0.5, w[2], 1e-15);
        assertEquals(0.0, w[3]);
        assertEquals(2.0, lw.ess(w), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, lw.logMean());
    }
}
