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
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

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
    static final int LAYERS = 128;
    private static final double ZIG_R = 3.442619855899, ZIG_V = 9.91256303526217e-3;
    private static final double[] X = new double[LAYERS + 1], RATIO = new double[LAYERS];
    /** The same tables rounded to float, for the float fast path shared by the scalar and vector pair generators. */
    static final float[] XF = new float[LAYERS], RATIOF = new float[LAYERS];

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
        for (int i = 0; i < LAYERS; i++) {
            XF[i] = (float) X[i];
            RATIOF[i] = (float) RATIO[i];
        }
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
     * Two standard normals from one 64-bit draw: each 32-bit half gives a layer (low 7 bits) and a signed
     * uniform u = (b >>> 8) 2^-23 - 1 with 24 bits (exact in float), tested in float against the float
     * tables, so the Vector API twin {@link #fillGaussianPairs} computes the same floats bit for bit. The
     * rare draws that miss the rectangle continue with the exact wedge and tail tests in double.
     */
    public static void nextGaussianPair(long[] state, int i, float[] out, int off) {
        long bits = nextLong(state, i);
        out[off] = fromHalf((int) bits, state, i);
        out[off + 1] = fromHalf((int) (bits >>> 32), state, i);
    }

    private static float fromHalf(int b, long[] state, int i) {
        int layer = b & (LAYERS - 1);
        float u = (b >>> 8) * 0x1.0p-23f - 1f;                     // [-1, 1) in steps of 2^-23
        if (Math.abs(u) < RATIOF[layer]) return u * XF[layer];
        return (float) zigguratSlow(layer, u, state, i);
    }

    /** Whether fillGaussianPairs uses the Vector API: the module is present and vectors hold 512 bits. */
    private static final boolean VECTOR = fksteer.kernel.Vectorization.enabled() && VectorZiggurat.usable();

    /**
     * {@link #nextGaussianPair} for particles p0 .. p0+count-1 (two normals each, particle j's pair at
     * out[off + 2j]), eight particles at a time with the Vector API: SplitMix64 on 8 lanes, the layer
     * lookups by gather, the rectangle test for all 16 normals at once; lanes that miss it finish in
     * scalar code in particle order. Bit-identical to calling nextGaussianPair particle by particle.
     * state, out, idx and us (16 ints and 16 floats of scratch): Modified.
     */
    public static void fillGaussianPairs(long[] state, int p0, int count, float[] out, int off, int[] idx, float[] us) {
        int j = VECTOR ? VectorZiggurat.fillPairs(state, p0, count, out, off, idx, us) : 0;
        for (; j < count; j++) nextGaussianPair(state, p0 + j, out, off + 2 * j);
    }

    /** The ziggurat after a draw (layer, u) missed its rectangle: the base strip's tail, or the wedge test; retries on rejection. */
    static double zigguratSlow(int layer, double u, long[] state, int i) {
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
