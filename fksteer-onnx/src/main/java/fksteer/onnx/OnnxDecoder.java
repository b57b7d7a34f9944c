package fksteer.onnx;

import fksteer.io.BadInputException;
import fksteer.io.Quote;
import fksteer.process.Shape;
import java.nio.file.Path;

/**
 * A card's "decoder": an ONNX graph from samples (latents) to what rewards and plots see (pixels), like
 * Stable Diffusion's VAE decoder; or, through {@link #open}, any graph mapping each sample to a fixed-size output. One input, one float32 output with fixed non-batch dimensions.
 */
public final class OnnxDecoder implements AutoCloseable {
    private final Network net;
    private final Shape in, out;

    OnnxDecoder(Path file, Shape in, String cardName, OnnxOptions options) {
        this(file, in, options, "model", cardName + ": field \"decoder\" " + Quote.of(String.valueOf(file.getFileName()), 0, 200) + ": ");
    }

    /**
     * Any one-input graph with a fixed-size float32 output per sample, applied row by row: a VAE decoder,
     * or a feature extractor or classifier whose logits or features are wanted whole (the demo's judge).
     *
     * @param in      the shape of one input sample (after the batch axis)
     * @param setting the setting that named the file, for error messages ("models" for the demo's --models)
     */
    public static OnnxDecoder open(Path file, Shape in, String setting, OnnxOptions options) {
        return new OnnxDecoder(file, in, options, setting, "onnx graph " + Quote.of(file.toString(), 0, 300) + ": ");
    }

    private OnnxDecoder(Path file, Shape in, OnnxOptions options, String setting, String where) {
        Graph g = Graph.open(file, options, setting, where);
        try {
            if (g.inputs.size() != 1) throw g.mismatch("a decoder takes one input (the latents), but the graph has " + g.inputs.size());
            this.net = new Network(g, g.inputs.keySet().iterator().next(), "its input", in, null, null, false, null, null, null, options.maxBatch());
            long[] od = net.outDims();                         // the output's dimensions after the batch, as Network read them
            String declared = Graph.shapeName(Graph.tensor(g.outputs.values().iterator().next()));
            if (od == null || net.outSize() < 1)
                throw g.mismatch("a decoder's output needs fixed dimensions after the batch, but it has shape " + declared);
            if (od.length == 0) throw g.mismatch("a decoder's output needs dimensions after the batch, but it has shape " + declared);
            this.out = Shape.of(java.util.Arrays.stream(od).mapToInt(Math::toIntExact).toArray());
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        this.in = in;
    }

    public Shape inputShape() {
        return in;
    }

    public Shape outputShape() {
        return out;
    }

    /** pixels[i] = decoder(latents[i]) for n rows: n × outputShape().size() floats. */
    public void decode(float[] latents, int n, float[] pixels) {
        net.run(latents, n, 0, null, pixels);
        for (int i = 0, len = n * out.size(); i < len; i++)
            if (!Float.isFinite(pixels[i]))
                throw new BadInputException("decoder: returned " + pixels[i] + " for sample " + i / out.size() + "; a decoder must give finite outputs");
    }

    @Override
    public void close() {
        net.close();
    }
}
