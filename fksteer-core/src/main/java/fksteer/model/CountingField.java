package fksteer.model;

import java.util.concurrent.atomic.AtomicLong;

/** A decorator that counts network evaluations (NFE): one per point per call. */
public final class CountingField implements DifferentiableField {
    private final VelocityField inner;
    private final AtomicLong nfe = new AtomicLong(), vjps = new AtomicLong();

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

    /** A VJP runs the network forward (one NFE per point) and back (one gradient call per point). */
    @Override
    public void vjp(float[] x, int n, float t, float[] g, float[] out) {
        if (!(inner instanceof DifferentiableField df))
            throw new IllegalArgumentException("this model has no gradient: guidance needs an MLP or a gaussian-mixture model");
        nfe.addAndGet(n);
        vjps.addAndGet(n);
        df.vjp(x, n, t, g, out);
    }

    public boolean differentiable() {
        return inner instanceof DifferentiableField;
    }

    /** Backward passes (vector-Jacobian products) so far, summed over points. */
    public long gradientCalls() {
        return vjps.get();
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
