package fksteer.model;

/** Helpers of the linear path x_t = (1 - t) x0 + t x1 (alpha_t = t, sigma_t = 1 - t). */
public final class FlowPath {
    private FlowPath() {}

    /** Predicted endpoint x̂1 = x_t + (1 - t) v, elementwise over len entries. out: Modified (may alias x). */
    public static void predictX1(float[] x, float[] v, float t, float[] out, int len) {
        float s = 1f - t;
        for (int i = 0; i < len; i++) out[i] = Math.fma(s, v[i], x[i]);
    }

    /**
     * Score s = grad log p_t(x) = (t v - x) / (1 - t), from s = sigma_t^-1 (alpha_t v - alpha_t' x) /
     * (alpha_t' sigma_t - alpha_t sigma_t') with alpha_t = t, sigma_t = 1 - t. Undefined at t = 1.
     * out: Modified.
     */
    public static void score(float[] x, float[] v, float t, float[] out, int len) {
        if (!(t < 1f)) throw new IllegalArgumentException("score is undefined at t = 1");
        float inv = 1f / (1f - t);
        for (int i = 0; i < len; i++) out[i] = (t * v[i] - x[i]) * inv;
    }
}
