package fksteer.kernel;

/** Plain-Java twin of {@link VectorDense}: the same fma chains in the same order. */
public final class ScalarDense implements DenseKernels {
    /** The lane count whose partial sums {@link #denseNarrow} reproduces (a power of two). */
    private final int lanes;
    private final ThreadLocal<float[]> partials;

    /** The twin of the {@link VectorDense} of this machine (its lane count), or of 8 lanes without the Vector API. */
    public ScalarDense() {
        this(DenseKernels.Holder.LANES);
    }

    /** The twin of a vector kernel with the given number of float lanes (a power of two). */
    public ScalarDense(int lanes) {
        if (lanes < 1 || Integer.bitCount(lanes) != 1) throw new IllegalArgumentException("lanes must be a power of two, got " + lanes);
        this.lanes = lanes;
        this.partials = ThreadLocal.withInitial(() -> new float[lanes]);
    }

    @Override
    public void dense(float[] a, int n, int K, float[] b, int bOff, int N, float[] bias, int biasOff, float[] c, boolean elu) {
        for (int r = 0; r < n; r++) {
            int ao = r * K, co = r * N;
            for (int j = 0; j < N; j++) {
                float acc = bias == null ? 0f : bias[biasOff + j];
                for (int k = 0; k < K; k++) acc = Math.fma(a[ao + k], b[bOff + k * N + j], acc);
                c[co + j] = elu ? DenseKernels.elu(acc) : acc;
            }
        }
    }

    @Override
    public void denseNarrow(float[] a, int n, int K, float[] w, int wOff, int N, float[] bias, int biasOff, float[] c) {
        int L = lanes, kv = K - K % L;
        float[] p = partials.get();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < N; j++) {
                java.util.Arrays.fill(p, 0f);
                for (int k0 = 0; k0 < kv; k0 += L)                 // lane l: the chain over k = l, l + L, ...
                    for (int l = 0; l < L; l++) p[l] = Math.fma(a[r * K + k0 + l], w[wOff + j * K + k0 + l], p[l]);
                for (int h = L / 2; h >= 1; h /= 2)                 // VectorDense.laneSum's tree
                    for (int l = 0; l < h; l++) p[l] = p[l] + p[l + h];
                float acc = p[0];
                for (int k = kv; k < K; k++) acc = Math.fma(a[r * K + k], w[wOff + j * K + k], acc);
                c[r * N + j] = acc + (bias == null ? 0f : bias[biasOff + j]);
            }
        }
    }

    @Override
    public void accumulateGrad(float[] a, int n, int K, float[] d, int N, float[] g, int gOff, float[] gb, int gbOff) {
        for (int k = 0; k < K; k++) {
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int r = 0; r < n; r++) acc = Math.fma(a[r * K + k], d[r * N + j], acc);
                g[gOff + k * N + j] += acc;
            }
        }
        for (int j = 0; j < N; j++) {
            float acc = 0f;
            for (int r = 0; r < n; r++) acc += d[r * N + j];
            gb[gbOff + j] += acc;
        }
    }

    @Override
    public void eluBackward(float[] d, float[] post, int len) {
        for (int i = 0; i < len; i++) {
            float p = post[i];
            d[i] *= p > 0f ? 1f : p + 1f;
        }
    }
}
