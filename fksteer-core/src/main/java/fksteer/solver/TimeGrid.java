package fksteer.solver;

/** Uniform time grids, computed in double and rounded once so every caller agrees on each t. */
public final class TimeGrid {
    private TimeGrid() {}

    /** t_s of a grid of `steps` equal steps from t0 to t1. */
    public static float at(double t0, double t1, int steps, int s) {
        if (s == steps) return (float) t1;
        return (float) (t0 + (t1 - t0) * s / steps);
    }
}
