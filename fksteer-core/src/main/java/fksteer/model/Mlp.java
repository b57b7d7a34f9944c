package fksteer.model;

import fksteer.kernel.DenseKernels;
import fksteer.io.InvalidSettingException;
import fksteer.kernel.Parallel;
import fksteer.kernel.Sizes;
import fksteer.rng.Rng;
import java.util.Arrays;

/**
 * A multilayer perceptron with ELU between layers and a linear last layer, laid out for fast batched
 * evaluation. It mirrors PyTorch's {@code nn.Sequential(Linear, ELU, ..., Linear)}: layer l maps
 * sizes[l] to sizes[l+1].
 *
 * <p>Weights are kept twice: input-major ("wt", K x N, what the forward kernels stream) and PyTorch's
 * output-major layout ("w", N x K, used by backprop and narrow layers and written to files). The
 * parameters are mutable only through {@link #parametersInPlace()} followed by {@link #syncLayouts()}.
 */
public final class Mlp {
    /** Rows per task: fixed, so results never depend on the thread count. */
    public static final int CHUNK = 256;

    private final int[] sizes;
    private final int[] wOff, bOff;
    private final float[] wt;    // per layer K x N
    private final float[] w;     // per layer N x K (PyTorch)
    private final float[] bias;
    private final int maxWidth;
    private final ThreadLocal<float[][]> scratch;
    private final ThreadLocal<ForwardTask> tasks = ThreadLocal.withInitial(ForwardTask::new);

    /** One forward call's arguments, reused so that a dispatch allocates nothing. */
    private final class ForwardTask implements java.util.function.IntConsumer {
        float[] in, out;
        int n;

        @Override
        public void accept(int c) {
            int din = sizes[0], dout = outputDim();
            int r0 = c * CHUNK, m = Math.min(CHUNK, n - r0);
            float[][] s = scratch.get();
            System.arraycopy(in, r0 * din, s[0], 0, m * din);
            float[] y = forwardRows(s, m);
            System.arraycopy(y, 0, out, r0 * dout, m * dout);
        }
    }

