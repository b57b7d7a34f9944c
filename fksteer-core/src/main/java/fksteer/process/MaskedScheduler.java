package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.rng.Rng;

/**
 * MDLM's sampler for masked (absorbing-state) diffusion (Sahoo et al. 2024, "Simple and Effective
 * Masked Diffusion Language Models"), on the log-linear schedule, one sequence at a time.
 *
 * <p>The forward process masks every token independently: at masking time t in [0, 1] a token is the
 * mask with probability α(t) = (1 - ε) t (the log-linear schedule σ(t) = -log(1 - (1 - ε) t),
 * α = 1 - e^(-σ)). The reverse sampler starts from the all-mask sequence at t = 1 and walks a uniform
 * grid t_0 = 1 > t_1 > ... > t_(S-2) = ε in S - 1 ancestral steps, then one noise-removal step to
 * t = 0. Model outputs are log-probabilities in the SUBS parameterisation: the mask has probability 0,
 * and already unmasked tokens are carried over unchanged.
 *
 * <p>Step s (from t = t_s to s' = t_(s+1) < t), at every masked position independently:
 * <pre>
 *   stay masked      with probability  s'/t                        (= α(s')/α(t))
 *   unmask to v      with probability  ((t - s')/t) p_θ(v | x_t)    (MDLM eq. 7 under SUBS)
 * </pre>
 * The last step (noise removal, MDLM's {@code noise_removal}) gives every still-masked position the
 * argmax of p_θ: deterministic. One uniform draw per masked position per ancestral step, from the
 * sequence's own stream, so a sample does not depend on batching or threads.
 */
public final class MaskedScheduler {
    /** MDLM's ε of the log-linear schedule. */
    public static final double DEFAULT_EPS = 1e-3;

    private final double eps;
    private final double[] t;     // t[s] for s in [0, steps): the masking time of step s; t[steps] = 0
    private final int length, vocab, mask;

    /**
     * The grid from masking time `from` (1 for a run from noise) to ε in steps - 1 ancestral steps, then
     * the noise removal; with steps = 1 the only step is the noise removal at `from`.
     */
    MaskedScheduler(double eps, double from, int steps, int length, int vocab, int mask) {
        InvalidSettingException.require(eps > 0 && eps < 1, "eps", "must be in (0, 1), got " + eps);
        InvalidSettingException.require(steps >= 1, "steps", "must be >= 1, got " + steps);
        if (!(from > 0 && from <= 1)) throw new IllegalArgumentException("a masked chain starts at a masking time in (0, 1], got " + from);
        this.eps = eps;
        this.length = length;
        this.vocab = vocab;
        this.mask = mask;
        this.t = new double[steps + 1];
        double end = Math.min(eps, from);
        for (int s = 0; s < steps; s++) t[s] = steps == 1 ? from : from - (from - end) * s / (steps - 1);  // linspace(from, ε, S)
        t[steps] = 0;
    }

    public int steps() {
        return t.length - 1;
    }

    /** The masking time of step s (1 at the first step of a run from noise, 0 at s = steps). */
    public double time(int s) {
        return t[s];
    }

    public double eps() {
        return eps;
    }

    /** α(t) = (1 - ε) t: the probability that the forward process has masked a token at time t. */
    public double maskProbability(double time) {
        return (1 - eps) * time;
    }

    /** Whether step s is the final noise removal (argmax, no draw). */
    public boolean removesNoise(int s) {
        return s == steps() - 1;
    }

    /** The probability that a masked token stays masked in step s: t_(s+1)/t_s; 0 for the noise removal. */
    public double stayMasked(int s) {
        return removesNoise(s) ? 0.0 : t[s + 1] / t[s];
    }

    /**
     * One sequence's step s: tokens[off .. off + L) move from t_s to t_(s+1). logp holds the model's
     * log-probabilities at this sequence's masked positions (L × V from lOff; the mask's entry -inf).
     * Draws from rng stream i. Returns whether any token changed.
     */
    boolean step(int s, int[] tokens, int off, float[] logp, int lOff, long[] rng, int i) {
        boolean changed = false;
        if (removesNoise(s)) {
            for (int l = 0; l < length; l++)
                if (tokens[off + l] == mask) {
                    tokens[off + l] = argmax(logp, lOff + l * vocab);     // x_0 = argmax p_θ(x_0 | x_ε)
                    changed = true;
                }
            return changed;
        }
        if (rng == null || rng.length <= i) throw new IllegalArgumentException("an ancestral step needs one random stream per sequence");
        double stay = stayMasked(s);
        for (int l = 0; l < length; l++) {
            if (tokens[off + l] != mask) continue;                        // SUBS: unmasked tokens are carried over
            double u = Rng.nextDouble(rng, i);
            if (u < stay) continue;                                       // stays masked: probability s'/t
            tokens[off + l] = sample(logp, lOff + l * vocab, (u - stay) / (1 - stay)); // v ~ p_θ(· | x_t), given it unmasks
            changed = true;
        }
        return changed;
    }

