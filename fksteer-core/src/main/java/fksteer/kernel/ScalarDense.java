package fksteer.kernel;

/** Plain-Java twin of {@link VectorDense}: the same fma chains in the same order. */
public final class ScalarDense implements DenseKernels {

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
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < N; j++) {
                float acc = 0f;
                for (int k = 0; k < K; k++) acc = Math.fma(a[r * K + k], w[wOff + j * K + k], acc);
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
