package fksteer.process;

import fksteer.rng.Rng;

/** Gaussian moves shared by the continuous processes. */
final class Gaussians {
    private Gaussians() {}

    /** Standard normal states for every particle of p: particle i from stream ("initial", i) of seed. */
    static void initialNoise(Particles p, long seed) {
        float[] x = p.floats();
        int d = p.size();
        long[] st = Rng.streams(Rng.subSeed(seed, "initial"), p.count());
        for (int i = 0; i < p.count(); i++) Rng.fillGaussian(st, i, x, i * d, d);
    }

    /** x_i = a x_i + sd z_i for n rows of d entries, z_i from rng stream i. eps: scratch of d floats. */
    static void renoise(float[] x, int n, int d, double a, double sd, long[] rng, float[] eps) {
        for (int i = 0; i < n; i++) {
            Rng.fillGaussian(rng, i, eps, 0, d);
            for (int k = 0; k < d; k++) x[i * d + k] = (float) (a * x[i * d + k] + sd * eps[k]);
        }
    }
}
