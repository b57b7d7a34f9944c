package fksteer.model;

/**
 * A batched denoising network over token sequences (masked diffusion): given sequences in which some
 * positions hold the mask token, it gives raw logits over the vocabulary at every position. The
 * process turns them into the SUBS parameterisation (the mask's logit set to -inf, already unmasked
 * tokens carried over), so a network needs to do nothing special for either.
 *
 * <p>MDLM's default network ignores time ({@link #timeConditioned()} false): its output depends on the
 * tokens only, which is what lets the sampler skip the call when no token changed.
 */
public interface TokenDenoiser {

    /** Positions of one sequence (L). */
    int length();

    /** Entries of the vocabulary (V), the mask token included. */
    int vocabSize();

    /** The absorbing mask token's id, in [0, vocabSize()). */
    int maskId();

    /** Whether the network reads the time; false (MDLM's default) lets a sampler reuse its output while the tokens are unchanged. */
    default boolean timeConditioned() {
        return false;
    }

    /**
     * out[i][l][v] = the network's logit of token v at position l of sequence i, at masking time t in
     * [0, 1] (1 = all masked; ignored unless {@link #timeConditioned()}).
     *
     * @param tokens n × length() token ids in [0, vocabSize()). Not modified.
     * @param out    n × length() × vocabSize() logits. Modified.
     */
    void logits(int[] tokens, int n, float t, float[] out);

    default String describe() {
        return getClass().getSimpleName() + "(L=" + length() + ", V=" + vocabSize() + ")";
    }
}
