package fksteer.kernel;

/**
 * The dense-layer kernels every MLP in fksteer runs on. Matrices are row-major flat arrays; rows are
 * the particles of a chunk. Arguments marked "Modified." are written, all others only read.
 *
 * <p>Two implementations exist: {@link VectorDense} (Vector API) and {@link ScalarDense} (its plain
 * twin, the control the tests compare against). Both accumulate every output element as the same
 * chain of fused multiply-adds in the same order, so their linear parts agree bit for bit; only the
 * exponential inside ELU may differ by an ulp or so.
 */
public interface DenseKernels {

    /**
     * c[r*N+j] = act(bias[biasOff+j] + sum_k a[r*K+k] * b[bOff+k*N+j]) for r in [0, n).
     *
     * @param a    n x K inputs. Not modified.
     * @param b    K x N weights (input-major). Not modified.
     * @param bias N biases, or null for none. Not modified.
     * @param c    n x N outputs, a different array from a. Modified.
     * @param elu  whether to apply ELU (alpha = 1)
     */
    void dense(float[] a, int n, int K, float[] b, int bOff, int N, float[] bias, int biasOff, float[] c, boolean elu);

    /**
     * The same as {@link #dense} without activation for narrow outputs (N smaller than a vector), with
     * the weights given output-major: c[r*N+j] = bias[j] + sum_k a[r*K+k] * w[wOff+j*K+k]. The sum
     * runs in L lanes (lane l takes k = l, l + L, ... as an fma chain, L the vector length), the lanes are
     * added in a fixed pairwise tree, the k tail past the last full vector follows as an fma chain, then
     * the bias. Every step's order is fixed, so both implementations agree bit for bit, and the result
     * does not depend on the JIT or the thread.
     */
    void denseNarrow(float[] a, int n, int K, float[] w, int wOff, int N, float[] bias, int biasOff, float[] c);

    /**
     * g[gOff+k*N+j] += sum_r a[r*K+k] * d[r*N+j] and gb[gbOff+j] += sum_r d[r*N+j], r in [0, n). Each
     * sum is formed from zero in row order and then added, so it does not depend on what g held.
     *
     * @param g  K x N weight gradient. Modified.
     * @param gb N bias gradient. Modified.
     */
    void accumulateGrad(float[] a, int n, int K, float[] d, int N, float[] g, int gOff, float[] gb, int gbOff);

    /** d[i] *= (post[i] > 0 ? 1 : post[i] + 1) for i in [0, len): the ELU derivative from its output. d: Modified. */
    void eluBackward(float[] d, float[] post, int len);

    /** Clamp below which exp(x) is 0 to float precision (and 2^n stays a normal float). */
    float EXP_LO = -87f;
    /** 1.5 * 2^23: adding and subtracting it rounds a float to the nearest integer. */
    float ROUND_MAGIC = 12582912f;
    /** The bit pattern of ROUND_MAGIC: bits(ROUND_MAGIC + n) = MAGIC_BITS + n for small integers n. */
    int MAGIC_BITS = 0x4B400000;
    float LOG2E = 1.44269504f, LN2_HI = 0.693145752f, LN2_LO = 1.42860677e-6f;
    float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    /**
     * ELU with alpha 1: x for x > 0, exp(x) - 1 otherwise. exp is computed from plain IEEE operations
     * (Cody–Waite reduction x = n ln2 + r, |r| <= ln2/2, a degree-7 Taylor polynomial with fma, and 2^n
     * from the exponent bits), never from Math.exp or the Vector API's EXPM1, whose results differ
     * between the interpreter and compiled code. So the vector and scalar kernels agree bit for bit
     * and a run gives the same output whether or not the JIT has warmed up. Absolute error vs expm1:
     * below 3e-7 (tested).
     */
    static float elu(float x) {
        if (x > 0f) return x;
        float xc = Math.max(x, EXP_LO);
        float tm = Math.fma(xc, LOG2E, ROUND_MAGIC);            // x / ln 2 + 1.5 * 2^23: n sits in the low mantissa bits
        float nf = tm - ROUND_MAGIC;                             // n = round(x / ln 2)
        float r = Math.fma(-nf, LN2_HI, xc);
        r = Math.fma(-nf, LN2_LO, r);                            // r = x - n ln2, |r| <= ln2 / 2
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);                                  // p = exp(r)
        float scale = Float.intBitsToFloat((Float.floatToRawIntBits(tm) - MAGIC_BITS + 127) << 23); // 2^n
        return Math.fma(p, scale, -1f);                          // exp(x) - 1
    }

    /** The kernels in use: Vector API unless it is missing or -Dfksteer.vector=false (see {@link Vectorization}). */
    static DenseKernels get() {
        return Holder.INSTANCE;
    }

    final class Holder {
        /** The Vector API's float lane count here, or 8 where it is unusable. */
        static final int LANES = lanes();
        static final DenseKernels INSTANCE =
                Vectorization.enabled() && VectorDense.usable() // VectorDense is never loaded without the module
                        ? new VectorDense()
                        : new ScalarDense();

        private Holder() {}

        private static int lanes() {
            try {
                return VectorDense.usable() ? VectorDense.L : 8;
            } catch (Throwable t) {  // the jdk.incubator.vector module is absent
                return 8;
            }
        }
    }
}
