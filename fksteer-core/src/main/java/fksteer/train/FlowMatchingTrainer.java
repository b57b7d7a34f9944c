package fksteer.train;

import fksteer.data.Dataset;
import fksteer.io.InvalidSettingException;
import fksteer.kernel.Parallel;
import fksteer.kernel.Sizes;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.rng.Rng;
import java.util.Arrays;
import java.util.Locale;

/**
 * Conditional flow matching on the linear path: with x0 ~ N(0, I), x1 ~ data, t ~ U(0, 1),
 * x_t = (1 - t) x0 + t x1, minimise E |v_theta(t, x_t) - (x1 - x0)|^2 (the mean over entries, as
 * PyTorch's MSELoss), with fresh data every step.
 *
 * <p>The batch is cut into fixed chunks of {@link #CHUNK} rows; each chunk draws its data from its own
 * stream, runs forward and backward, and writes a private partial gradient; partial gradients are
 * summed in chunk order. So training is bitwise reproducible for any thread count.
 */
public final class FlowMatchingTrainer {
    public static final int CHUNK = 512;

    /** Told after each step; return false to stop early. */
    public interface Listener {
        boolean onStep(int step, int steps, double loss);
    }

    private final TrainConfig cfg;
    private final Dataset data;
    private final Mlp mlp;
    private final Adam adam;
    private final int d, chunks;
    private final ChunkState[] states;
    private final float[] gw, gb;
    private final float[][] params, grads;
    private int step;

    private final class ChunkState {
        final int rows;
        final float[] input, target, out, d0, d1, gw, gb, x1;
        final float[][] acts;
        double loss;

        ChunkState(int rows) {
            this.rows = rows;
            int w = mlp.maxWidth();
            input = new float[rows * (d + 1)];
            target = new float[rows * d];
            out = new float[rows * d];
            x1 = new float[rows * d];
            d0 = new float[rows * w];
            d1 = new float[rows * w];
            acts = new float[mlp.layers()][];
            int[] s = mlp.sizes();
            for (int l = 0; l < mlp.layers(); l++) acts[l] = new float[rows * s[l + 1]];
            float[][] p = mlp.parametersInPlace();
            gw = new float[p[0].length];
            gb = new float[p[1].length];
        }
    }

    public FlowMatchingTrainer(TrainConfig cfg) {
        this(cfg, Mlp.init(MlpFlow.architecture(Dataset.byName(cfg.dataset()).dim(), cfg.hidden(), cfg.layers()), cfg.seed()));
    }

    public FlowMatchingTrainer(TrainConfig cfg, Mlp init) {
        this.cfg = cfg;
        this.data = Dataset.byName(cfg.dataset());
        this.d = data.dim();
        this.mlp = init;
        if (mlp.inputDim() != d + 1 || mlp.outputDim() != d)
            throw new IllegalArgumentException("model shape does not fit dataset " + data.name());
        this.adam = new Adam(mlp.parametersInPlace(), cfg.lr());
        this.chunks = Parallel.chunks(cfg.batch(), CHUNK);
        this.states = new ChunkState[chunks];
        for (int c = 0; c < chunks; c++) states[c] = new ChunkState(Math.min(CHUNK, cfg.batch() - c * CHUNK));
        params = mlp.parametersInPlace();
        gw = new float[params[0].length];
        gb = new float[params[1].length];
        grads = new float[][] {gw, gb};
    }

    /**
     * An estimate, in bytes, of the heap that training with cfg needs, for a caller to refuse what cannot
     * fit before it starts: the model's two weight layouts and biases, Adam's two moments, the summed
     * gradient, and per chunk of {@value #CHUNK} rows a private gradient plus the rows' inputs, targets,
     * activations and deltas. Excludes the per-thread network scratch (a few hundred KB). Saturates at
     * Long.MAX_VALUE.
     */
    public static long estimatedBytes(TrainConfig cfg) {
        int d = Dataset.byName(cfg.dataset()).dim();
        int[] s = MlpFlow.architecture(d, cfg.hidden(), cfg.layers());
        long params = 0, weights = 0, widths = 0;
        for (int l = 0; l + 1 < s.length; l++) {
            weights = Sizes.sum(weights, Sizes.product(s[l], s[l + 1]));
            params = Sizes.sum(params, Sizes.sum(Sizes.product(s[l], s[l + 1]), s[l + 1]));
            widths += s[l + 1];
        }
        long chunks = Parallel.chunks(cfg.batch(), CHUNK), w = Math.max(cfg.hidden(), d + 1L);
        return new Sizes.Bytes().floats(weights).floats(4, params)               // second weight layout; params, 2 Adam moments, gradient
                .floats(chunks, params)                                          // the chunks' private gradients
                .floats(cfg.batch(), (d + 1L) + 3L * d + 2 * w + widths).total(); // inputs, targets, outputs, x1, deltas, activations
    }

