package fksteer.process;

import fksteer.solver.Sampler;

/**
 * One run of a {@link Process} with a sampler on a fixed number of steps: step s moves particles from
 * process time {@link #time}(s) toward the data, and step {@link #steps()} ends at the data. A chain
 * owns its scratch (the cached model output, solver stages), so stepping allocates nothing.
 *
 * <p>The protocol of one step s on a batch p (from {@link #newParticles}): {@link #prepare} evaluates
 * the model at the current state and caches its output in p (so it moves with p on resampling); then
 * {@link #predictData} may read the denoised prediction from it for free, and {@link #advance} (or
 * {@link #advanceGuided}) moves the state to step s + 1.
 */
public interface Chain {

    Sampler sampler();

    int steps();

    /** Process time of step s in [0, steps]: 0 at the noise end, 1 at the data end (labels, learned rewards). */
    float time(int s);

    /**
     * A batch of n particles (count = n) carrying this chain's per-particle buffers (the cached model
     * output) and, for a conditional model, each particle's condition.
     */
    Particles newParticles(int n);

    /** Draws every particle's initial noise: particle i from stream ("initial", i) of seed. */
    void initialNoise(Particles p, long seed);

    /** Evaluates the model at step s on p's state and caches the output in p. Counts network evaluations. */
    void prepare(Particles p, int s);

    /** The denoised prediction of the data end (x̂1 of a flow, x̂0 of VP) at step s, from the cached output; into out's state. */
    void predictData(Particles p, int s, Particles out);

    /**
     * Row i·copies + q of out (q < copies): a sample of the data end given particle i at step s, from
     * the cached output (prepare(p, s) done), drawn from rng stream i·copies + q; out.count = n·copies.
     *
     * @throws UnsupportedOperationException when the process's {@link Process#samplesData()} is false
     */
    default void sampleData(Particles p, int s, Particles out, int copies, long[] rng) {
        throw new UnsupportedOperationException("this chain draws no predictions of the data end; use a lookahead (tail)");
    }

    /**
     * Moves p from step s to s + 1 with the cached output; a stochastic step draws particle i's noise
     * from rng stream i.
     *
     * @throws fksteer.io.InvalidSettingException naming the setting (sampler, stochasticity, model) when the state turns non-finite
     */
    void advance(Particles p, int s, long[] rng);

    /** prepare and advance from step `from` to step `to`. */
    default void solve(Particles p, int from, int to, long[] rng) {
        for (int s = from; s < to; s++) {
            prepare(p, s);
            advance(p, s, rng);
        }
    }

    /**
     * The variance of every coordinate of step s's Gaussian transition x_{s+1} ~ N(mean, variance I);
     * 0 for a deterministic step.
     */
    double variance(int s);

    /** The mean of step s's Gaussian transition for every particle of p, from the cached output. out: Modified. */
    void transitionMean(Particles p, int s, float[] out);

    /**
     * A guided step: x_{s+1} = mean + shift + sqrt(variance) z, a proposal τ in place of the model's
     * transition p, writing per particle log p(x_{s+1} | x_s) - log τ(x_{s+1} | x_s)
     * = -(|shift|² + 2 sd shift·z) / (2 variance), the weight that keeps an FK target exact. A step with
     * no noise takes the model's mean and writes 0.
     */
    void advanceGuided(Particles p, int s, long[] rng, float[] shift, double[] logCorr);

    /**
     * out = (∂x̂/∂x)^T g at step s for every particle: the gradient, through the denoised prediction, of
     * a reward whose gradient at x̂ is g. Costs one vector-Jacobian product per particle.
     */
    void dataVjp(Particles p, int s, float[] g, float[] out);

    /**
     * Forward noising: moves p from step `from` back to the noisier step `to` < from by the process's
     * own conditional, which maps its marginal at `from` exactly onto its marginal at `to`
     * (x' = (a'/a) x + sqrt(s'² - (a' s / a)²) z for x = a x0 + s z). Particle i draws from rng stream i.
     */
    void renoise(Particles p, int from, int to, long[] rng);

    /**
     * A chain from step `from`'s time to the data end in `steps` steps with the given sampler, with
     * scratch for capacity particles: lookaheads and many-sample estimates. It takes particles of
     * this chain's batches. The tails of one chain share one set of scratch (made by the first tail of
     * that sampler and capacity), so taking a tail at every scoring allocates no per-particle memory;
     * use one tail at a time.
     */
    Chain tail(int from, int steps, Sampler sampler, int capacity);
}
