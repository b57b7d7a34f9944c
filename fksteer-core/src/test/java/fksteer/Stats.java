package fksteer;

/** Sample statistics for Monte Carlo assertions. */
public final class Stats {
    private Stats() {}

    public static double[] mean(float[] x, int n, int d) {
        double[] m = new double[d];
        for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) m[k] += x[i * d + k];
        for (int k = 0; k < d; k++) m[k] /= n;
        return m;
    }

    public static double[][] cov(float[] x, int n, int d) {
        double[] m = mean(x, n, d);
        double[][] c = new double[d][d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) c[a][b] += (x[i * d + a] - m[a]) * (x[i * d + b] - m[b]);
        for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) c[a][b] /= (n - 1);
        return c;
    }

    public static double mean(double[] a) {
        double s = 0;
        for (double v : a) s += v;
        return s / a.length;
    }

    public static double sd(double[] a) {
        double m = mean(a), s = 0;
        for (double v : a) s += (v - m) * (v - m);
        return Math.sqrt(s / (a.length - 1));
    }

    /** Standard error of the mean of a. */
    public static double se(double[] a) {
        return sd(a) / Math.sqrt(a.length);
    }

    /**
     * Standard error of the sample covariance entry (a, b) for n i.i.d. draws, from the true covariance
     * matrix under a Gaussian approximation: Var(s_ab) ~ (s_aa s_bb + s_ab^2) / n. The mixtures used are
     * not Gaussian, so callers use the empirical fourth moments instead via {@link #covEntrySe}.
     */
    public static double covEntrySe(float[] x, int n, int d, int a, int b) {
        double[] m = mean(x, n, d);
        double c = 0;
        double[] prod = new double[n];
        for (int i = 0; i < n; i++) {
            prod[i] = (x[i * d + a] - m[a]) * (x[i * d + b] - m[b]);
            c += prod[i];
        }
        c /= n;
        double v = 0;
        for (int i = 0; i < n; i++) v += (prod[i] - c) * (prod[i] - c);
        return Math.sqrt(v / (n - 1) / n);
    }

    /**
     * Null when the sample mean and covariance of x (n × d) are within z standard errors of (mu, cov)
     * (the empirical fourth moments for covariances); else the worst entry and how far off it is.
     */
    public static String moments(float[] x, int n, double[] mu, double[][] cov, double z) {
        int d = mu.length;
        double[] m = mean(x, n, d);
        double[][] c = cov(x, n, d);
        double worst = 0;
        String where = "";
        for (int a = 0; a < d; a++) {
            double za = Math.abs(m[a] - mu[a]) / Math.sqrt(cov[a][a] / n);
            if (za > worst) {
                worst = za;
                where = String.format(java.util.Locale.ROOT, "mean[%d] = %.4f, exact %.4f", a, m[a], mu[a]);
            }
            for (int b = a; b < d; b++) {
                double zc = Math.abs(c[a][b] - cov[a][b]) / covEntrySe(x, n, d, a, b);
                if (zc > worst) {
                    worst = zc;
                    where = String.format(java.util.Locale.ROOT, "cov[%d][%d] = %.4f, exact %.4f", a, b, c[a][b], cov[a][b]);
                }
            }
        }
        return worst > z ? String.format(java.util.Locale.ROOT, "%s: off by %.1f SE", where, worst) : null;
    }
}
