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

    /** Fills out[off..off+len) with independent standard normals drawn from stream i (in pairs, see {@link #nextGaussianPair}). */
    public static void fillGaussian(long[] state, int i, float[] out, int off, int len) {
        int j = 0;
        for (; j + 1 < len; j += 2) nextGaussianPair(state, i, out, off + j);
        if (j < len) out[off + j] = (float) nextGaussian(state, i);
    }

    // Ziggurat tables (Marsaglia & Tsang 2000, in Doornik's 2005 formulation): 128 layers of equal area
    // V under exp(-x^2/2); X[i] is layer i's right edge, RATIO[i] = X[i+1] / X[i].
    private static final int LAYERS = 128;
    private static final double ZIG_R = 3.442619855899, ZIG_V = 9.91256303526217e-3;
    private static final double[] X = new double[LAYERS + 1], RATIO = new double[LAYERS];

    static {
        double f = Math.exp(-0.5 * ZIG_R * ZIG_R);
        X[0] = ZIG_V / f;
        X[1] = ZIG_R;
        X[LAYERS] = 0;
        for (int i = 2; i < LAYERS; i++) {
            X[i] = Math.sqrt(-2 * Math.log(ZIG_V / X[i - 1] + f));
            f = Math.exp(-0.5 * X[i] * X[i]);
        }
        for (int i = 0; i < LAYERS; i++) RATIO[i] = X[i + 1] / X[i];
    }

    /**
     * One standard normal from stream i by the ziggurat method: a 64-bit draw gives the layer (low 7
     * bits) and a signed uniform (top 53 bits, disjoint from the layer bits); about 99% of draws return
     * from the rectangle test alone. Exact: wedges are accepted against the density and the base layer
     * samples the tail beyond R exactly (Marsaglia's tail method).
     */
    public static double nextGaussian(long[] state, int i) {
        long bits = nextLong(state, i);
        int layer = (int) (bits & (LAYERS - 1));
        double u = 2.0 * ((bits >>> 11) * 0x1.0p-53) - 1.0;       // [-1, 1)
        if (Math.abs(u) < RATIO[layer]) return u * X[layer];       // inside the layer's inner rectangle
        return zigguratSlow(layer, u, state, i);
    }

    /**
     * Two standard normals from one 64-bit draw: each 32-bit half gives a layer (7 bits) and a signed
     * uniform with 25 bits, enough for float output. Used by the samplers' per-step noise; the rare
     * draws that miss the rectangle continue with the exact wedge and tail tests.
     */
    public static void nextGaussianPair(long[] state, int i, float[] out, int off) {
        long bits = nextLong(state, i);
        out[off] = (float) fromHalf((int) bits, state, i);
        out[off + 1] = (float) fromHalf((int) (bits >>> 32), state, i);
    }

    private static double fromHalf(int b, long[] state, int i) {
        int layer = b & (LAYERS - 1);
        double u = (b >>> 7) * 0x1.0p-24 - 1.0;                    // [-1, 1) in steps of 2^-24
        if (Math.abs(u) < RATIO[layer]) return u * X[layer];
        return zigguratSlow(layer, u, state, i);
    }

    /** The ziggurat after a draw (layer, u) missed its rectangle: the base strip's tail, or the wedge test; retries on rejection. */
    private static double zigguratSlow(int layer, double u, long[] state, int i) {
        while (true) {
            if (layer == 0) {                                      // the base strip: sample the tail beyond R exactly
                double x, y;
                do {
                    x = Math.log(1.0 - nextDouble(state, i)) / ZIG_R;
                    y = Math.log(1.0 - nextDouble(state, i));
                } while (-2 * y < x * x);
                return u < 0 ? x - ZIG_R : ZIG_R - x;
            }
            double x = u * X[layer];                               // in the wedge: accept under the density
            double f0 = Math.exp(-0.5 * (X[layer] * X[layer] - x * x));
            double f1 = Math.exp(-0.5 * (X[layer + 1] * X[layer + 1] - x * x));
            if (f1 + nextDouble(state, i) * (f0 - f1) < 1.0) return x;
            long bits = nextLong(state, i);                        // rejected: a fresh draw
            layer = (int) (bits & (LAYERS - 1));
            u = 2.0 * ((bits >>> 11) * 0x1.0p-53) - 1.0;
            if (Math.abs(u) < RATIO[layer]) return u * X[layer];
        }
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
