package fksteer.steer;

import fksteer.model.CountingField;
import fksteer.model.FlowPath;
import fksteer.reward.CountingReward;
import fksteer.solver.Integrator;

/**
 * The reward-gradient-guided proposal tau: the SDE step's mean is shifted by
 * scale x sigma_t^2 x grad_{x_t} r(x̂1(x_t)), with sigma_t^2 = k (1 - t) h the step variance and
 * grad_{x_t} r(x̂1) = grad r + (1 - t) (dv/dx)^T grad r (x̂1 = x_t + (1 - t) v). One step costs the step's
 * own evaluations plus one reward gradient and one vector-Jacobian product per particle.
 */
final class GuidedStep {
    private final CountingField field;
    private final CountingReward reward;
    private final Integrator integ;
    private final double scale, k;
    private final int d;
    private final float[] x1, g, u, shift;
    private final double[] r;

    GuidedStep(CountingField field, CountingReward reward, Integrator integ, double scale, int capacity) {
        if (!field.differentiable()) throw new fksteer.io.InvalidSettingException("guidance", "needs a model with gradients (an MLP or a gaussian-mixture)");
        if (!reward.differentiable()) throw new fksteer.io.InvalidSettingException("guidance", "needs a differentiable reward", "reward");
        if (!(scale > 0) || !Double.isFinite(scale)) throw new fksteer.io.InvalidSettingException("guidance", "must be a finite number > 0, got " + scale);
        this.field = field;
        this.reward = reward;
        this.integ = integ;
        this.scale = scale;
        this.k = integ.spec().stochasticity();
        this.d = field.dim();
        int len = fksteer.kernel.Sizes.length("particles", "particles x dimension", capacity, d);
        x1 = new float[len];
        g = new float[len];
        u = new float[len];
        shift = new float[len];
        r = new double[capacity];
    }

    /** Bytes of the scratch for capacity particles: x̂1, the reward gradient, the VJP and the shift, and the rewards. */
    static long scratchBytes(long capacity, int d) {
        return new fksteer.kernel.Sizes.Bytes().floats(4, capacity, d).doubles(capacity).sum();
    }

    /** Advances x from t to t + h; {@link Integrator#velocityBuffer()} must hold v(x, t). logCorr: Modified. */
    void step(float[] x, int n, float t, float h, long[] rng, double[] logCorr) {
        int len = n * d;
        float[] v = integ.velocityBuffer();
        FlowPath.predictX1(x, v, t, x1, len);        // x̂1 = x_t + (1 - t) v
        reward.valueAndGradient(x1, n, r, g);         // grad r at x̂1
        for (int i = 0; i < len; i++) if (!Float.isFinite(g[i])) g[i] = 0f;
        field.vjp(x, n, t, g, u);                     // (dv/dx)^T grad r
        float s = (float) (scale * k * Math.max(0.0, 1.0 - t) * h), a = 1f - t;
        for (int i = 0; i < len; i++) shift[i] = s * (g[i] + a * u[i]); // scale sigma^2 grad_{x_t} r(x̂1)
        integ.stepGuided(x, n, t, h, rng, shift, logCorr);
    }
}
