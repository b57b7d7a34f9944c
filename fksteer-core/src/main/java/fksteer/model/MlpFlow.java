package fksteer.model;

import fksteer.kernel.Parallel;

/**
 * A learned velocity field: an {@link Mlp} on the input [t, x] (dimension d + 1) with output d, as in
 * the reference's {@code Flow} module.
 */
public final class MlpFlow implements DifferentiableField {
    private final Mlp mlp;
    private final int d;
    private final ThreadLocal<float[][]> scratch;
    private final ThreadLocal<Task> tasks = ThreadLocal.withInitial(Task::new);

    /** One call's arguments, reused so that a dispatch allocates nothing. */
    private final class Task implements java.util.function.IntConsumer {
        float[] x, out;
        int n;
        float t;

        @Override
        public void accept(int c) {
            int chunk = Mlp.CHUNK, r0 = c * chunk, m = Math.min(chunk, n - r0);
            float[][] s = scratch.get();
            float[] in = s[0];
            for (int r = 0; r < m; r++) {
                in[r * (d + 1)] = t;
                System.arraycopy(x, (r0 + r) * d, in, r * (d + 1) + 1, d);
            }
            float[] y = mlp.forwardRows(s, m);
            System.arraycopy(y, 0, out, r0 * d, m * d);
        }
    }

    public MlpFlow(Mlp mlp) {
        if (mlp.inputDim() != mlp.outputDim() + 1)
            throw new IllegalArgumentException("a flow MLP maps [t, x] (d+1) to d; got " + mlp.inputDim() + " -> " + mlp.outputDim());
        this.mlp = mlp;
        this.d = mlp.outputDim();
        int mw = mlp.maxWidth();
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {new float[Mlp.CHUNK * mw], new float[Mlp.CHUNK * mw]});
    }

    /** Per-thread buffers for backpropagation through one chunk. */
    private final ThreadLocal<float[][]> backScratch = ThreadLocal.withInitial(this::newBackScratch);

    private float[][] newBackScratch() {
        int[] s = mlp.sizes();
        float[][] b = new float[s.length + 4][];
        for (int l = 0; l < mlp.layers(); l++) b[l] = new float[Mlp.CHUNK * s[l + 1]];
        int w = mlp.maxWidth();
        b[s.length - 1] = new float[Mlp.CHUNK * (d + 1)]; // input rows
        b[s.length] = new float[Mlp.CHUNK * w];
        b[s.length + 1] = new float[Mlp.CHUNK * w];
        b[s.length + 2] = new float[Mlp.CHUNK * (d + 1)]; // input gradient
        b[s.length + 3] = new float[Mlp.CHUNK * d];       // dOut
        return b;
    }

    /** (dv/dx)^T g by backpropagation: a forward pass with cached activations, then the input gradient. */
    @Override
    public void vjp(float[] x, int n, float t, float[] g, float[] out) {
        int L = mlp.layers();
        Parallel.run(Parallel.chunks(n, Mlp.CHUNK), c -> {
            int r0 = c * Mlp.CHUNK, m = Math.min(Mlp.CHUNK, n - r0);
            float[][] b = backScratch.get();
            float[] in = b[L], dIn = b[L + 3], dOut = b[L + 4];
            float[][] acts = java.util.Arrays.copyOf(b, L);
            for (int r = 0; r < m; r++) {
                in[r * (d + 1)] = t;
                System.arraycopy(x, (r0 + r) * d, in, r * (d + 1) + 1, d);
            }
            mlp.forwardCached(in, m, acts);
            System.arraycopy(g, r0 * d, dOut, 0, m * d);
            mlp.backwardInputRows(acts, m, dOut, b[L + 1], b[L + 2], dIn);
            for (int r = 0; r < m; r++) System.arraycopy(dIn, r * (d + 1) + 1, out, (r0 + r) * d, d); // drop d/dt
        });
    }

    /** The reference architecture: [t, x] -> hidden x layers (ELU) -> d. */
    public static int[] architecture(int d, int hidden, int hiddenLayers) {
        if (hidden < 1) throw new fksteer.io.InvalidSettingException("hidden", "must be >= 1, got " + hidden);
        if (hiddenLayers < 1) throw new fksteer.io.InvalidSettingException("hiddenLayers", "must be >= 1, got " + hiddenLayers);
        int[] s = new int[hiddenLayers + 2];
        s[0] = d + 1;
        for (int i = 1; i <= hiddenLayers; i++) s[i] = hidden;
        s[hiddenLayers + 1] = d;
        return s;
    }

    public Mlp mlp() {
        return mlp;
    }

    @Override
    public int dim() {
        return d;
    }

    @Override
    public void velocity(float[] x, int n, float t, float[] out) {
        Task task = tasks.get();
        task.x = x;
        task.out = out;
        task.n = n;
        task.t = t;
        try {
            Parallel.run(Parallel.chunks(n, Mlp.CHUNK), task);
        } finally {
            task.x = null;
            task.out = null;
        }
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("mlp(");
        int[] s = mlp.sizes();
        for (int i = 0; i < s.length; i++) b.append(i == 0 ? "" : "-").append(s[i]);
        return b.append(", elu)").toString();
    }
}
