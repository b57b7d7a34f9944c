package fksteer.steer;

import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.reward.CountingReward;

/**
 * The reward-gradient-guided proposal τ of any process with Gaussian steps: the step's mean is shifted
 * by scale × σ_s² × ∇_x r(x̂(x)), with σ_s² the step's variance ({@link Chain#variance}) and
 * ∇_x r(x̂(x)) = (∂x̂/∂x)^T ∇r(x̂) ({@link Chain#dataVjp}; for a flow x̂1 = x + (1 - t) v, so it is
 * ∇r + (1 - t) (∂v/∂x)^T ∇r). The chain writes log p/τ, which keeps an FK target exact. One step costs
 * the step's own evaluations plus one reward gradient and one vector-Jacobian product per particle.
 */
final class GuidedStep {
    private final CountingReward reward;
    private final Chain chain;
    private final double scale;
    private final Particles x1;
    private final float[] g, u;
    private final double[] r;

    GuidedStep(Chain chain, boolean differentiable, CountingReward reward, double scale, Particles like, int capacity) {
        if (!differentiable) throw new fksteer.io.InvalidSettingException("guidance", "needs a model with gradients (an MLP or a gaussian-mixture; ONNX models have none): FK without guidance needs no gradient");
        if (!reward.differentiable()) throw new fksteer.io.InvalidSettingException("guidance", "needs a differentiable reward, but " + reward.spec()
                + " has no gradient (ONNX scorers and custom rewards have none): FK without guidance needs no gradient", "reward");
        if (!(scale > 0) || !Double.isFinite(scale)) throw new fksteer.io.InvalidSettingException("guidance", "must be a finite number > 0, got " + scale);
        this.reward = reward;
        this.chain = chain;
        this.scale = scale;
        this.x1 = like.like(capacity);
        int len = fksteer.kernel.Sizes.length("particles", "particles x dimension", capacity, like.size());
        g = new float[len];
        u = new float[len];
        r = new double[capacity];
    }

    /** Bytes of the scratch for capacity particles: x̂, the reward gradient, the VJP and the rewards. */
    static long scratchBytes(long capacity, int d) {
        return new fksteer.kernel.Sizes.Bytes().floats(3, capacity, d).ints(capacity).doubles(capacity).sum();
    }

    /** Advances p from step s to s + 1; the chain must have prepared step s. logCorr: Modified. */
    void step(Particles p, int s, long[] rng, double[] logCorr) {
        int len = p.count() * p.size();
        chain.predictData(p, s, x1);                             // x̂
        reward.valueAndGradient(x1.floats(), p.count(), r, g);    // ∇r at x̂
        for (int i = 0; i < len; i++) if (!Float.isFinite(g[i])) g[i] = 0f;
        chain.dataVjp(p, s, g, u);                               // (∂x̂/∂x)^T ∇r
        float c = (float) (scale * chain.variance(s));
        for (int i = 0; i < len; i++) u[i] *= c;                 // shift = scale σ² ∇_x r(x̂)
        chain.advanceGuided(p, s, rng, u, logCorr);
    }
}