    private Mlp(int[] sizes) {
        if (sizes.length < 2) throw new IllegalArgumentException("an MLP needs at least one layer");
        for (int s : sizes) if (s < 1) throw new IllegalArgumentException("layer sizes must be >= 1: " + Arrays.toString(sizes));
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        wOff = new int[layers + 1];
        bOff = new int[layers + 1];
        int mw = 0;
        long weights = 0, biases = 0;
        for (int l = 0; l < layers; l++) {
            weights += (long) sizes[l] * sizes[l + 1];  // below 2^31 + 2^62 after the check below: no long overflow
            biases += sizes[l + 1];
            if (weights > Sizes.MAX_ARRAY || biases > Sizes.MAX_ARRAY)
                throw new InvalidSettingException("model", "is too large: its layers " + Arrays.toString(sizes) + " have more weights than one array holds ("
                        + Sizes.MAX_ARRAY + ")");
            wOff[l + 1] = (int) weights;
            bOff[l + 1] = (int) biases;
            mw = Math.max(mw, sizes[l + 1]);
        }
        maxWidth = Math.max(mw, sizes[0]);
        Sizes.length("model", "rows per chunk (" + CHUNK + ") x the widest layer", CHUNK, maxWidth);
        wt = new float[wOff[layers]];
        w = new float[wOff[layers]];
        bias = new float[bOff[layers]];
        scratch = ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK * maxWidth], new float[CHUNK * maxWidth]});
    }

    /** PyTorch's default Linear initialisation: U(-1/sqrt(in), 1/sqrt(in)) for weights and biases. */
    public static Mlp init(int[] sizes, long seed) {
        Mlp m = new Mlp(sizes);
        long[] st = Rng.single(seed, "mlp-init");
        for (int l = 0; l < m.layers(); l++) {
            double bound = 1.0 / Math.sqrt(sizes[l]);
            for (int i = m.wOff[l]; i < m.wOff[l + 1]; i++) m.w[i] = (float) ((2 * Rng.nextDouble(st, 0) - 1) * bound);
            for (int i = m.bOff[l]; i < m.bOff[l + 1]; i++) m.bias[i] = (float) ((2 * Rng.nextDouble(st, 0) - 1) * bound);
        }
        m.transposeFromTorch();
        return m;
    }

    /** Builds from PyTorch-layout weights [out][in] (flattened) and biases, layer by layer. */
    public static Mlp fromTorch(int[] sizes, float[][] weights, float[][] biases) {
        Mlp m = new Mlp(sizes);
        if (weights.length != m.layers() || biases.length != m.layers())
            throw new IllegalArgumentException("expected " + m.layers() + " layers of weights and biases");
        for (int l = 0; l < m.layers(); l++) {
            if (weights[l].length != sizes[l] * sizes[l + 1] || biases[l].length != sizes[l + 1])
                throw new IllegalArgumentException("layer " + l + " has the wrong shape");
            System.arraycopy(weights[l], 0, m.w, m.wOff[l], weights[l].length);
            System.arraycopy(biases[l], 0, m.bias, m.bOff[l], biases[l].length);
        }
        m.transposeFromTorch();
        return m;
    }

    public Mlp copy() {
        Mlp m = new Mlp(sizes);
        System.arraycopy(w, 0, m.w, 0, w.length);
        System.arraycopy(bias, 0, m.bias, 0, bias.length);
        m.transposeFromTorch();
        return m;
    }

    private void transposeFromTorch() {
        for (int l = 0; l < layers(); l++) {
            int K = sizes[l], N = sizes[l + 1];
            for (int j = 0; j < N; j++)
                for (int k = 0; k < K; k++) wt[wOff[l] + k * N + j] = w[wOff[l] + j * K + k];
        }
    }

    /** After the input-major weights were changed in place: refresh the PyTorch layout. */
    public void syncLayouts() {
        for (int l = 0; l < layers(); l++) {
            int K = sizes[l], N = sizes[l + 1];
            for (int k = 0; k < K; k++)
                for (int j = 0; j < N; j++) w[wOff[l] + j * K + k] = wt[wOff[l] + k * N + j];
        }
    }

    public int layers() {
        return sizes.length - 1;
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int inputDim() {
        return sizes[0];
    }

    public int outputDim() {
        return sizes[sizes.length - 1];
    }

    public int parameterCount() {
        return wt.length + bias.length;
    }

    /** FLOP of one row's forward pass (2 per multiply-add). */
    public long flopsPerRow() {
        long f = 0;
        for (int l = 0; l < layers(); l++) f += 2L * sizes[l] * sizes[l + 1];
        return f;
    }

    /** Layer l's weight in PyTorch layout [out][in], flattened. A copy. */
    public float[] torchWeight(int l) {
        return Arrays.copyOfRange(w, wOff[l], wOff[l + 1]);
    }

    public float[] torchBias(int l) {
        return Arrays.copyOfRange(bias, bOff[l], bOff[l + 1]);
    }

    /** The live input-major weights and biases, for optimisers; call {@link #syncLayouts()} after writing. */
    public float[][] parametersInPlace() {
        return new float[][] {wt, bias};
    }

    public int weightOffset(int l) {
        return wOff[l];
    }

    public int biasOffset(int l) {
        return bOff[l];
    }

    /**
     * Forward pass of n rows: out[n x outputDim] from in[n x inputDim], in parallel over chunks.
     * in: Not modified. out: Modified.
     */
    public void forward(float[] in, int n, float[] out) {
        ForwardTask task = tasks.get();
        task.in = in;
        task.out = out;
        task.n = n;
        try {
            Parallel.run(Parallel.chunks(n, CHUNK), task);
        } finally {
            task.in = null;
            task.out = null;
        }
    }

    /**
     * Runs all layers on the m rows held in buf[0] (m x inputDim), ping-ponging between buf[0] and
     * buf[1]; returns the buffer holding the m x outputDim result. buf: Modified.
     */
    float[] forwardRows(float[][] buf, int m) {
        DenseKernels k = DenseKernels.get();
        float[] a = buf[0], c = buf[1];
        for (int l = 0; l < layers(); l++) {
            layer(k, l, a, m, c);
            float[] t = a;
            a = c;
            c = t;
        }
        return a;
    }

    /** Applies layer l to m rows of a, writing c. ELU on all but the last layer. */
    public void layer(DenseKernels k, int l, float[] a, int m, float[] c) {
        int K = sizes[l], N = sizes[l + 1];
        boolean last = l == layers() - 1;
        if (last && N < 16) k.denseNarrow(a, m, K, w, wOff[l], N, bias, bOff[l], c);
        else k.dense(a, m, K, wt, wOff[l], N, bias, bOff[l], c, !last);
    }

    /**
     * Backpropagates dOut (m x outputDim) through the cached activations acts[l] (the output of layer
     * l, acts[-1] being input), accumulating the input-major weight gradient gw and bias gradient gb.
     * delta buffers d0, d1 need m x maxWidth floats. dOut, d0, d1, gw, gb: Modified.
     */
    public void backwardRows(float[] input, float[][] acts, int m, float[] dOut, float[] d0, float[] d1, float[] gw, float[] gb) {
        DenseKernels k = DenseKernels.get();
        float[] delta = dOut;
        float[] spare = d0, other = d1;
        for (int l = layers() - 1; l >= 0; l--) {
            int K = sizes[l], N = sizes[l + 1];
            float[] a = l == 0 ? input : acts[l - 1];
            k.accumulateGrad(a, m, K, delta, N, gw, wOff[l], gb, bOff[l]);
            if (l == 0) break;
            // dA = delta . W  (W is N x K output-major: the same dense kernel with K' = N, N' = K)
            k.dense(delta, m, N, w, wOff[l], K, null, 0, spare, false);
            k.eluBackward(spare, acts[l - 1], m * K);
            delta = spare;
            float[] t = spare;
            spare = other;
            other = t;
        }
    }

    /**
     * Runs all layers on m rows of input, keeping every layer's output in acts[l] (m x sizes[l+1]).
     * acts: Modified.
     */
    public void forwardCached(float[] input, int m, float[][] acts) {
        DenseKernels k = DenseKernels.get();
        float[] a = input;
        for (int l = 0; l < layers(); l++) {
            layer(k, l, a, m, acts[l]);
            a = acts[l];
        }
    }

    /**
     * The gradient with respect to the input rows: dIn (m x inputDim) = J^T dOut, backpropagating
     * through the cached activations. d0, d1: m x maxWidth scratch. dOut, d0, d1, dIn: Modified.
     */
    public void backwardInputRows(float[][] acts, int m, float[] dOut, float[] d0, float[] d1, float[] dIn) {
        DenseKernels k = DenseKernels.get();
        float[] delta = dOut, spare = d0, other = d1;
        for (int l = layers() - 1; l >= 0; l--) {
            int K = sizes[l], N = sizes[l + 1];
            float[] target = l == 0 ? dIn : spare;
            k.dense(delta, m, N, w, wOff[l], K, null, 0, target, false); // dA = delta . W
            if (l == 0) break;
            k.eluBackward(target, acts[l - 1], m * K);
            delta = target;
            float[] t = spare;
            spare = other;
            other = t;
        }
    }

    public int maxWidth() {
        return maxWidth;
    }
}
