package fksteer.reward;

/**
 * A batched reward r(x) on points of dimension {@link #dim()}: higher is better. Evaluated on final
 * (t = 1) samples, and on intermediate states or predicted endpoints when a method scores them.
 */
public interface Reward {

    int dim();

    /**
     * out[i] = r(x_i) for the n points x[i*d .. i*d+d). x: Not modified. out: Modified.
     */
    void evaluate(float[] x, int n, double[] out);

    /** The CLI spec this reward was parsed from (e.g. "point:2,0.5"). */
    String spec();

    /** Target marks for plots: a point [x, y], or null. */
    default double[] targetPoint() {
        return null;
    }

    /** A horizontal target line's y, or NaN. */
    default double horizontalLine() {
        return Double.NaN;
    }

    /** A vertical target line's x, or NaN. */
    default double verticalLine() {
        return Double.NaN;
    }
}
