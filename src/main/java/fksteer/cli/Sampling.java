package fksteer.cli;

import fksteer.steer.Noise;

/** Shorthands the commands share for their initial noise and step streams. */
final class Sampling {
    private Sampling() {}

    static float[] noise(int n, int d, long seed) {
        return Noise.initial(n, d, seed);
    }

    static long[] stepStreams(long seed, int n) {
        return Noise.stepStreams(seed, n);
    }
}
