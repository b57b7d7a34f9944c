package fksteer.model;

/**
 * A batched flow-matching velocity field v(x, t) in d dimensions.
 *
 * <p>Time convention (the reference's): t = 0 is noise, t = 1 is data, on the path
 * x_t = (1 - t) x0 + t x1, so v approximates E[x1 - x0 | x_t].
 */
public interface VelocityField {

    /** Dimension d of one point. */
    int dim();

    /**
     * out[i*d .. i*d+d) = v(x_i, t) for the n points x[i*d .. i*d+d).
     *
     * @param x   n x d points. Not modified.
     * @param out n x d velocities, a different array from x. Modified.
     */
    void velocity(float[] x, int n, float t, float[] out);

    /** A short human-readable description (architecture, source file). */
    default String describe() {
        return getClass().getSimpleName() + "(d=" + dim() + ")";
    }
}
