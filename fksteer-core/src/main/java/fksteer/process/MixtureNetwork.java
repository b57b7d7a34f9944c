package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Parallel;
import fksteer.model.Denoiser;
import fksteer.model.GaussianMixture;

/**
 * The ideal network of a Gaussian mixture sum_j π_j N(μ_j, s_j² I) under any {@link ProcessSpec} and
 * {@link Prediction}: the ground truth of every process test. At the time the network sees, the
 * process has x = a x0 + s ε (flow with noise at 0: a = t, s = 1 - t; with noise at 1: a = 1 - σ, s = σ;
 * VP: a = sqrt(ᾱ_t), s = sqrt(1 - ᾱ_t)); given component j, x ~ N(a μ_j, v_j I), v_j = a² s_j² + s², and
 * <pre>
 *   E[x0 | x, j] = μ_j + (a s_j² / v_j) (x - a μ_j),    E[ε | x, j] = (s / v_j) (x - a μ_j),
 * </pre>
 * averaged over the posterior weights w_j(x) ∝ π_j N(x; a μ_j, v_j I). The prediction is the linear
 * combination c0 E[x0 | x] + ce E[ε | x] that {@link Prediction#fromX0Eps} defines (ε, x0, v, or the
 * velocity a' x0 + s' ε along the process's own time).
 *
 * <p>With class labels, label c restricts the mixture to the components of class c (the exact
 * conditional p(x | c)); label -1 is the whole mixture.
 */
public final class MixtureNetwork implements Denoiser {
    private static final int CHUNK = 256;
    private final GaussianMixture mixture;
    private final int[] classes;
    private final ProcessSpec spec;
    private final Prediction prediction;
    private final int classCount;
    private final boolean[] present;
    private final double[] alphasCumprod;

    /**
     * @param classes a label per component, or null for an unconditional model
     */
    public MixtureNetwork(GaussianMixture mixture, int[] classes, ProcessSpec spec, Prediction prediction) {
        InvalidSettingException.require(mixture != null, "mixture", "is required");
        InvalidSettingException.require(spec != null, "process", "is required");
        InvalidSettingException.require(prediction != null, "prediction", "is required");
        if (classes != null) new ClassConditionalMixture(mixture, classes); // validates the labels
        this.mixture = mixture;
        this.classes = classes == null ? null : classes.clone();
        this.spec = spec;
        this.prediction = prediction;
        int max = -1;
        if (classes != null) for (int c : classes) max = Math.max(max, c);
        this.classCount = max + 1;
        this.present = new boolean[classCount];
        if (classes != null) for (int c : classes) present[c] = true;
        for (int c = 0; c < classCount; c++)
            InvalidSettingException.require(present[c], "classes", "must use every label 0.." + (classCount - 1) + "; label " + c + " has no component");
        this.alphasCumprod = spec instanceof ProcessSpec.Vp vp ? vp.schedule().alphasCumprod() : null;
    }

    public GaussianMixture mixture() {
        return mixture;
    }

    @Override
    public int dim() {
        return mixture.dim();
    }

