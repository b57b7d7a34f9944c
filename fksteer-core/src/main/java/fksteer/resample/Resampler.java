package fksteer.resample;

import fksteer.rng.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * How to resample: draw m ancestor indices from weights W (one signature for every scheme). When to
 * resample is a separate decision ({@link ResampleSchedule}).
 *
 * <p>All schemes invert the cumulative sum against uniforms scaled by the sum's own total, and pick the
 * first index whose cumulative sum exceeds the uniform strictly, so a zero-weight particle is never
 * chosen and a cumulative sum that rounds to just below 1 cannot run off the end.
 */
public enum Resampler {
    /** m i.i.d. draws from W. */
    MULTINOMIAL,
    /** one uniform in each stratum [i/m, (i+1)/m). */
    STRATIFIED,
    /** one shared uniform: u_i = (i + U) / m. Lowest variance of the four in practice; the default. */
    SYSTEMATIC,
    /** floor(m W_i) copies of each, the remainder multinomially from the residual weights. */
    RESIDUAL;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Resampler parse(String s) {
        for (Resampler r : values()) if (r.cliName().equals(s.toLowerCase(Locale.ROOT))) return r;
        throw new fksteer.io.InvalidSettingException("resampler", "must be one of systematic, multinomial, stratified, residual; got '" + s + "'");
    }

    /**
     * Fills out[0..m) with ancestor indices in [0, n), drawn with probabilities w[i] / sum(w).
     * w: Not modified (non-negative, finite, with positive sum). rng: Modified. out: Modified.
     */
    public void resample(double[] w, int n, long[] rng, int[] out, int m) {
        resample(w, n, rng, out, m, new Scratch(n, m));
    }

    /** Reusable buffers, so that resampling inside a sampling loop allocates nothing. */
    public static final class Scratch {
        final double[] cum, u, res;
        final int[] tail;

        public Scratch(int n, int m) {
            cum = new double[n];
            res = new double[n];
            u = new double[m];
            tail = new int[m];
        }
    }

    /** As {@link #resample(double[], int, long[], int[], int)}, with caller-owned scratch (Modified). */
    public void resample(double[] w, int n, long[] rng, int[] out, int m, Scratch sc) {
        double[] cum = sc.cum;
        double c = 0;
        int lastPositive = -1;
        for (int i = 0; i < n; i++) {
            double wi = w[i];
            if (!(wi >= 0) || wi == Double.POSITIVE_INFINITY)
                throw new IllegalArgumentException("resampling weights must be finite and >= 0, got " + wi + " at " + i);
            c += wi;
            cum[i] = c;
            if (wi > 0) lastPositive = i;
        }
        if (lastPositive < 0) throw new IllegalStateException("cannot resample: all weights are zero");
        double total = c;
        switch (this) {
            case MULTINOMIAL -> {
                double[] u = sc.u;
                for (int i = 0; i < m; i++) u[i] = Rng.nextDouble(rng, 0);
                Arrays.sort(u, 0, m);
                invert(cum, total, lastPositive, u, out, m);
            }
            case STRATIFIED -> {
                double[] u = sc.u;
                for (int i = 0; i < m; i++) u[i] = (i + Rng.nextDouble(rng, 0)) / m;
                invert(cum, total, lastPositive, u, out, m);
            }
            case SYSTEMATIC -> {
                double u0 = Rng.nextDouble(rng, 0);
                double[] u = sc.u;
                for (int i = 0; i < m; i++) u[i] = (i + u0) / m;
                invert(cum, total, lastPositive, u, out, m);
            }
            case RESIDUAL -> {
                int k = 0;
                double[] res = sc.res;
                for (int i = 0; i < n; i++) {
                    double e = m * w[i] / total;
                    int copies = (int) Math.floor(e);
                    for (int j = 0; j < copies && k < m; j++) out[k++] = i;
                    res[i] = Math.max(0.0, e - copies);
                }
                int rest = m - k;
                if (rest > 0) {
                    int[] tail = sc.tail;
                    double rs = 0;
                    for (int i = 0; i < n; i++) rs += res[i];
                    // the residual draw reuses cum and u, which this scheme has not used
                    if (rs > 0) MULTINOMIAL.resample(res, n, rng, tail, rest, sc);
                    else MULTINOMIAL.resample(w, n, rng, tail, rest, sc);
                    System.arraycopy(tail, 0, out, k, rest);
                }
            }
        }
    }

    /** For sorted u in [0,1): out[i] = first j with u_i * total < cum[j] (clamped to the last positive). */
    private static void invert(double[] cum, double total, int lastPositive, double[] u, int[] out, int m) {
        int j = 0;
        for (int i = 0; i < m; i++) {
            double target = u[i] * total;
            while (j < lastPositive && !(target < cum[j])) j++;
            out[i] = j;
        }
    }
}
