package fksteer.model;

import fksteer.kernel.Parallel;
import fksteer.rng.Rng;
import java.util.Arrays;

/**
 * A mixture of isotropic Gaussians sum_j pi_j N(mu_j, s_j^2 I) in d dimensions, and the exact
 * velocity field of the linear path from N(0, I) to it. This is the ground truth of the tests:
 * no training, no approximation.
 *
 * <p>Given component j, x_t ~ N(t mu_j, var_j(t) I) with var_j(t) = (1-t)^2 + t^2 s_j^2, and
 * E[x1 - x0 | x_t, j] = mu_j + (t s_j^2 - (1-t)) / var_j(t) * (x_t - t mu_j). The velocity is the
 * posterior-weighted average over components.
 */
public record GaussianMixture(double[] weights, double[][] means, double[] stds) implements DifferentiableField {

    public GaussianMixture {
        if (weights == null || means == null || stds == null)
            throw new IllegalArgumentException("gaussian-mixture needs \"weights\", \"means\" and \"stds\"");
        int m = weights.length;
        if (m == 0) throw new IllegalArgumentException("gaussian-mixture \"weights\" must not be empty");
        if (means.length != m || stds.length != m)
            throw new IllegalArgumentException("gaussian-mixture \"weights\", \"means\" and \"stds\" must have the same length, got "
                    + m + ", " + means.length + ", " + stds.length);
        int d = means[0].length;
        if (d == 0) throw new IllegalArgumentException("gaussian-mixture \"means\" must have dimension >= 1");
        double sum = 0;
        for (int j = 0; j < m; j++) {
            if (!(weights[j] > 0) || !Double.isFinite(weights[j]))
                throw new IllegalArgumentException("gaussian-mixture \"weights\"[" + j + "] must be a finite number > 0, got " + weights[j]);
            if (!(stds[j] > 0) || !Double.isFinite(stds[j]))
                throw new IllegalArgumentException("gaussian-mixture \"stds\"[" + j + "] must be a finite number > 0, got " + stds[j]);
            if (means[j].length != d)
                throw new IllegalArgumentException("gaussian-mixture \"means\"[" + j + "] has dimension " + means[j].length + ", expected " + d);
            for (double v : means[j])
                if (!Double.isFinite(v)) throw new IllegalArgumentException("gaussian-mixture \"means\"[" + j + "] must be finite");
            sum += weights[j];
        }
        // the weights are a distribution as given: never normalised for the caller (the JSON reader holds files to the same rule)
        if (!(Math.abs(sum - 1) <= 1e-6))
            throw new IllegalArgumentException("gaussian-mixture \"weights\" must sum to 1 (within 1e-6), got " + sum);
        double[] w = new double[m];
        for (int j = 0; j < m; j++) w[j] = weights[j] / sum;  // removes rounding below 1e-6 only
        weights = w;
        double[][] mm = new double[m][];
        for (int j = 0; j < m; j++) mm[j] = means[j].clone();
        means = mm;
        stds = stds.clone();
    }

    public int components() {
        return weights.length;
    }

    @Override
    public int dim() {
        return means[0].length;
    }

    @Override
    public void velocity(float[] x, int n, float t, float[] out) {
        int d = dim();
        int chunk = 512;
        Parallel.run(Parallel.chunks(n, chunk), c -> {
            int m = weights.length;
            double[] logw = new double[m];
            double[] pt = new double[d];
            for (int i = c * chunk, end = Math.min(n, i + chunk); i < end; i++) velocityOne(x, i * d, t, out, logw, pt);
        });
    }

