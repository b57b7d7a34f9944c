package fksteer.model;

/**
 * A batched denoising network of any process: given noisy points x at the time t the network sees
 * (a flow's t or σ, a VP model's training timestep), it outputs its prediction (velocity, ε, v or x0;
 * the process knows which). It may be conditioned on a class label or a vector.
 *
 * <p>Conditions come per row: {@code labels[i] >= 0} conditions row i (on that class, or, for a
 * vector-conditioned model, on row i of {@code vectors}); {@code labels[i] = -1} asks for the
 * unconditional output, so classifier-free guidance evaluates both halves in one batch.
 */
public interface Denoiser {

    /** Entries of one point. */
    int dim();

    /** The shape of one point ({@code [dim()]} unless the network says more, e.g. [C, H, W]); its size is {@link #dim()}. */
    default fksteer.process.Shape shape() {
        return fksteer.process.Shape.of(dim());
    }

    /** Class labels this model understands (0 .. classes() - 1); 0 when it takes none. */
    default int classes() {
        return 0;
    }

    /** Entries of a vector condition; 0 when it takes none. */
    default int conditionWidth() {
        return 0;
    }

    /**
     * out[i] = the model's prediction at (x_i, t) under row i's condition.
     *
     * @param x       n × dim points. Not modified.
     * @param labels  n labels, -1 for unconditional; null when every row is unconditional. Not modified.
     * @param vectors n × conditionWidth() condition vectors (rows with label -1 ignored), or null. Not modified.
     * @param out     n × dim outputs, a different array from x. Modified.
     */
    void predict(float[] x, int n, float t, int[] labels, float[] vectors, float[] out);

    /** Whether {@link #vjp} is available (reward-gradient guidance needs it). */
    default boolean differentiable() {
        return false;
    }

    /**
     * out[i] = (∂ prediction / ∂x (x_i, t))^T g_i, under row i's condition. x, labels, vectors, g: Not
     * modified. out: Modified.
     */
    default void vjp(float[] x, int n, float t, int[] labels, float[] vectors, float[] g, float[] out) {
        throw new UnsupportedOperationException(describe() + " has no gradient");
    }

    default String describe() {
        return getClass().getSimpleName() + "(d=" + dim() + ")";
    }
}
