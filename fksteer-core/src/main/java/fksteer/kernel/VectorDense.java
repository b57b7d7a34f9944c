package fksteer.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API dense kernels, register-blocked 4 rows x 4 vectors. Every output element is the fma
 * chain bias, +a0*b0, +a1*b1, ... in k order, exactly as in {@link ScalarDense}; column tails
 * narrower than one vector run that scalar chain. No result depends on an order the Vector API leaves
 * unspecified (no {@code reduceLanes}), so a kernel gives the same bits interpreted, C1- or
 * C2-compiled, on any thread.
 */
public final class VectorDense implements DenseKernels {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    static boolean usable() {
        try {
            return FloatVector.SPECIES_PREFERRED.length() >= 4;
        } catch (Throwable t) {
            return false;
        }
    }


    /** exp(x) - 1 lane by lane, the same operations as {@link DenseKernels#elu}. */
    static FloatVector eluNegative(FloatVector x) {
        FloatVector xc = x.max(DenseKernels.EXP_LO);
        FloatVector tm = xc.fma(DenseKernels.LOG2E, DenseKernels.ROUND_MAGIC);
        FloatVector nf = tm.sub(DenseKernels.ROUND_MAGIC);
        FloatVector nn = nf.neg();
        FloatVector r = nn.fma(FloatVector.broadcast(S, DenseKernels.LN2_HI), xc);
        r = nn.fma(FloatVector.broadcast(S, DenseKernels.LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, DenseKernels.C7), FloatVector.broadcast(S, DenseKernels.C6));
        p = p.fma(r, FloatVector.broadcast(S, DenseKernels.C5));
        p = p.fma(r, FloatVector.broadcast(S, DenseKernels.C4));
        p = p.fma(r, FloatVector.broadcast(S, DenseKernels.C3));
        p = p.fma(r, FloatVector.broadcast(S, DenseKernels.C2));
        FloatVector one = FloatVector.broadcast(S, 1f);
        p = p.fma(r, one);
        p = p.fma(r, one);
        IntVector bits = tm.reinterpretAsInts();
        FloatVector scale = bits.sub(DenseKernels.MAGIC_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.fma(scale, one.neg());
    }

    private static FloatVector init(float[] bias, int off) {
        return bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, off);
    }

    @Override
    public void dense(float[] a, int n, int K, float[] b, int bOff, int N, float[] bias, int biasOff, float[] c, boolean elu) {
        int j = 0;
        for (; j + 4 * L <= N; j += 4 * L) {
            int r = 0;
            for (; r + 4 <= n; r += 4) block4x4(a, r, K, b, bOff, N, bias, biasOff, c, j, elu);
            for (; r < n; r++) block1x4(a, r, K, b, bOff, N, bias, biasOff, c, j, elu);
        }
        for (; j + L <= N; j += L) {
            int r = 0;
            for (; r + 4 <= n; r += 4) block4x1(a, r, K, b, bOff, N, bias, biasOff, c, j, elu);
            for (; r < n; r++) {
                FloatVector acc = init(bias, biasOff + j);
                int ao = r * K;
                for (int k = 0; k < K; k++) {
                    acc = FloatVector.broadcast(S, a[ao + k]).fma(FloatVector.fromArray(S, b, bOff + k * N + j), acc);
                }
                acc.intoArray(c, r * N + j);
            }
        }
        if (j < N) scalarColumns(a, n, K, b, bOff, N, bias, biasOff, c, false, j);
        if (elu) eluInPlace(c, n * N);
    }

    /**
     * ELU over c[0..len) in a separate pass: keeping the activation out of the register-blocked loops
     * keeps those small enough for C2 to inline, which the Vector API needs to avoid boxing.
     */
    static void eluInPlace(float[] c, int len) {
        int i = 0;
        for (; i + L <= len; i += L) {
            FloatVector v = FloatVector.fromArray(S, c, i);
            VectorMask<Float> neg = v.compare(VectorOperators.LE, 0f);
            if (neg.anyTrue()) v.blend(eluNegative(v), neg).intoArray(c, i);
        }
        for (; i < len; i++) c[i] = DenseKernels.elu(c[i]);
    }