    private void velocityOne(float[] x, int off, double t, float[] out, double[] logw, double[] p) {
        int d = dim(), m = weights.length;
        for (int k = 0; k < d; k++) p[k] = x[off + k];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            double var = varAt(j, t);
            double q = 0;
            for (int k = 0; k < d; k++) {
                double r = p[k] - t * means[j][k];
                q += r * r;
            }
            logw[j] = Math.log(weights[j]) - 0.5 * d * Math.log(var) - 0.5 * q / var;
            max = Math.max(max, logw[j]);
        }
        double z = 0;
        for (int j = 0; j < m; j++) z += (logw[j] = Math.exp(logw[j] - max));
        for (int k = 0; k < d; k++) {
            double v = 0;
            for (int j = 0; j < m; j++) {
                double s2 = stds[j] * stds[j];
                double coef = (t * s2 - (1 - t)) / varAt(j, t);
                v += logw[j] * (means[j][k] + coef * (p[k] - t * means[j][k]));
            }
            out[off + k] = (float) (v / z);
        }
    }

    /**
     * The exact vector-Jacobian product. With posterior weights w_j(x), v_j = mu_j + c_j (x - t mu_j),
     * c_j = (t s_j^2 - (1-t)) / var_j and a_j = -(x - t mu_j) / var_j = grad log N_j:
     * (dv/dx)^T g = sum_j w_j c_j g + sum_j w_j (v_j . g) (a_j - sum_k w_k a_k).
     */
    @Override
    public void vjp(float[] x, int n, float t, float[] g, float[] out) {
        int d = dim(), m = weights.length;
        double[] lw = new double[m], vg = new double[m], abar = new double[d];
        double[][] a = new double[m][d];
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double var = varAt(j, t), q = 0;
                for (int k = 0; k < d; k++) {
                    double r = x[off + k] - t * means[j][k];
                    q += r * r;
                    a[j][k] = -r / var;
                }
                lw[j] = Math.log(weights[j]) - 0.5 * d * Math.log(var) - 0.5 * q / var;
                max = Math.max(max, lw[j]);
            }
            double z = 0;
            for (int j = 0; j < m; j++) z += (lw[j] = Math.exp(lw[j] - max));
            java.util.Arrays.fill(abar, 0);
            double cw = 0;
            for (int j = 0; j < m; j++) {
                lw[j] /= z;
                double s2 = stds[j] * stds[j], c = (t * s2 - (1 - t)) / varAt(j, t), dot = 0;
                for (int k = 0; k < d; k++) {
                    double vj = means[j][k] + c * (x[off + k] - t * means[j][k]);
                    dot += vj * g[off + k];
                    abar[k] += lw[j] * a[j][k];
                }
                vg[j] = dot;
                cw += lw[j] * c;
            }
            for (int k = 0; k < d; k++) {
                double acc = cw * g[off + k];
                for (int j = 0; j < m; j++) acc += lw[j] * vg[j] * (a[j][k] - abar[k]);
                out[off + k] = (float) acc;
            }
        }
    }

    private double varAt(int j, double t) {
        double s = stds[j];
        return (1 - t) * (1 - t) + t * t * s * s;
    }

    /** Mixture mean. */
    public double[] mean() {
        int d = dim();
        double[] mu = new double[d];
        for (int j = 0; j < weights.length; j++)
            for (int k = 0; k < d; k++) mu[k] += weights[j] * means[j][k];
        return mu;
    }

    /** Mixture covariance, d x d. */
    public double[][] covariance() {
        int d = dim();
        double[] mu = mean();
        double[][] c = new double[d][d];
        for (int j = 0; j < weights.length; j++) {
            double s2 = stds[j] * stds[j];
            for (int a = 0; a < d; a++) {
                c[a][a] += weights[j] * s2;
                for (int b = 0; b < d; b++)
                    c[a][b] += weights[j] * (means[j][a] - mu[a]) * (means[j][b] - mu[b]);
            }
        }
        return c;
    }

    /** Log density at one point. */
    public double logDensity(double[] x) {
        int d = dim();
        double max = Double.NEGATIVE_INFINITY;
        double[] l = new double[weights.length];
        for (int j = 0; j < weights.length; j++) {
            double s2 = stds[j] * stds[j], q = 0;
            for (int k = 0; k < d; k++) q += (x[k] - means[j][k]) * (x[k] - means[j][k]);
            l[j] = Math.log(weights[j]) - 0.5 * d * Math.log(2 * Math.PI * s2) - 0.5 * q / s2;
            max = Math.max(max, l[j]);
        }
        double z = 0;
        for (double v : l) z += Math.exp(v - max);
        return max + Math.log(z);
    }

    /** n exact samples, drawn from per-point streams of seed. */
    public float[] sample(int n, long seed) {
        int d = dim();
        float[] x = new float[n * d];
        long[] st = Rng.streams(Rng.subSeed(seed, "mixture-sample"), n);
        float[] eps = new float[d];
        for (int i = 0; i < n; i++) {
            double u = Rng.nextDouble(st, i), c = 0;
            int j = 0;
            for (; j < weights.length - 1; j++) {
                c += weights[j];
                if (u < c) break;
            }
            Rng.fillGaussian(st, i, eps, 0, d);
            for (int k = 0; k < d; k++) x[i * d + k] = (float) (means[j][k] + stds[j] * eps[k]);
        }
        return x;
    }

    /** A mixture together with the log normalizer log E_p[exp(lambda r(x))] of a tilt. */
    public record Tilted(GaussianMixture mixture, double logZ) {}

    /**
     * The exact tilt p(x) exp(lambda a.x) / Z. Component j becomes N(mu_j + lambda s_j^2 a, s_j^2 I)
     * with weight proportional to pi_j exp(lambda a.mu_j + lambda^2 s_j^2 |a|^2 / 2).
     */
    public Tilted tiltLinear(double[] a, double lambda) {
        int d = dim(), m = weights.length;
        if (a.length != d) throw new IllegalArgumentException("linear reward has dimension " + a.length + ", mixture has " + d);
        double a2 = 0;
        for (double v : a) a2 += v * v;
        double[] lw = new double[m];
        double[][] mu = new double[m][d];
        for (int j = 0; j < m; j++) {
            double s2 = stds[j] * stds[j], am = 0;
            for (int k = 0; k < d; k++) {
                am += a[k] * means[j][k];
                mu[j][k] = means[j][k] + lambda * s2 * a[k];
            }
            lw[j] = Math.log(weights[j]) + lambda * am + 0.5 * lambda * lambda * s2 * a2;
        }
        return normalize(lw, mu, stds.clone());
    }

    /**
     * The exact tilt p(x) exp(-lambda |x - c|^2) / Z: component j becomes N((mu_j/s^2 + 2 lambda c) /
     * (1/s^2 + 2 lambda), 1/(1/s^2 + 2 lambda) I), with weight proportional to
     * pi_j (1 + 2 lambda s^2)^(-d/2) exp(-lambda |mu_j - c|^2 / (1 + 2 lambda s^2)).
     */
    public Tilted tiltQuadratic(double[] c, double lambda) {
        int d = dim(), m = weights.length;
        if (c.length != d) throw new IllegalArgumentException("quadratic reward has dimension " + c.length + ", mixture has " + d);
        double[] lw = new double[m];
        double[][] mu = new double[m][d];
        double[] sd = new double[m];
        for (int j = 0; j < m; j++) {
            double s2 = stds[j] * stds[j];
            double g = 1 + 2 * lambda * s2;
            if (!(g > 0)) throw new IllegalArgumentException("quadratic tilt is not normalizable for lambda " + lambda);
            double prec = 1 / s2 + 2 * lambda, q = 0;
            for (int k = 0; k < d; k++) {
                mu[j][k] = (means[j][k] / s2 + 2 * lambda * c[k]) / prec;
                q += (means[j][k] - c[k]) * (means[j][k] - c[k]);
            }
            sd[j] = Math.sqrt(1 / prec);
            lw[j] = Math.log(weights[j]) - 0.5 * d * Math.log(g) - lambda * q / g;
        }
        return normalize(lw, mu, sd);
    }

    private static Tilted normalize(double[] lw, double[][] mu, double[] sd) {
        double max = Arrays.stream(lw).max().orElseThrow(), z = 0;
        for (double v : lw) z += Math.exp(v - max);
        double[] w = new double[lw.length];
        for (int j = 0; j < lw.length; j++) w[j] = Math.exp(lw[j] - max) / z;
        return new Tilted(new GaussianMixture(w, mu, sd), max + Math.log(z));
    }

    @Override
    public String describe() {
        return "gaussian-mixture(components=" + weights.length + ", d=" + dim() + ")";
    }
}
