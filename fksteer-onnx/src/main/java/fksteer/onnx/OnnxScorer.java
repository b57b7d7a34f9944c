package fksteer.onnx;

import fksteer.io.BadInputException;
import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.process.Shape;
import fksteer.reward.Reward;
import java.nio.file.Path;

/**
 * An ONNX scorer as a {@link Reward}: its one input takes the samples (in the model's data space,
 * unchanged: any normalisation the scorer expects belongs inside its graph), and either
 * <ul>
 *   <li>its one output is a scalar per sample, [n] or [n, 1], and is the reward; or</li>
 *   <li>with a class C, its output is logits [n, K], and the reward is log-softmax at C, log p(C | x),
 *       computed in double: logit_C - log sum_k exp(logit_k), with the maximum subtracted first.</li>
 * </ul>
 * It has no gradient (guidance refuses it; FK is the gradient-free path). A non-finite score is one
 * line naming the scorer and the sample.
 */
public final class OnnxScorer implements Reward, AutoCloseable {
    private final Network net;
    private final int dim, classIndex;
    private final String spec;
    private float[] rows = new float[0];

    /**
     * @param file       the .onnx scorer
     * @param sample     the shape of what it scores (the model's samples, or its decoder's output)
     * @param classIndex the class C for log p(C | x), or -1 for a scalar score
     * @param spec       how it was asked for, e.g. "onnx:clf.onnx:class=3"
     */
    public static OnnxScorer open(Path file, Shape sample, int classIndex, String spec, OnnxOptions options) {
        InvalidSettingException.require(classIndex >= -1, "reward", "class must be >= 0, got " + classIndex);
        String where = "onnx scorer " + Quote.of(file.toString(), 0, 300) + ": ";
        Graph g = Graph.open(file, options, "reward", where);
        try {
            return new OnnxScorer(g, sample, classIndex, spec, options);
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    private OnnxScorer(Graph g, Shape sample, int classIndex, String spec, OnnxOptions options) {
        if (g.inputs.size() != 1)
            throw g.mismatch("a scorer takes one input (the samples), but the graph has " + g.inputs.size());
        String input = g.inputs.keySet().iterator().next();
        this.net = new Network(g, input, "its input", sample, null, null, false, null, null, null, options.maxBatch());
        this.dim = sample.size();
        this.classIndex = classIndex;
        this.spec = spec;
        int width = net.outSize();
        if (width > 0) check(g, width);
        this.g = g;
    }

    private final Graph g;

    private void check(Graph g, int width) {
        if (classIndex < 0 && width != 1)
            throw g.mismatch("its output has " + width + " values per sample; a scalar scorer gives one ([batch] or [batch, 1]); "
                    + "for class logits use onnx:FILE:class=C");
        if (classIndex >= 0 && classIndex >= width)
            throw g.mismatch("class=" + classIndex + " asks for a class the scorer's " + width + " logits do not have (classes 0.." + (width - 1) + ")");
        if (classIndex >= 0 && width < 2)
            throw g.mismatch("class=" + classIndex + " needs logits over 2 or more classes, but the output has " + width + " value per sample");
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public synchronized void evaluate(float[] x, int n, double[] out) {
        if (n == 0) return;
        int width = net.outSize();
        if (width < 0) {
            width = net.outSizeFor(x);
            check(g, width);
        }
        long need = (long) n * width;
        if (need > Integer.MAX_VALUE - 8) throw new BadInputException("reward " + spec + ": " + n + " samples of " + width + " logits are too many at once");
        if (rows.length < need) rows = new float[(int) need];
        net.run(x, n, 0, null, rows);
        for (int i = 0; i < n; i++) {
            double r;
            if (classIndex < 0) {
                r = rows[i];
            } else {
                int o = i * width;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < width; k++) max = Math.max(max, rows[o + k]);
                double sum = 0;
                for (int k = 0; k < width; k++) sum += Math.exp(rows[o + k] - max);
                r = rows[o + classIndex] - max - Math.log(sum);           // log-softmax: log p(C | x)
            }
            if (!Double.isFinite(r))
                throw new BadInputException("reward " + spec + ": the scorer returned " + (classIndex < 0 ? "" : "logits giving ") + r + " for sample " + i
                        + "; a reward must be finite");
            out[i] = r;
        }
    }

    @Override
    public void close() {
        net.close();
    }
}
