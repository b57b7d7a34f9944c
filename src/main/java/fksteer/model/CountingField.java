package fksteer.model;

import java.util.concurrent.atomic.AtomicLong;

/** A decorator that counts network evaluations (NFE): one per point per call. */
public final class CountingField implements VelocityField {
    private final VelocityField inner;
    private final AtomicLong nfe = new AtomicLong();

    public CountingField(VelocityField inner) {
        this.inner = inner;
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public void velocity(float[] x, int n, float t, float[] out) {
        nfe.addAndGet(n);
        inner.velocity(x, n, t, out);
    }

    /** Network evaluations so far, summed over points. */
    public long nfe() {
        return nfe.get();
    }

    public VelocityField inner() {
        return inner;
    }

    @Override
    public String describe() {
        return inner.describe();
    }
}
