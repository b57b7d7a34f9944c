package fksteer.reward;

import java.util.concurrent.atomic.AtomicLong;

/** Counts reward calls: one per point evaluated. */
public final class CountingReward implements Reward {
    private final Reward inner;
    private final AtomicLong calls = new AtomicLong();

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
