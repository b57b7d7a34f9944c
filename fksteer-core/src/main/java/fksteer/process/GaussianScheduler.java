package fksteer.process;

/**
 * A VP diffusion sampler whose every step is a Gaussian transition
 * p(x_prev | x_t) = N(mean(x_t, model output), variance · I), in diffusers' shape: the scheduler
 * holds the timesteps of one sampling run and {@code step(modelOutput, t, sample)} moves a batch one
 * step toward the data. Exposing the mean and variance lets guided proposals compute exact
 * p/τ weights, and {@link #predictX0} gives the denoised prediction for intermediate rewards.
 *
 * <p>Arrays are flat batches of len floats (n particles × d); t is the training timestep value
 * (an entry of {@link #timesteps()}), as the network sees it.
 */
public interface GaussianScheduler {

    /** The inference timesteps in sampling order (noisiest first). */
    int[] timesteps();

    /** ᾱ at timestep t. */
    double alphaBar(int t);

    /** ᾱ at the step after t (1 after the last step: the data end). */
    double alphaBarPrev(int t);

    /** What the model predicts. */
    Prediction prediction();

    /** The mean of x_prev given the model output at (sample, t). out: Modified (may not alias sample). */
    void mean(float[] modelOutput, int t, float[] sample, float[] out, int len);

    /** The variance of every coordinate of x_prev (0 for a deterministic step). */
    double variance(int t);

    /** The denoised prediction x̂0 at (sample, t). out: Modified. */
    default void predictX0(float[] modelOutput, int t, float[] sample, float[] out, int len) {
        double ab = alphaBar(t);
        prediction().toX0Eps(Math.sqrt(ab), Math.sqrt(1 - ab), 0, 0, sample, modelOutput, out, null, len);
    }

    /**
     * One step: out = mean + sqrt(variance) · noise.
     *
     * @param noise standard normal draws, len of them; may be null when the step is deterministic
     * @param out   x_prev. Modified; must not alias sample.
     */
    default void step(float[] modelOutput, int t, float[] sample, float[] noise, float[] out, int len) {
        mean(modelOutput, t, sample, out, len);
        double var = variance(t);
        if (var > 0) {
            if (noise == null) throw new IllegalArgumentException("a stochastic step needs noise");
            float sd = (float) Math.sqrt(var);
            for (int i = 0; i < len; i++) out[i] = Math.fma(sd, noise[i], out[i]);
        }
    }
}
