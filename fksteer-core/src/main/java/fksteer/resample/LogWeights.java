package fksteer.resample;

import java.util.Arrays;

/**
 * Particle weights kept in log space, the one place where they are normalised. Holds unnormalised
 * log-weights lw_i; computes normalised weights W_i = exp(lw_i - logsumexp(lw)), the effective sample
 * size 1 / sum W_i^2 and the log-mean weight logsumexp(lw) - log n (the log Z increment).
 *
 * <p>Mutable by design (the sampling loop must not allocate): methods that change it say so.
 * NaN log-weights are treated as -inf; +inf log-weights share all the mass equally; if every
 * log-weight is -inf, normalisation fails with a clear message.
 */
public final class LogWeights {
    private final double[] lw;
    private final int n;

    public LogWeights(int n) {
        if (n < 1) throw new IllegalArgumentException("need at least one particle");
        this.n = n;
        this.lw = new double[n];
    }

    public int size() {
        return n;
    }

    /** The raw log-weights (live array). */
    public double[] raw() {
        return lw;
    }

    /** Sets all log-weights to 0 (uniform). Modifies this. */
    public void reset() {
        Arrays.fill(lw, 0.0);
    }

    /** lw_i += logG_i, i.e. W_i is multiplied by G_i. NaN becomes -inf. Modifies this. */
    public void add(double[] logG) {
        for (int i = 0; i < n; i++) {
            double v = lw[i] + logG[i];
            lw[i] = Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
        }
    }

    /** Reorders the log-weights by ancestor indices (lw_i = old lw_{a_i}). Modifies this; tmp: Modified. */
    public void permute(int[] ancestors, double[] tmp) {
        for (int i = 0; i < n; i++) tmp[i] = lw[ancestors[i]];
        System.arraycopy(tmp, 0, lw, 0, n);
    }

    public double max() {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (lw[i] > m) m = lw[i];
        return m;
    }

    /** log sum_i exp(lw_i), stable. */
    public double logSumExp() {
        double m = max();
        if (m == Double.NEGATIVE_INFINITY || m == Double.POSITIVE_INFINITY) return m;
        double s = 0;
        for (int i = 0; i < n; i++) s += Math.exp(lw[i] - m);
        return m + Math.log(s);
    }

    /** log((1/n) sum_i exp(lw_i)): the log of the mean weight. */
    public double logMean() {
        return logSumExp() - Math.log(n);
    }

    /**
     * Writes normalised weights W (summing to 1) into out. out: Modified.
     *
     * @throws IllegalStateException when every weight is zero (all rewards invalid)
     */
    public void normalized(double[] out) {
        double m = max();
        if (m == Double.NEGATIVE_INFINITY)
            throw new IllegalStateException("all particle weights are zero: every reward was -inf or NaN");
        if (m == Double.POSITIVE_INFINITY) {
            int c = 0;
            for (int i = 0; i < n; i++) if (lw[i] == Double.POSITIVE_INFINITY) c++;
            for (int i = 0; i < n; i++) out[i] = lw[i] == Double.POSITIVE_INFINITY ? 1.0 / c : 0.0;
            return;
        }
        double s = 0;
        for (int i = 0; i < n; i++) s += (out[i] = Math.exp(lw[i] - m));
        for (int i = 0; i < n; i++) out[i] /= s;
    }

    /** Normalised log-weights lw_i - logsumexp(lw) into out (-inf for zero weight). out: Modified. */
    public void normalizedLog(double[] out) {
        double m = max();
        if (m == Double.NEGATIVE_INFINITY)
            throw new IllegalStateException("all particle weights are zero: every reward was -inf or NaN");
        if (m == Double.POSITIVE_INFINITY) {
            int c = 0;
            for (int i = 0; i < n; i++) if (lw[i] == Double.POSITIVE_INFINITY) c++;
            for (int i = 0; i < n; i++) out[i] = lw[i] == Double.POSITIVE_INFINITY ? -Math.log(c) : Double.NEGATIVE_INFINITY;
            return;
        }
        double lse = logSumExp();
        for (int i = 0; i < n; i++) out[i] = lw[i] - lse;
    }

    /** Effective sample size 1 / sum W_i^2, in [1, n]. scratch: Modified. */
    public double ess(double[] scratch) {
        normalized(scratch);
        double s = 0;
        for (int i = 0; i < n; i++) s += scratch[i] * scratch[i];
        return 1.0 / s;
    }
}
