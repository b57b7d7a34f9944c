package fksteer.kernel;

/**
 * Fast scans for non-finite values (NaN or an infinity), cheap enough to run on every sampler step:
 * x * 0 is ±0 for finite x and NaN otherwise, so lanes of a running sum of x * 0 turn NaN exactly when
 * some value is not finite. The answer is a yes/no, so it cannot depend on the order of the scan.
 */
public final class Finite {
    /** The vector scan lives in {@link VectorDense}, loaded only when the Vector API is there ({@link Vectorization}). */
    private static final boolean VECTOR = Vectorization.enabled();

    private Finite() {}

    /** Whether a[0..len) holds only finite values. */
    public static boolean all(float[] a, int len) {
        return VECTOR ? VectorDense.allFinite(a, len) : allScalar(a, 0, len);
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

    static boolean allScalar(float[] a, int from, int to) {
        float acc = 0f;
        for (int i = from; i < to; i++) acc += a[i] * 0f;
        return acc == 0f;
    }
}
