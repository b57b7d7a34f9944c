package fksteer.process;

import fksteer.model.TokenDenoiser;

/**
 * Ground truth for masked diffusion: a distribution over all V^L sequences of L tokens (V real tokens,
 * then the mask, id V), given as a table, with its exact SUBS denoiser. Masking is independent of the
 * tokens, so the posterior of x0 given x_t is p(x0) restricted to the sequences that agree with x_t's
 * unmasked tokens, whatever t: the exact network ignores time, as MDLM's does. Its per-position
 * marginals are what {@link #logits} gives (log-probabilities; -inf where impossible).
 */
record TokenTable(int length, int tokens, double[] p) implements TokenDenoiser {

    TokenTable {
        int size = 1;
        for (int l = 0; l < length; l++) size *= tokens;
        if (p.length != size) throw new IllegalArgumentException("table of " + p.length + " for " + size + " sequences");
        double s = 0;
        for (double v : p) s += v;
        p = p.clone();
        for (int i = 0; i < p.length; i++) p[i] /= s;
    }

    /** A product distribution: position l takes token v with probability marginals[l][v] (normalised). */
    static TokenTable product(double[][] marginals) {
        int length = marginals.length, tokens = marginals[0].length, size = 1;
        for (int l = 0; l < length; l++) size *= tokens;
        double[] p = new double[size];
        for (int i = 0; i < size; i++) {
            double q = 1;
            int[] seq = decode(i, length, tokens);
            for (int l = 0; l < length; l++) q *= marginals[l][seq[l]];
            p[i] = q;
        }
        return new TokenTable(length, tokens, p);
    }

    /** The tokens of sequence index i (position 0 most significant). */
    static int[] decode(int i, int length, int tokens) {
        int[] s = new int[length];
        for (int l = length - 1; l >= 0; l--) {
            s[l] = i % tokens;
            i /= tokens;
        }
        return s;
    }

    static int encode(int[] seq, int off, int length, int tokens) {
        int i = 0;
        for (int l = 0; l < length; l++) i = i * tokens + seq[off + l];
        return i;
    }

    int size() {
        return p.length;
    }

    @Override
    public int vocabSize() {
        return tokens + 1;
    }

    @Override
    public int maskId() {
        return tokens;
    }

    /** p(x0_l = v | the unmasked tokens of x), by enumeration. */
    double[][] posterior(int[] x, int off) {
        double[][] q = new double[length][tokens];
        double z = 0;
        for (int i = 0; i < p.length; i++) {
            int[] s = decode(i, length, tokens);
            boolean ok = true;
            for (int l = 0; l < length && ok; l++) ok = x[off + l] == tokens || x[off + l] == s[l];
            if (!ok) continue;
            z += p[i];
            for (int l = 0; l < length; l++) q[l][s[l]] += p[i];
        }
        for (int l = 0; l < length; l++) for (int v = 0; v < tokens; v++) q[l][v] /= z;
        return q;
    }

    @Override
    public void logits(int[] x, int n, float t, float[] out) {
        int vs = tokens + 1;
        for (int i = 0; i < n; i++) {
            double[][] q = posterior(x, i * length);
            for (int l = 0; l < length; l++) {
                for (int v = 0; v < tokens; v++) out[(i * length + l) * vs + v] = (float) Math.log(q[l][v]);
                out[(i * length + l) * vs + tokens] = 7f;     // the mask's logit: SUBS ignores whatever a network puts here
            }
        }
    }
}
