package fksteer.train;

/** Adam (Kingma & Ba), with PyTorch's defaults and bias correction. State lives here; params are updated in place. */
public final class Adam {
    private final double beta1, beta2, eps;
    private double lr;
    private final float[][] m, v;
    private long t;

    public Adam(float[][] params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8);
    }

    public Adam(float[][] params, double lr, double beta1, double beta2, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        m = new float[params.length][];
        v = new float[params.length][];
        for (int i = 0; i < params.length; i++) {
            m[i] = new float[params[i].length];
            v[i] = new float[params[i].length];
        }
    }

    /** Changes the learning rate for the following steps (schedules). */
    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    /** One update: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps). params: Modified. */
    public void step(float[][] params, float[][] grads) {
        t++;
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        float b1 = (float) beta1, b2 = (float) beta2, c1 = 1f - b1, c2 = 1f - b2;
        float stepSize = (float) (lr / bc1), invSqrtBc2 = (float) (1 / Math.sqrt(bc2)), e = (float) eps;
        for (int a = 0; a < params.length; a++) {
            float[] p = params[a], g = grads[a], ma = m[a], va = v[a];
            for (int i = 0; i < p.length; i++) {
                float gi = g[i];
                float mi = ma[i] = b1 * ma[i] + c1 * gi;
                float vi = va[i] = b2 * va[i] + c2 * gi * gi;
                p[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + e);
            }
        }
    }
}
