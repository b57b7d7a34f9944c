package fksteer.reward;

import java.util.concurrent.atomic.AtomicLong;

/** Counts reward calls: one per point evaluated. */
public final class CountingReward implements DifferentiableReward {
    private final Reward inner;
    private final AtomicLong calls = new AtomicLong(), gradients = new AtomicLong();

    public CountingReward(Reward inner) {
        this.inner = inner;
    }

    public int dim() {
        return inner.dim();
    }

    public void evaluate(float[] x, int n, double[] out) {
        calls.addAndGet(n);
        inner.evaluate(x, n, out);
    }

    @Override
    public void evaluateTokens(int[] tokens, int n, double[] out) {
        calls.addAndGet(n);
        inner.evaluateTokens(tokens, n, out);
    }

    /** Counts one reward call and one gradient call per point. */
    public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
        if (!differentiable() || !(inner instanceof DifferentiableReward dr))
            throw new fksteer.io.InvalidSettingException("reward", inner.spec() + " has no gradient; guidance needs a differentiable reward", "guidance");
        calls.addAndGet(n);
        gradients.addAndGet(n);
        dr.valueAndGradient(x, n, out, grad);
    }

    /** Whether the reward has a gradient: a differentiable built-in, or a weighted sum of such terms only. */
    public boolean differentiable() {
        return Rewards.differentiable(inner);
    }

    public long gradientCalls() {
        return gradients.get();
    }

    public String spec() {
        return inner.spec();
    }

    public long calls() {
        return calls.get();
    }

    @Override
    public double[] targetPoint() {
        return inner.targetPoint();
    }

    @Override
    public double horizontalLine() {
        return inner.horizontalLine();
    }

    @Override
    public double verticalLine() {
        return inner.verticalLine();
    }
}
