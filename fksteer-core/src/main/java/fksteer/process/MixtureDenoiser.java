package fksteer.process;

import fksteer.model.GaussianMixture;
import fksteer.rng.Rng;

/**
 * The exact denoiser of a Gaussian mixture sum_j π_j N(μ_j, s_j² I) under any process
 * x = a·x0 + s·ε: given component j, x ~ N(a μ_j, (a² s_j² + s²) I), and
 * <pre>
 *   E[x0 | x, j] = μ_j + a s_j² / (a² s_j² + s²) · (x - a μ_j),
 * </pre>
 * so E[x0 | x] is the posterior-weighted average over components and E[ε | x] = (x - a E[x0 | x]) / s.
 * With these, every prediction (ε, v, x0, velocity) of the ideal network is closed-form: the ground
 * truth of the scheduler tests.
 */
public final class MixtureDenoiser {
    private final GaussianMixture mixture;

    public MixtureDenoiser(GaussianMixture mixture) {
        this.mixture = mixture;
    }

    public int dim() {
        return mixture.dim();
    }

    /**
     * The ideal network's output for n points at a process time with coefficients (a, s) and their
     * time derivatives (da, ds; used by the velocity prediction only).
     *
     * @param x   n × d noisy points. Not modified.
     * @param out n × d outputs. Modified.
     */
    public void predict(Prediction p, double a, double s, double da, double ds, float[] x, int n, float[] out) {
        int d = dim(), m = mixture.components();
        double[] w = mixture.weights(), sd = mixture.stds();
        double[][] mu = mixture.means();
        double[] lw = new double[m];
        float[] x0 = new float[d], eps = new float[d], o = new float[d];
        for (int i = 0; i < n; i++) {
            int off = i * d;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) {
                double var = a * a * sd[j] * sd[j] + s * s, q = 0;
                for (int k = 0; k < d; k++) {
                    double r = x[off + k] - a * mu[j][k];
                    q += r * r;
                }
                lw[j] = Math.log(w[j]) - 0.5 * d * Math.log(var) - 0.5 * q / var;
                max = Math.max(max, lw[j]);
            }
            double z = 0;
            for (int j = 0; j < m; j++) z += (lw[j] = Math.exp(lw[j] - max));
            for (int k = 0; k < d; k++) {
                double e0 = 0;
                for (int j = 0; j < m; j++) {
                    double s2 = sd[j] * sd[j], var = a * a * s2 + s * s;
                    e0 += lw[j] * (mu[j][k] + a * s2 / var * (x[off + k] - a * mu[j][k]));
                }
                e0 /= z;
                x0[k] = (float) e0;
                eps[k] = (float) ((x[off + k] - a * e0) / s);
            }
            p.fromX0Eps(a, s, da, ds, x0, eps, o, d);
            System.arraycopy(o, 0, out, off, d);
        }
    }

    /**
     * n exact draws of x = a·x0 + s·ε with x0 from the mixture: the process's true marginal at that
     * time, used to start samplers exactly where the scheduler's first step expects.
     */
    public float[] sampleMarginal(double a, double s, int n, long seed) {
        int d = dim();
        float[] x0 = mixture.sample(n, seed);
        long[] st = Rng.streams(Rng.subSeed(seed, "marginal-noise"), n);
        float[] x = new float[n * d], e = new float[d];
        for (int i = 0; i < n; i++) {
            Rng.fillGaussian(st, i, e, 0, d);
            for (int k = 0; k < d; k++) x[i * d + k] = (float) (a * x0[i * d + k] + s * e[k]);
        }
        return x;
    }
}