    private static void scalarColumns(float[] a, int n, int K, float[] b, int bOff, int N, float[] bias, int biasOff,
                                      float[] c, boolean elu, int j0) {
        for (int r = 0; r < n; r++) {
            int ao = r * K, co = r * N;
            for (int j = j0; j < N; j++) {
                float acc = bias == null ? 0f : bias[biasOff + j];
                for (int k = 0; k < K; k++) acc = Math.fma(a[ao + k], b[bOff + k * N + j], acc);
                c[co + j] = elu ? DenseKernels.elu(acc) : acc;
            }
        }
    }

    private static void block4x4(float[] a, int r, int K, float[] b, int bOff, int N, float[] bias, int biasOff,
                                 float[] c, int j, boolean elu) {
        FloatVector c00 = init(bias, biasOff + j), c01 = init(bias, biasOff + j + L),
                c02 = init(bias, biasOff + j + 2 * L), c03 = init(bias, biasOff + j + 3 * L);
        FloatVector c10 = c00, c11 = c01, c12 = c02, c13 = c03;
        FloatVector c20 = c00, c21 = c01, c22 = c02, c23 = c03;
        FloatVector c30 = c00, c31 = c01, c32 = c02, c33 = c03;
        int a0 = r * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        for (int k = 0; k < K; k++) {
            int bo = bOff + k * N + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
        }
        int o = r * N + j;
        c00.intoArray(c, o); c01.intoArray(c, o + L);
        c02.intoArray(c, o + 2 * L); c03.intoArray(c, o + 3 * L);
        o += N;
        c10.intoArray(c, o); c11.intoArray(c, o + L);
        c12.intoArray(c, o + 2 * L); c13.intoArray(c, o + 3 * L);
        o += N;
        c20.intoArray(c, o); c21.intoArray(c, o + L);
        c22.intoArray(c, o + 2 * L); c23.intoArray(c, o + 3 * L);
        o += N;
        c30.intoArray(c, o); c31.intoArray(c, o + L);
        c32.intoArray(c, o + 2 * L); c33.intoArray(c, o + 3 * L);
    }

    private static void block1x4(float[] a, int r, int K, float[] b, int bOff, int N, float[] bias, int biasOff,
                                 float[] c, int j, boolean elu) {
        FloatVector c00 = init(bias, biasOff + j), c01 = init(bias, biasOff + j + L),
                c02 = init(bias, biasOff + j + 2 * L), c03 = init(bias, biasOff + j + 3 * L);
        int a0 = r * K;
        for (int k = 0; k < K; k++) {
            int bo = bOff + k * N + j;
            FloatVector x = FloatVector.broadcast(S, a[a0 + k]);
            c00 = x.fma(FloatVector.fromArray(S, b, bo), c00);
            c01 = x.fma(FloatVector.fromArray(S, b, bo + L), c01);
            c02 = x.fma(FloatVector.fromArray(S, b, bo + 2 * L), c02);
            c03 = x.fma(FloatVector.fromArray(S, b, bo + 3 * L), c03);
        }
        int o = r * N + j;
        c00.intoArray(c, o); c01.intoArray(c, o + L);
        c02.intoArray(c, o + 2 * L); c03.intoArray(c, o + 3 * L);
    }

