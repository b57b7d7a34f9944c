package fksteer.onnx;

import fksteer.io.BadInputException;
import fksteer.io.Quote;
import fksteer.model.TokenDenoiser;
import fksteer.process.Shape;

/**
 * A masked model card's ONNX network as a {@link TokenDenoiser}: token ids go to the card's "tokens"
 * input as int64 [batch, L], raw logits come back as float32 [batch, L, V], V the card's vocabulary. With
 * a "time" input the network also gets the masking time t (float32) and is time-conditioned, so its
 * output is never reused across steps. The process checks the logits (NaN or +inf is one line naming
 * the model).
 */
public final class OnnxTokenDenoiser implements TokenDenoiser, AutoCloseable {
    private final ModelCard card;
    private final Network net;
    private final int length, vocab;
    private float[] ids = new float[0];

    OnnxTokenDenoiser(ModelCard card, OnnxOptions options) {
        if (!card.masked()) throw new IllegalArgumentException("not a masked model's card");
        this.card = card;
        this.length = card.size();
        this.vocab = card.vocab().size();
        String where = Quote.of(card.card().toString(), 0, 300) + ": field \"file\" " + Quote.of(String.valueOf(card.file().getFileName()), 0, 200)
                + ": ";
        Graph g = Graph.open(card.file(), options, "model", where);
        try {
            this.net = new Network(g, card.sampleInput(), "field \"inputs\".\"tokens\"", card.shape(), true, card.timeInput(),
                    "field \"inputs\".\"time\"", false, null, null, Shape.of(length, vocab), options.maxBatch());
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
    }

    public ModelCard card() {
        return card;
    }

    /** Nanoseconds spent inside ONNX Runtime's own run calls so far. */
    public long inferenceNanos() {
        return net.runNanos();
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int maskId() {
        return card.vocab().mask();
    }

    @Override
    public boolean timeConditioned() {
        return card.timeInput() != null;
    }

    @Override
    public synchronized void logits(int[] tokens, int n, float t, float[] out) {
        int len = n * length;
        if (ids.length < len) ids = new float[len];
        for (int i = 0; i < len; i++) {
            int v = tokens[i];
            if (v < 0 || v >= vocab) throw new BadInputException("model " + Quote.of(card.card().toString(), 0, 300) + ": token id " + v
                    + " is outside its vocabulary of " + vocab);
            ids[i] = v;                       // exact: ids are below 2^20 < 2^24
        }
        net.run(ids, n, t, null, out);
    }

    @Override
    public String describe() {
        return "onnx(" + card.file().getFileName() + ", masked, L " + length + ", V " + vocab + ")";
    }

    @Override
    public void close() {
        net.close();
    }
}
