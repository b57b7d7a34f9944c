package fksteer.process;

import fksteer.kernel.Sizes;
import fksteer.model.Denoiser;

/**
 * A denoiser under a run's {@link Condition}: the conditional output, or with classifier-free guidance
 * out = u + w (c - u), where the conditional rows c and the unconditional rows u (label -1) are
 * evaluated in one doubled batch (2n network evaluations). Owns the doubled batch's scratch.
 */
final class ConditionedNetwork {
    private final Denoiser net;
    private final double cfg;
    private final int d, width;
    private final float[] x2, v2, out2, g2;
    private final int[] l2;

    ConditionedNetwork(Denoiser net, Condition condition, int capacity) {
        this.net = net;
        this.cfg = condition.cfg();
        this.d = net.dim();
        this.width = net.conditionWidth();
        if (condition.guided()) {
            int len = Sizes.length("particles", "2 x particles x dimension (classifier-free guidance)", 2L * capacity, d);
            x2 = new float[len];
            out2 = new float[len];
            g2 = new float[len];
            l2 = new int[2 * capacity];
            v2 = width > 0 ? new float[Sizes.length("condition", "2 x particles x condition width", 2L * capacity, width)] : null;
        } else {
            x2 = out2 = g2 = v2 = null;
            l2 = null;
        }
    }

    Denoiser network() {
        return net;
    }

    /** Stacks [x; x] with labels [labels; -1] and vectors [vectors; vectors] into the doubled batch. */
    private void doubleBatch(float[] x, int n, int[] labels, float[] vectors) {
        System.arraycopy(x, 0, x2, 0, n * d);
        System.arraycopy(x, 0, x2, n * d, n * d);
        for (int i = 0; i < n; i++) {
            l2[i] = labels == null ? -1 : labels[i];
            l2[n + i] = -1;
        }
        if (v2 != null && vectors != null) {
            System.arraycopy(vectors, 0, v2, 0, n * width);
            System.arraycopy(vectors, 0, v2, n * width, n * width);
        }
    }

    /** out = the guided (or plain conditional) prediction for n rows. */
    void predict(float[] x, int n, float t, int[] labels, float[] vectors, float[] out) {
        if (x2 == null) {
            net.predict(x, n, t, labels, vectors, out);
            return;
        }
        doubleBatch(x, n, labels, vectors);
        net.predict(x2, 2 * n, t, l2, v2, out2);
        float w = (float) cfg;
        int len = n * d;
        for (int i = 0; i < len; i++) {
            float c = out2[i], u = out2[len + i];
            out[i] = u + w * (c - u);                    // classifier-free guidance (Ho and Salimans 2022, eq. 6)
        }
    }

    /** out = J^T g of the guided prediction: (1 - w) J_u^T g + w J_c^T g, one doubled VJP. */
    void vjp(float[] x, int n, float t, int[] labels, float[] vectors, float[] g, float[] out) {
        if (x2 == null) {
            net.vjp(x, n, t, labels, vectors, g, out);
            return;
        }
        doubleBatch(x, n, labels, vectors);
        int len = n * d;
        float w = (float) cfg;
        for (int i = 0; i < len; i++) {
            g2[i] = w * g[i];
            g2[len + i] = (1 - w) * g[i];
        }
        net.vjp(x2, 2 * n, t, l2, v2, g2, out2);
        for (int i = 0; i < len; i++) out[i] = out2[i] + out2[len + i];
    }
}
