package fksteer.eval;

import fksteer.io.InvalidSettingException;

/**
 * The Fréchet distance between Gaussians fitted to two sets of feature vectors (FID's formula, in any
 * feature space): d² = |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). Everything is computed in
 * double, in a fixed order (a cyclic Jacobi eigensolver), so the same features give the same bits.
 *
 * <p>The estimate is biased upward at small sample sizes (the covariance of n points in d dimensions has
 * rank at most n − 1); compare distances only at equal n.
 */
public final class Frechet {
    private Frechet() {}

    /** Mean and covariance (divided by n − 1) of n rows of d features. */
    public record Gaussian(double[] mean, double[][] cov, int n) {}

    public static Gaussian fit(float[] features, int n, int d) {
        InvalidSettingException.require(n >= 2, "samples", "a Fréchet distance needs at least 2 feature rows, got " + n);
        InvalidSettingException.require(d >= 1 && features.length >= (long) n * d, "features", "must hold n x d values");
        double[] mu = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mu[j] += features[i * d + j];
        for (int j = 0; j < d; j++) mu[j] /= n;
        double[][] c = new double[d][d];
        double[] dev = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) dev[j] = features[i * d + j] - mu[j];
            for (int a = 0; a < d; a++)
                for (int b = a; b < d; b++) c[a][b] += dev[a] * dev[b];
        }
        for (int a = 0; a < d; a++)
            for (int b = a; b < d; b++) {
                c[a][b] /= n - 1;
                c[b][a] = c[a][b];
            }
        return new Gaussian(mu, c, n);
    }

    /** The squared Fréchet distance between two fitted Gaussians (FID reports this squared value). */
    public static double distance(Gaussian p, Gaussian q) {
        int d = p.mean.length;
        InvalidSettingException.require(q.mean.length == d, "features", "both sets need the same dimension");
        double m = 0;
        for (int j = 0; j < d; j++) m += (p.mean[j] - q.mean[j]) * (p.mean[j] - q.mean[j]);
        double[][] s1 = sqrtPsd(p.cov);
        double[][] inner = multiply(multiply(s1, q.cov), s1);
        symmetrize(inner);
        double[] ev = eigenvalues(inner);
        double trSqrt = 0;
        for (double e : ev) trSqrt += Math.sqrt(Math.max(0, e));
        double tr = 0;
        for (int j = 0; j < d; j++) tr += p.cov[j][j] + q.cov[j][j];
        return Math.max(0, m + tr - 2 * trSqrt);
    }

    /** Mean Euclidean distance over all pairs of n rows of d features: a diversity measure. */
    public static double meanPairwiseDistance(float[] features, int n, int d) {
        if (n < 2) return 0;
        double s = 0;
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++) {
                double q = 0;
                for (int j = 0; j < d; j++) {
                    double t = features[i * d + j] - features[k * d + j];
                    q += t * t;
                }
                s += Math.sqrt(q);
            }
        return s / ((double) n * (n - 1) / 2);
    }

    /** The symmetric square root of a symmetric positive semi-definite matrix (negative eigenvalues, from rounding, taken as 0). */
    static double[][] sqrtPsd(double[][] a) {
        int d = a.length;
        double[][] v = new double[d][d];
        double[] ev = jacobi(copy(a), v);
        double[][] out = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += v[i][k] * Math.sqrt(Math.max(0, ev[k])) * v[j][k];
                out[i][j] = s;
            }
        return out;
    }

    static double[] eigenvalues(double[][] a) {
        return jacobi(copy(a), null);
    }

    /**
     * Cyclic Jacobi: rotates a (symmetric, overwritten) to diagonal form; returns its eigenvalues and,
     * when v is given, fills its columns with the eigenvectors. Sweeps until the off-diagonal mass is
     * below 1e-30 of the total (or 100 sweeps).
     */
    private static double[] jacobi(double[][] a, double[][] v) {
        int d = a.length;
        if (v != null) for (int i = 0; i < d; i++) {
            java.util.Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, total = 0;
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) {
                    total += a[i][j] * a[i][j];
                    if (i != j) off += a[i][j] * a[i][j];
                }
            if (off <= 1e-30 * total || total == 0) break;
            for (int p = 0; p < d - 1; p++)
                for (int q = p + 1; q < d; q++) {
                    double apq = a[p][q];
                    if (apq == 0) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < d; k++) {           // columns p, q
                        double akp = a[k][p], akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) {           // rows p, q
                        double apk = a[p][k], aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    if (v != null) for (int k = 0; k < d; k++) {
                        double vkp = v[k][p], vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
        }
        double[] ev = new double[d];
        for (int i = 0; i < d; i++) ev[i] = a[i][i];
        return ev;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int d = a.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++) {
                double aik = a[i][k];
                for (int j = 0; j < d; j++) c[i][j] += aik * b[k][j];
            }
        return c;
    }

    private static void symmetrize(double[][] a) {
        for (int i = 0; i < a.length; i++)
            for (int j = i + 1; j < a.length; j++) a[i][j] = a[j][i] = 0.5 * (a[i][j] + a[j][i]);
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }
}