    private static void block4x1(float[] a, int r, int K, float[] b, int bOff, int N, float[] bias, int biasOff,
                                 float[] c, int j, boolean elu) {
        FloatVector c0 = init(bias, biasOff + j), c1 = c0, c2 = c0, c3 = c0;
        int a0 = r * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
        for (int k = 0; k < K; k++) {
            FloatVector bv = FloatVector.fromArray(S, b, bOff + k * N + j);
            c0 = FloatVector.broadcast(S, a[a0 + k]).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a[a1 + k]).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a[a2 + k]).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a[a3 + k]).fma(bv, c3);
        }
        c0.intoArray(c, r * N + j);
        c1.intoArray(c, (r + 1) * N + j);
        c2.intoArray(c, (r + 2) * N + j);
        c3.intoArray(c, (r + 3) * N + j);
    }

    @Override
    public void denseNarrow(float[] a, int n, int K, float[] w, int wOff, int N, float[] bias, int biasOff, float[] c) {
        int kv = K - K % L, r = 0;
        // four rows at a time: four independent fma chains and lane trees for the core to overlap;
        // every output's own order is the same as in the one-row loop below
        for (; r + 4 <= n; r += 4) {
            int a0 = r * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
            for (int j = 0; j < N; j++) {
                int wo = wOff + j * K;
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int k = 0; k < kv; k += L) {
                    FloatVector wv = FloatVector.fromArray(S, w, wo + k);
                    s0 = FloatVector.fromArray(S, a, a0 + k).fma(wv, s0);
                    s1 = FloatVector.fromArray(S, a, a1 + k).fma(wv, s1);
                    s2 = FloatVector.fromArray(S, a, a2 + k).fma(wv, s2);
                    s3 = FloatVector.fromArray(S, a, a3 + k).fma(wv, s3);
                }
                float b = bias == null ? 0f : bias[biasOff + j];
                c[r * N + j] = narrowTail(a, a0, w, wo, kv, K, laneSum(s0)) + b;
                c[(r + 1) * N + j] = narrowTail(a, a1, w, wo, kv, K, laneSum(s1)) + b;
                c[(r + 2) * N + j] = narrowTail(a, a2, w, wo, kv, K, laneSum(s2)) + b;
                c[(r + 3) * N + j] = narrowTail(a, a3, w, wo, kv, K, laneSum(s3)) + b;
            }
        }
        for (; r < n; r++) {
            int ao = r * K;
            for (int j = 0; j < N; j++) {
                int wo = wOff + j * K;
                FloatVector acc = FloatVector.zero(S);
                for (int k = 0; k < kv; k += L)
                    acc = FloatVector.fromArray(S, a, ao + k).fma(FloatVector.fromArray(S, w, wo + k), acc);
                c[r * N + j] = narrowTail(a, ao, w, wo, kv, K, laneSum(acc)) + (bias == null ? 0f : bias[biasOff + j]);
            }
        }
    }

    /** s continued by the fma chain over the k tail [kv, K). */
    private static float narrowTail(float[] a, int ao, float[] w, int wo, int kv, int K, float s) {
        for (int k = kv; k < K; k++) s = Math.fma(a[ao + k], w[wo + k], s);
        return s;
    }

    /** Lane i takes lane i + h (mod L): the steps of {@link #laneSum}'s tree. Constants, so C2 folds them. */
    private static final VectorShuffle<Float> UP1 = up(1), UP2 = up(2), UP4 = up(4), UP8 = up(8), UP16 = up(16), UP32 = up(32);

    private static VectorShuffle<Float> up(int h) {
        return VectorShuffle.fromOp(S, i -> (i + h) % L);
    }

    /**
     * The sum of v's lanes in one fixed order: a pairwise tree, lane i += lane i + h for h = L/2, L/4,
     * ..., 1, then lane 0. Unlike {@code reduceLanes(ADD)}, whose order is unspecified (the interpreter
     * adds lanes in sequence, C2 in its own tree), this gives the same bits cold and warm;
     * {@link ScalarDense#denseNarrow} adds in the same tree. L is a power of two.
     */
    static float laneSum(FloatVector v) {
        if (L > 32) v = v.add(v.rearrange(UP32));
        if (L > 16) v = v.add(v.rearrange(UP16));
        if (L > 8) v = v.add(v.rearrange(UP8));
        if (L > 4) v = v.add(v.rearrange(UP4));
        if (L > 2) v = v.add(v.rearrange(UP2));
        if (L > 1) v = v.add(v.rearrange(UP1));
        return v.lane(0);
    }

    @Override
    public void accumulateGrad(float[] a, int n, int K, float[] d, int N, float[] g, int gOff, float[] gb, int gbOff) {
        int j = 0;
        for (; j + L <= N; j += L) {
            int k = 0;
            for (; k + 4 <= K; k += 4) {
                FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
                for (int r = 0; r < n; r++) {
                    FloatVector dv = FloatVector.fromArray(S, d, r * N + j);
                    int ao = r * K + k;
                    s0 = FloatVector.broadcast(S, a[ao]).fma(dv, s0);
                    s1 = FloatVector.broadcast(S, a[ao + 1]).fma(dv, s1);
                    s2 = FloatVector.broadcast(S, a[ao + 2]).fma(dv, s2);
                    s3 = FloatVector.broadcast(S, a[ao + 3]).fma(dv, s3);
                }
                addInto(g, gOff + k * N + j, s0);
                addInto(g, gOff + (k + 1) * N + j, s1);
                addInto(g, gOff + (k + 2) * N + j, s2);
                addInto(g, gOff + (k + 3) * N + j, s3);
            }
            for (; k < K; k++) {
                FloatVector s0 = FloatVector.zero(S);
                for (int r = 0; r < n; r++) {
                    s0 = FloatVector.broadcast(S, a[r * K + k]).fma(FloatVector.fromArray(S, d, r * N + j), s0);
                }
                addInto(g, gOff + k * N + j, s0);
            }
            FloatVector sb = FloatVector.zero(S);
            for (int r = 0; r < n; r++) sb = sb.add(FloatVector.fromArray(S, d, r * N + j));
            addInto(gb, gbOff + j, sb);
        }
        for (; j < N; j++) {
            for (int k = 0; k < K; k++) {
                float acc = 0f;
                for (int r = 0; r < n; r++) acc = Math.fma(a[r * K + k], d[r * N + j], acc);
                g[gOff + k * N + j] += acc;
            }
            float acc = 0f;
            for (int r = 0; r < n; r++) acc += d[r * N + j];
            gb[gbOff + j] += acc;
        }
    }

    private static void addInto(float[] g, int off, FloatVector s) {
        FloatVector.fromArray(S, g, off).add(s).intoArray(g, off);
    }

    @Override
    public void eluBackward(float[] d, float[] post, int len) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (; i + L <= len; i += L) {
            FloatVector p = FloatVector.fromArray(S, post, i);
            FloatVector f = p.add(one).blend(one, p.compare(VectorOperators.GT, 0f));
            FloatVector.fromArray(S, d, i).mul(f).intoArray(d, i);
        }
        for (; i < len; i++) {
            float p = post[i];
            d[i] *= p > 0f ? 1f : p + 1f;
        }
    }

    /** {@link Finite#all(float[], int)} on the Vector API: four independent chains of x * 0 sums. */
    static boolean allFinite(float[] a, int len) {
        VectorSpecies<Float> s = S;
        int L = s.length(), i = 0;
        FloatVector acc = FloatVector.zero(s), acc1 = acc, acc2 = acc, acc3 = acc; // four chains: no add waits on another
        for (; i + 4 * L <= len; i += 4 * L) {
            acc = acc.add(FloatVector.fromArray(s, a, i).mul(0f));
            acc1 = acc1.add(FloatVector.fromArray(s, a, i + L).mul(0f));
            acc2 = acc2.add(FloatVector.fromArray(s, a, i + 2 * L).mul(0f));
            acc3 = acc3.add(FloatVector.fromArray(s, a, i + 3 * L).mul(0f));
        }
        for (; i + L <= len; i += L) acc = acc.add(FloatVector.fromArray(s, a, i).mul(0f));
        acc = acc.add(acc1).add(acc2).add(acc3);
        return !acc.compare(VectorOperators.NE, acc).anyTrue() && Finite.allScalar(a, i, len);
    }
}
