package fksteer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast scans for non-finite values (NaN or an infinity), cheap enough to run on every sampler step:
 * x * 0 is ±0 for finite x and NaN otherwise, so lanes of a running sum of x * 0 turn NaN exactly when
 * some value is not finite. The answer is a yes/no, so it cannot depend on the order of the scan.
 */
public final class Finite {
    private static final boolean VECTOR = vectorUsable();

    private Finite() {}

    private static boolean vectorUsable() {
        try {
            return Boolean.parseBoolean(System.getProperty("fksteer.vector", "true")) && VectorDense.usable();
        } catch (Throwable t) { // the jdk.incubator.vector module is absent
            return false;
        }
    }

    /** Whether a[0..len) holds only finite values. */
    public static boolean all(float[] a, int len) {
        return VECTOR ? allVector(a, len) : allScalar(a, 0, len);
    }

    /** Whether every value of a is finite. */
    public static boolean all(float[] a) {
        return all(a, a.length);
    }

    /** Whether every value of a is finite. */
    public static boolean all(double[] a) {
        double acc = 0;
        for (double v : a) acc += v * 0;
        return acc == 0;
    }

    /** The first index in [0, len) whose value is not finite, or -1. */
    public static int first(float[] a, int len) {
        for (int i = 0; i < len; i++) if (!Float.isFinite(a[i])) return i;
        return -1;
    }

    private static boolean allScalar(float[] a, int from, int to) {
        float acc = 0f;
        for (int i = from; i < to; i++) acc += a[i] * 0f;
        return acc == 0f;
    }

    private static boolean allVector(float[] a, int len) {
        VectorSpecies<Float> s = VectorDense.S;
        int L = s.length(), i = 0;
        FloatVector acc = FloatVector.zero(s), acc1 = acc, acc2 = acc, acc3 = acc; // four chains: no add waits on another
        for (; i + 4 * L <= len; i += 4 * L) {
            acc = acc.add(FloatVector.fromArray(s, a, i).mul(0f));
            acc1 = acc1.add(FloatVector.fromArray(s, a, i + L).mul(0f));
            acc2 = acc2.add(FloatVector.fromArray(s, a, i + 2 * L).mul(0f));
            acc3 = acc3.add(FloatVector.fromArray(s, a, i + 3 * L).mul(0f));
        }
        for (; i + L <= len; i += L) acc = acc.add(FloatVector.fromArray(s, a, i).mul(0f));
        acc = acc.add(acc1).add(acc2).add(acc3);
        return !acc.compare(VectorOperators.NE, acc).anyTrue() && allScalar(a, i, len);
    }
}
