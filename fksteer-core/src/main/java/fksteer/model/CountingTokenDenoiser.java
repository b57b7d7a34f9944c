package fksteer.model;

import java.util.concurrent.atomic.AtomicLong;

/** A decorator that counts network evaluations (one per sequence per call) of a {@link TokenDenoiser}. */
public final class CountingTokenDenoiser implements TokenDenoiser {
    private final TokenDenoiser inner;
    private final AtomicLong nfe = new AtomicLong();

    public CountingTokenDenoiser(TokenDenoiser inner) {
        this.inner = inner instanceof CountingTokenDenoiser c ? c.inner : inner;
    }

    public TokenDenoiser inner() {
        return inner;
    }

    @Override
    public int length() {
        return inner.length();
    }

    @Override
    public int vocabSize() {
        return inner.vocabSize();
    }

    @Override
    public int maskId() {
        return inner.maskId();
    }

    @Override
    public boolean timeConditioned() {
        return inner.timeConditioned();
    }

    @Override
    public void logits(int[] tokens, int n, float t, float[] out) {
        nfe.addAndGet(n);
        inner.logits(tokens, n, t, out);
    }

    public long nfe() {
        return nfe.get();
    }

    @Override
    public String describe() {
        return inner.describe();
    }
}