    /**
     * log p(x_(s+1) = to | x_s = from) of step s for one sequence, exactly as {@link #step} draws it:
     * the sum over positions of log(s'/t) (stays masked), log((t - s')/t) + log p_θ(v) (unmasked to v),
     * 0 (an unmasked token carried over) or -inf (anything the step cannot do).
     */
    double logTransition(int s, int[] from, int fOff, int[] to, int tOff, float[] logp, int lOff) {
        double lp = 0, stay = stayMasked(s);
        for (int l = 0; l < length; l++) {
            int a = from[fOff + l], b = to[tOff + l];
            if (a != mask) {
                if (b != a) return Double.NEGATIVE_INFINITY;              // carry-over
                continue;
            }
            int row = lOff + l * vocab;
            if (removesNoise(s)) {
                if (b != argmax(logp, row)) return Double.NEGATIVE_INFINITY;
                continue;
            }
            if (b == mask) lp += Math.log(stay);
            else lp += Math.log1p(-stay) + logp[row + b] - Math.log(total(logp, row));
        }
        return lp;
    }

    /**
     * The forward process from step `from` back to the noisier step `to` < from, for one sequence: each
     * unmasked token is masked with probability (α(t_to) - α(t_from)) / (1 - α(t_from)), which maps the
     * forward marginal at t_from exactly onto the one at t_to. Returns whether any token changed.
     */
    boolean remask(int from, int to, int[] tokens, int off, long[] rng, int i) {
        double aFrom = maskProbability(t[from]), aTo = maskProbability(t[to]);
        double p = (aTo - aFrom) / (1 - aFrom);
        boolean changed = false;
        for (int l = 0; l < length; l++) {
            if (tokens[off + l] == mask) continue;
            if (Rng.nextDouble(rng, i) < p) {
                tokens[off + l] = mask;
                changed = true;
            }
        }
        return changed;
    }

    /** x̂0 of one sequence: masked positions take the argmax of p_θ, unmasked ones are kept. */
    void argmaxData(int[] tokens, int off, float[] logp, int lOff, int[] dst, int dOff) {
        for (int l = 0; l < length; l++) {
            int a = tokens[off + l];
            dst[dOff + l] = a == mask ? argmax(logp, lOff + l * vocab) : a;
        }
    }

    /** x̂0 ~ p_θ(x0 | x_t) of one sequence, positions independent (MDLM's factorisation), unmasked kept; draws from stream i. */
    void sampleData(int[] tokens, int off, float[] logp, int lOff, int[] dst, int dOff, long[] rng, int i) {
        for (int l = 0; l < length; l++) {
            int a = tokens[off + l];
            dst[dOff + l] = a == mask ? sample(logp, lOff + l * vocab, Rng.nextDouble(rng, i)) : a;
        }
    }

    /** The token of highest probability at row (the lowest id on ties), never the mask. */
    private int argmax(float[] logp, int row) {
        int best = -1;
        for (int v = 0; v < vocab; v++)
            if (v != mask && (best < 0 || logp[row + v] > logp[row + best])) best = v;
        return best;
    }

    /** Σ_v exp(logp_v) in double (1 up to float rounding). */
    private double total(float[] logp, int row) {
        double z = 0;
        for (int v = 0; v < vocab; v++) z += Math.exp(logp[row + v]);
        return z;
    }

    /** The inverse CDF of exp(logp) / Σ exp(logp) at w in [0, 1), in token order. */
    private int sample(float[] logp, int row, double w) {
        double target = w * total(logp, row), c = 0;
        int last = -1;
        for (int v = 0; v < vocab; v++) {
            double p = Math.exp(logp[row + v]);
            if (p <= 0) continue;
            c += p;
            last = v;
            if (c > target) return v;
        }
        return last;                 // w·total rounded up to the sum: the last token of positive probability
    }
}
