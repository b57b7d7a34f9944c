package fksteer.rng;

/**
 * Counter-free, splittable pseudo-random streams built on SplitMix64.
 *
 * <p>One user seed is split into independent streams by {@link #key(long, long)}: particle i of a run
 * draws from stream {@code key(seed, i)} only, so a result never depends on how particles are
 * chunked over threads. The per-stream state is a single {@code long}, kept by the caller in a
 * {@code long[]} (one per particle) so that batches hold no per-point objects.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Rng() {}

    /** SplitMix64 finalizer: a bijective 64-bit mixer. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The initial state of stream {@code stream} under {@code seed}. */
    public static long key(long seed, long stream) {
        return mix(mix(seed ^ 0x5DEECE66DL) + GOLDEN * (stream + 1));
    }

    /** Derives a named sub-seed (e.g. "resampling", "data") so that independent uses never share a stream. */
    public static long subSeed(long seed, String purpose) {
        long h = 1125899906842597L;
        for (int i = 0; i < purpose.length(); i++) h = 31 * h + purpose.charAt(i);
        return mix(seed + mix(h));
    }

    /** Advances state[i] and returns 64 random bits. */
    public static long nextLong(long[] state, int i) {
        long z = (state[i] += GOLDEN);
        return mix(z);
    }

    /** Uniform double in [0, 1) with 53 random bits. */
    public static double nextDouble(long[] state, int i) {
        return (nextLong(state, i) >>> 11) * 0x1.0p-53;
    }

    /**
     * Fills out[off..off+len) with independent standard normals drawn from stream i (Box–Muller on
     * pairs; an odd tail discards one variate so every call consumes a fixed number of draws).
     */
    public static void fillGaussian(long[] state, int i, float[] out, int off, int len) {
        int j = 0;
        for (; j + 1 < len; j += 2) {
            double u1 = 1.0 - nextDouble(state, i); // (0, 1]
            double u2 = nextDouble(state, i);
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double a = 2.0 * Math.PI * u2;
            out[off + j] = (float) (r * Math.cos(a));
            out[off + j + 1] = (float) (r * Math.sin(a));
        }
        if (j < len) {
            double u1 = 1.0 - nextDouble(state, i);
            double u2 = nextDouble(state, i);
            out[off + j] = (float) (Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2));
        }
    }

    /** One standard normal from stream i (consumes two draws). */
    public static double nextGaussian(long[] state, int i) {
        double u1 = 1.0 - nextDouble(state, i);
        double u2 = nextDouble(state, i);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** States for n particle streams of one seed: stream j starts at key(seed, j). */
    public static long[] streams(long seed, int n) {
        long[] s = new long[n];
        for (int j = 0; j < n; j++) s[j] = key(seed, j);
        return s;
    }

    /** A single sequential stream, for bookkeeping draws (resampling, data), as a one-element state. */
    public static long[] single(long seed, String purpose) {
        return new long[] {key(subSeed(seed, purpose), 0)};
    }
}