    public Mlp model() {
        return mlp;
    }

    /** Runs the remaining steps; returns the last loss. */
    public double train(Listener listener) {
        double loss = Double.NaN;
        while (step < cfg.steps()) {
            loss = step();
            if (listener != null && !listener.onStep(step, cfg.steps(), loss)) break;
        }
        return loss;
    }

    /**
     * One optimisation step; returns the batch loss before the update.
     *
     * @throws InvalidSettingException naming {@code lr} at the first step whose loss or gradient is not
     *         finite, before that step changes the model (or, with an absurd rate, when an update overflows a
     *         parameter): training has diverged, and the model must not be saved
     */
    public double step() {
        long base = Rng.subSeed(cfg.seed(), "train-data");
        int s = step;
        Parallel.run(chunks, c -> runChunk(states[c], Rng.key(base, (long) s * chunks + c)));
        Arrays.fill(gw, 0f);
        Arrays.fill(gb, 0f);
        double loss = 0;
        for (ChunkState st : states) {
            for (int i = 0; i < gw.length; i++) gw[i] += st.gw[i];
            for (int i = 0; i < gb.length; i++) gb[i] += st.gb[i];
            loss += st.loss;
        }
        double mean = loss / ((double) cfg.batch() * d);
        if (!Double.isFinite(mean)) throw diverged("the loss is " + mean, s);
        if (!finite(grads)) throw diverged("the gradient is not finite", s);
        if (cfg.cosine()) adam.setLearningRate(cfg.lr() * 0.5 * (1 + Math.cos(Math.PI * s / cfg.steps())));
        adam.step(params, grads);
        if (!finite(params)) throw diverged("an update made a parameter non-finite", s);
        mlp.syncLayouts();
        step++;
        return mean;
    }

    private static boolean finite(float[][] arrays) {
        for (float[] a : arrays)
            for (float v : a)
                if (!Float.isFinite(v)) return false;
        return true;
    }

    private InvalidSettingException diverged(String what, int s) {
        return new InvalidSettingException("lr", String.format(Locale.ROOT, "%s made training diverge at step %d of %d (%s); lower it (the default is %s)",
                cfg.lr(), s + 1, cfg.steps(), what, TrainConfig.DEFAULT_LR));
    }

    private void runChunk(ChunkState st, long key) {
        long[] rng = {key};
        int m = st.rows;
        data.sample(st.x1, m, rng);
        float[] in = st.input, u = st.target;
        float[] eps = new float[d];
        for (int r = 0; r < m; r++) {
            float t = (float) Rng.nextDouble(rng, 0);
            Rng.fillGaussian(rng, 0, eps, 0, d);
            in[r * (d + 1)] = t;
            for (int k = 0; k < d; k++) {
                float x1 = st.x1[r * d + k], x0 = eps[k];
                in[r * (d + 1) + 1 + k] = (1 - t) * x0 + t * x1; // x_t = (1-t) x0 + t x1
                u[r * d + k] = x1 - x0;                           // target u_t = x1 - x0
            }
        }
        mlp.forwardCached(in, m, st.acts); // forward, caching each layer's output
        // dL/dout of mean((out - u)^2) over batch * d entries
        float scale = 2f / ((float) cfg.batch() * d);
        double loss = 0;
        float[] out = st.acts[mlp.layers() - 1];
        for (int i = 0; i < m * d; i++) {
            float e = out[i] - u[i];
            loss += (double) e * e;
            st.out[i] = scale * e;
        }
        st.loss = loss;
        Arrays.fill(st.gw, 0f);
        Arrays.fill(st.gb, 0f);
        mlp.backwardRows(in, st.acts, m, st.out, st.d0, st.d1, st.gw, st.gb);
    }
}
