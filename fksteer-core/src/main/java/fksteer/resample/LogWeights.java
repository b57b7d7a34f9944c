package fksteer.resample;

import java.util.Arrays;

/**
 * Particle weights kept in log space, the one place where they are normalised. Holds unnormalised
 * log-weights lw_i; computes normalised weights W_i = exp(lw_i - logsumexp(lw)), the effective sample
 * size 1 / sum W_i^2 and the log-mean weight logsumexp(lw) - log n (the log Z increment).
 *
 * <p>Mutable by design (the sampling loop must not allocate): methods that change it say so.
 * NaN log-weights are treated as -inf; +inf log-weights share all the mass equally; if every
 * log-weight is -inf, normalisation fails with a clear message. Every normalised quantity (weights,
 * log-weights, log-mean, ESS) comes from one computation that stays normalised at any magnitude of
 * the log-weights. Sums run in index order, so results never depend on threads or the JIT.
 */
public final class LogWeights {
    private final double[] lw;
    /** Scratch of {@link #logSumExp}, so that no method allocates. */
    private final double[] scratch;
    private final int n;

    public LogWeights(int n) {
        if (n < 1) throw new IllegalArgumentException("need at least one particle");
        this.n = n;
        this.lw = new double[n];
        this.scratch = new double[n];
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

    /**
     * The one normalisation every other method uses: writes log W_i = (lw_i - m) - log s into out, with
     * m = max_i lw_i and s = sum_i exp(lw_i - m) in [1, n] summed in index order, and returns
     * log sum_i exp(lw_i) = m + log s. Subtracting m and log s separately keeps the weights normalised
     * at any magnitude: with |lw| around 1e40, m + log s rounds to m, and lw_i - (m + log s) would leave
     * weights that sum to s, not 1. When some lw_i are +inf, they share the mass equally (log W = -log c
     * for the c of them, -inf for the rest) and the result is +inf. out: Modified.
     *
     * @throws IllegalStateException when every weight is zero (every lw_i is -inf)
     */
    private double normalize(double[] out) {
        double m = max();
        if (m == Double.NEGATIVE_INFINITY)
            throw new IllegalStateException("all particle weights are zero: every reward was -inf or NaN");
        if (m == Double.POSITIVE_INFINITY) {
            int c = 0;
            for (int i = 0; i < n; i++) if (lw[i] == Double.POSITIVE_INFINITY) c++;
            double share = -Math.log(c);
            for (int i = 0; i < n; i++) out[i] = lw[i] == Double.POSITIVE_INFINITY ? share : Double.NEGATIVE_INFINITY;
            return Double.POSITIVE_INFINITY;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            double di = lw[i] - m;      // <= 0; -inf for zero weights (and for those too small to matter)
            out[i] = di;
            s += Math.exp(di);
        }
        double logS = Math.log(s);      // in [0, log n]
        for (int i = 0; i < n; i++) out[i] -= logS;
        return m + logS;
    }

    /** log sum_i exp(lw_i), stable; +inf when some lw_i is +inf. */
    public double logSumExp() {
        return normalize(scratch);
    }

    /** log((1/n) sum_i exp(lw_i)): the log of the mean weight. */
    public double logMean() {
        return logSumExp() - Math.log(n);
    }

    /**
     * Writes normalised weights W_i = exp(log W_i) (summing to 1 within rounding) into out; exactly the
     * exponentials of {@link #normalizedLog}. out: Modified.
     *
     * @throws IllegalStateException when every weight is zero (all rewards invalid)
     */
    public void normalized(double[] out) {
        normalize(out);
        for (int i = 0; i < n; i++) out[i] = Math.exp(out[i]);
    }

    /** Normalised log-weights log W_i = lw_i - logsumexp(lw) into out (-inf for zero weight). out: Modified. */
    public void normalizedLog(double[] out) {
        normalize(out);
    }

    /** Effective sample size 1 / sum W_i^2, in [1, n]. w: Modified (holds the normalised weights). */
    public double ess(double[] w) {
        normalized(w);
        double s = 0;
        for (int i = 0; i < n; i++) s += w[i] * w[i];
        return 1.0 / s;
    }
}
