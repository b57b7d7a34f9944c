package fksteer.data;

import fksteer.rng.Rng;

/**
 * The reference's checkerboard: uniform on the squares of side 1.5 in [-3, 3]^2 where
 * floor(x / 1.5) + floor(y / 1.5) is even (density 1 there, 0 elsewhere), by rejection sampling.
 */
public final class Checkerboard implements Dataset {
    public static final double SQUARE = 1.5, LO = -3, HI = 3;

    @Override
    public String name() {
        return "checkerboard";
    }

    @Override
    public int dim() {
        return 2;
    }

    /** Whether (x, y) lies on a high-density square inside [-3, 3]^2. */
    public static boolean onSupport(double x, double y) {
        if (!(x >= LO && x < HI && y >= LO && y < HI)) return false;
        long sx = (long) Math.floor(x / SQUARE), sy = (long) Math.floor(y / SQUARE);
        return ((sx + sy) & 1L) == 0;
    }

    /** Share of the n points of x (n x 2) on the support, each weighted by exp(logW) when given. */
    public static double onSupportFraction(float[] x, int n, double[] logW) {
        double in = 0, tot = 0;
        for (int i = 0; i < n; i++) {
            double w = logW == null ? 1 : Math.exp(logW[i]);
            tot += w;
            if (onSupport(x[2 * i], x[2 * i + 1])) in += w;
        }
        return tot > 0 ? in / tot : 0;
    }

    @Override
    public void sample(float[] out, int n, long[] rng) {
        int got = 0;
        while (got < n) {
            double x = LO + (HI - LO) * Rng.nextDouble(rng, 0);
            double y = LO + (HI - LO) * Rng.nextDouble(rng, 0);
            if (onSupport(x, y)) {
                out[2 * got] = (float) x;
                out[2 * got + 1] = (float) y;
                got++;
            }
        }
    }
}