    @Override
    public int classes() {
        return classCount;
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public String describe() {
        return "gaussian-mixture(" + mixture.components() + " components, d=" + dim() + ", " + spec.kind() + ", " + prediction.id
                + (classes != null ? ", " + classCount + " classes" : "") + ")";
    }

    /** (a, s, a', s') of the process at the network's time t. */
    private double[] coefficients(float t) {
        if (spec instanceof ProcessSpec.Flow f) {
            double u = t;
            return f.noiseAt() == 0 ? new double[] {u, 1 - u, 1, -1} : new double[] {1 - u, u, -1, 1};
        }
        int i = Math.round(t);
        if (i < 0 || i >= alphasCumprod.length || i != t)
            throw new IllegalArgumentException("a vp network sees integer timesteps in [0, " + (alphasCumprod.length - 1) + "], got " + t);
        double ab = alphasCumprod[i];
        return new double[] {Math.sqrt(ab), Math.sqrt(1 - ab), 0, 0};
    }

    /** (c0, ce): the prediction as c0 E[x0 | x] + ce E[ε | x]. */
    private double[] combination(double[] c) {
        double a = c[0], s = c[1];
        return switch (prediction) {
            case EPSILON -> new double[] {0, 1};
            case X0 -> new double[] {1, 0};
            case V -> new double[] {-s, a};                      // v = a ε - s x0
            case VELOCITY -> new double[] {c[2], c[3]};          // u = a' x0 + s' ε
        };
    }

    private boolean inClass(int j, int label) {
        return label < 0 || classes == null || classes[j] == label;
    }

    @Override
    public void predict(float[] x, int n, float t, int[] labels, float[] vectors, float[] out) {
        evaluate(x, n, t, labels, null, out);
    }

    @Override
    public void vjp(float[] x, int n, float t, int[] labels, float[] vectors, float[] g, float[] out) {
        evaluate(x, n, t, labels, g, out);
    }

    /** The prediction (g null) or its vector-Jacobian product with g, in parallel over fixed chunks of rows. */
    private void evaluate(float[] x, int n, float t, int[] labels, float[] g, float[] out) {
        double[] c = coefficients(t), comb = combination(c);
        int d = dim(), m = mixture.components();
        if (labels != null)
            for (int i = 0; i < n; i++)
                if (labels[i] >= classCount || (labels[i] >= 0 && !present[labels[i]]))
                    throw new IllegalArgumentException("label " + labels[i] + " is not one of the model's classes");
        Parallel.run(Parallel.chunks(n, CHUNK), ch -> {
            double[] lw = new double[m], mg = new double[m], o = new double[d];
            double[][] r = new double[m][d];
            for (int i = ch * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++)
                one(x, i * d, labels == null ? -1 : labels[i], c, comb, g, out, lw, mg, o, r);
        });
    }

    private void one(float[] x, int off, int label, double[] c, double[] comb, float[] g, float[] out, double[] lw, double[] mg,
                     double[] o, double[][] r) {
        int d = dim(), m = mixture.components();
        double a = c[0], s = c[1], c0 = comb[0], ce = comb[1];
        double[] pi = mixture.weights(), sd = mixture.stds();
        double[][] mu = mixture.means();
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            if (!inClass(j, label)) {
                lw[j] = Double.NEGATIVE_INFINITY;
                continue;
            }
            double v = a * a * sd[j] * sd[j] + s * s, q = 0;
            for (int k = 0; k < d; k++) {
                r[j][k] = x[off + k] - a * mu[j][k];
                q += r[j][k] * r[j][k];
            }
            lw[j] = Math.log(pi[j]) - 0.5 * d * Math.log(v) - 0.5 * q / v;
            max = Math.max(max, lw[j]);
        }
        double z = 0;
        for (int j = 0; j < m; j++) z += (lw[j] = lw[j] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(lw[j] - max));
        for (int j = 0; j < m; j++) lw[j] /= z;                       // posterior weights w_j(x)
        java.util.Arrays.fill(o, 0);
        double gamma = 0;                                             // sum_j w_j γ_j
        for (int j = 0; j < m; j++) {
            if (lw[j] == 0) continue;
            double v = a * a * sd[j] * sd[j] + s * s;
            double gj = c0 * a * sd[j] * sd[j] / v + ce * s / v;      // γ_j: m_j(x) = c0 μ_j + γ_j (x - a μ_j)
            gamma += lw[j] * gj;
            double dot = 0;
            for (int k = 0; k < d; k++) {
                double mj = c0 * mu[j][k] + gj * r[j][k];
                o[k] += lw[j] * mj;
                if (g != null) dot += mj * g[off + k];
            }
            mg[j] = dot;
        }
        if (g == null) {
            for (int k = 0; k < d; k++) out[off + k] = (float) o[k];
            return;
        }
        // J^T g = (sum_j w_j γ_j) g + sum_j w_j (m_j·g - ō·g) ∇l_j,  ∇l_j = -(x - a μ_j) / v_j
        double og = 0;
        for (int k = 0; k < d; k++) og += o[k] * g[off + k];
        for (int k = 0; k < d; k++) {
            double acc = gamma * g[off + k];
            for (int j = 0; j < m; j++) {
                if (lw[j] == 0) continue;
                double v = a * a * sd[j] * sd[j] + s * s;
                acc += lw[j] * (mg[j] - og) * (-r[j][k] / v);
            }
            out[off + k] = (float) acc;
        }
    }
}
