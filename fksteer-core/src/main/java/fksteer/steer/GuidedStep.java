package fksteer.steer;

import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.reward.CountingReward;

/**
 * The reward-gradient-guided proposal τ of any process with Gaussian steps, in the manner of TDS (Wu et
 * al. 2023): the intermediate target at step s is tilted by exp(λ_s r(x̂(x_s))), and the locally optimal
 * proposal p(x_{s+1} | x_s) exp(λ_s r(x̂(x_{s+1}))) is approximated to first order by the model's step
 * with its mean shifted by scale × σ_s² × ∇_x r(x̂(x)), scale = guidance × λ_s, σ_s² the step's variance
 * ({@link Chain#variance}) and ∇_x r(x̂(x)) = (∂x̂/∂x)^T ∇r(x̂) ({@link Chain#dataVjp}; for a flow
 * x̂1 = x + (1 - t) v, so it is ∇r + (1 - t) (∂v/∂x)^T ∇r). The chain writes log p/τ, which keeps an FK
 * target exact; FK applies the twist's potential at every guided step, so p/τ is compensated step by step.
 *
 * <p>{@link #direction} computes the gradient direction and the rewards r(x̂) at step s (one reward call
 * with its gradient and one vector-Jacobian product per particle); the direction is carried with its
 * particle through resampling; {@link #move} then takes the step.
 */
final class GuidedStep {
    private final CountingReward reward;
    private final Chain chain;
    private final Particles x1;
    private final float[] g, u;

    GuidedStep(Chain chain, boolean differentiable, CountingReward reward, Particles like, int capacity) {
        if (!differentiable) throw new fksteer.io.InvalidSettingException("guidance", "needs a model with gradients (an MLP or a gaussian-mixture; ONNX models have none): FK without guidance needs no gradient");
        if (!reward.differentiable()) throw new fksteer.io.InvalidSettingException("guidance", "needs a differentiable reward, but " + reward.spec()
                + " has no gradient (ONNX scorers and custom rewards have none): FK without guidance needs no gradient", "reward");
        this.reward = reward;
        this.chain = chain;
        this.x1 = like.like(capacity);
        int len = fksteer.kernel.Sizes.length("particles", "particles x dimension", capacity, like.size());
        g = new float[len];
        u = new float[len];
    }

    /** Bytes of the scratch for capacity particles: x̂, the reward gradient, the direction and x̂'s labels. */
    static long scratchBytes(long capacity, int d) {
        return new fksteer.kernel.Sizes.Bytes().floats(3, capacity, d).ints(capacity).sum();
    }

    /** The per-particle direction rows, to be carried through resampling (width = the particle size). */
    float[] directions() {
        return u;
    }

    /**
     * Writes r(x̂(x_s)) of every particle into r and the direction (∂x̂/∂x)^T ∇r(x̂) into {@link #directions};
     * the chain must have prepared step s. Non-finite gradient entries count as 0. r: Modified.
     */
    void direction(Particles p, int s, double[] r) {
        int len = p.count() * p.size();
        chain.predictData(p, s, x1);                             // x̂
        reward.valueAndGradient(x1.floats(), p.count(), r, g);    // r(x̂) and ∇r at x̂
        for (int i = 0; i < len; i++) if (!Float.isFinite(g[i])) g[i] = 0f;
        chain.dataVjp(p, s, g, u);                               // (∂x̂/∂x)^T ∇r
    }

    /** Advances p from step s to s + 1 with the mean shifted by scale σ_s² times the direction. logCorr: Modified (log p/τ). */
    void move(Particles p, int s, long[] rng, double scale, double[] logCorr) {
        int len = p.count() * p.size();
        float c = (float) (scale * chain.variance(s));
        for (int i = 0; i < len; i++) u[i] *= c;                 // shift = scale σ² ∇_x r(x̂)
        chain.advanceGuided(p, s, rng, u, logCorr);
    }
}
