package fksteer.model;

import java.util.concurrent.atomic.AtomicLong;

/** A decorator that counts network evaluations (one per row per call) and gradient calls of a {@link Denoiser}. */
public final class CountingDenoiser implements Denoiser {
    private final Denoiser inner;
    private final AtomicLong nfe = new AtomicLong(), vjps = new AtomicLong();

    public CountingDenoiser(Denoiser inner) {
        this.inner = inner;
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public fksteer.process.Shape shape() {
        return inner.shape();
    }

    @Override
    public int classes() {
        return inner.classes();
    }

    @Override
    public int conditionWidth() {
        return inner.conditionWidth();
    }

    @Override
    public void predict(float[] x, int n, float t, int[] labels, float[] vectors, float[] out) {
        nfe.addAndGet(n);
        inner.predict(x, n, t, labels, vectors, out);
    }

    @Override
    public boolean differentiable() {
        return inner.differentiable();
    }

    /** A VJP runs the network forward (one NFE per row) and back (one gradient call per row). */
    @Override
    public void vjp(float[] x, int n, float t, int[] labels, float[] vectors, float[] g, float[] out) {
        nfe.addAndGet(n);
        vjps.addAndGet(n);
        inner.vjp(x, n, t, labels, vectors, g, out);
    }

    public long nfe() {
        return nfe.get();
    }

    public long gradientCalls() {
        return vjps.get();
    }

    public Denoiser inner() {
        return inner;
    }

    @Override
    public String describe() {
        return inner.describe();
    }
}
