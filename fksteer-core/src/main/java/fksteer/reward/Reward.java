package fksteer.reward;

import java.util.function.ToDoubleFunction;

/**
 * A batched reward r(x) on points of dimension {@link #dim()}: higher is better. Evaluated on final
 * (t = 1) samples, and on intermediate states or predicted endpoints when a method scores them.
 *
 * <p>From a lambda: {@code Reward.of(2, (x, n, out) -> { for (int i = 0; i < n; i++) out[i] = -x[2 * i]; })}
 * for the whole batch at once, or {@code Reward.ofPoint(2, p -> -p[0])} one point at a time.
 */
public interface Reward {

    int dim();

    /**
     * out[i] = r(x_i) for the n points x[i*d .. i*d+d). x: Not modified. out: Modified.
     */
    void evaluate(float[] x, int n, double[] out);

    /**
     * out[i] = r(sequence i) for n token sequences tokens[i*d .. i*d+d) (masked diffusion's particles).
     * Rewards of points do not score tokens: the default says so, naming reward, in one line.
     * tokens: Not modified. out: Modified.
     */
    default void evaluateTokens(int[] tokens, int n, double[] out) {
        throw new fksteer.io.InvalidSettingException("reward", spec() + " scores points, not token sequences; a text model needs a text reward "
                + "(sentiment, perplexity, contains:WORD)");
    }

    /** A short name for output and plot titles: the CLI spec a built-in was parsed from (e.g. "point:2,0.5"); "custom" by default. */
    default String spec() {
        return "custom";
    }

    /** Target marks for plots: a point [x, y], or null (the default: no mark). */
    default double[] targetPoint() {
        return null;
    }

    /** A horizontal target line's y, or NaN (the default: no line). */
    default double horizontalLine() {
        return Double.NaN;
    }

    /** A vertical target line's x, or NaN (the default: no line). */
    default double verticalLine() {
        return Double.NaN;
    }

    /** The shape of {@link #evaluate}: out[i] = r(x_i) for the n points x[i*d .. i*d+d). */
    @FunctionalInterface
    interface BatchFn {
        void evaluate(float[] x, int n, double[] out);
    }

    /** A reward on points of dimension dim from a batched function; its spec is "custom". */
    static Reward of(int dim, BatchFn fn) {
        return of(dim, "custom", fn);
    }

    /** A reward on points of dimension dim from a batched function, named spec in output and plots. */
    static Reward of(int dim, String spec, BatchFn fn) {
        return new LambdaReward(dim, spec, fn);
    }

    /**
     * A reward from a function of one point, given as a float[dim] copy (a fresh array per batch, reused
     * for the batch's points: read it, do not keep it). Simple, but one call per point; use
     * {@link #of(int, BatchFn)} when the batch loop matters.
     */
    static Reward ofPoint(int dim, ToDoubleFunction<float[]> fn) {
        java.util.Objects.requireNonNull(fn, "fn");
        return of(dim, (x, n, out) -> {
            float[] p = new float[dim];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * dim, p, 0, dim);
                out[i] = fn.applyAsDouble(p);
            }
        });
    }
}
