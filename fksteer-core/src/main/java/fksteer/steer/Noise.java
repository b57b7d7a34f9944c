package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.rng.Rng;

/**
 * The random streams of a run, all split from one seed: particle i's initial noise x0 comes from
 * stream ("initial", i) and its per-step noise from stream ("steps", i). Nothing depends on thread
 * count or chunking.
 */
public final class Noise {
    private Noise() {}

    /** n x d standard normal initial points. */
    public static float[] initial(int n, int d, long seed) {
        float[] x = new float[Sizes.length("particles", "particles x dimension", n, d)];
        long[] st = Rng.streams(Rng.subSeed(seed, "initial"), n);
        for (int i = 0; i < n; i++) Rng.fillGaussian(st, i, x, i * d, d);
        return x;
    }

    /** One step-noise stream per particle. */
    public static long[] stepStreams(long seed, int n) {
        return Rng.streams(Rng.subSeed(seed, "steps"), n);
    }
}
