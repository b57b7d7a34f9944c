package fksteer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The finiteness scan finds one bad value anywhere, vector body and tail alike, and only then. */
class FiniteTest {
    static final float[] BAD = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @Property(tries = 300)
    void scanFindsAnyNonFiniteValue(@ForAll @IntRange(min = 1, max = 600) int len, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[len + 3];
        for (int i = 0; i < a.length; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * Math.pow(10, r.nextInt(77) - 38));
        a[len] = Float.NaN; // past len: ignored
        assertEquals(true, Finite.all(a, len));
        int at = r.nextInt(len);
        a[at] = BAD[r.nextInt(3)];
        assertEquals(false, Finite.all(a, len));
        assertEquals(at, Finite.first(a, len));
        double[] d = new double[len];
        for (int i = 0; i < len; i++) d[i] = a[i] == a[i] && Float.isFinite(a[i]) ? a[i] : Double.MAX_VALUE;
        assertEquals(true, Finite.all(d));
        d[at] = Double.NaN;
        assertEquals(false, Finite.all(d));
    }
}
