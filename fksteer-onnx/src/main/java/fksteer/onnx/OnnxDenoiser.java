package fksteer.onnx;

import fksteer.io.BadInputException;
import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.model.Denoiser;
import fksteer.process.Shape;
import java.util.Locale;

/**
 * A model card's ONNX network as a {@link Denoiser}: the samples go to the card's "sample" input, the
 * time the process gives (a vp training step, a flow's t, or σ) times "timeScale" to its "time" input,
 * and each row's class to its "condition" input, with label -1 (the unconditional half of
 * classifier-free guidance, or an unconditional run) fed as the card's "null" id. Outputs are checked
 * finite: a NaN or infinity from the network is one line naming the card, the row and the time.
 */
public final class OnnxDenoiser implements Denoiser, AutoCloseable {
    private final ModelCard card;
    private final Network net;
    /** The class ids fed, grown to the largest call and kept (a guided batch is twice the particles). */
    private int[] ids;

    OnnxDenoiser(ModelCard card, OnnxOptions options) {
        this.card = card;
        String where = Quote.of(card.card().toString(), 0, 300) + ": field \"file\" " + Quote.of(String.valueOf(card.file().getFileName()), 0, 200)
                + ": ";
        Graph g = Graph.open(card.file(), options, "model", where);
        try {
            boolean integral = card.timeFormat() == ModelCard.TimeFormat.INDEX && card.timeScale() == Math.rint(card.timeScale());
            this.net = new Network(g, card.sampleInput(), "field \"inputs\".\"sample\"", card.shape(), card.timeInput(),
                    "field \"inputs\".\"time\"", integral, card.conditionInput(), "field \"inputs\".\"condition\"", card.shape(), options.maxBatch());
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        this.ids = new int[Math.min(1024, options.maxBatch())];
    }

    /** Nanoseconds spent inside ONNX Runtime's own run calls so far: what a run's time is beyond them is fksteer's. */
    public long inferenceNanos() {
        return net.runNanos();
    }

    public ModelCard card() {
        return card;
    }

    /** The card's file name, quoted for a message. */
    String name() {
        return Quote.of(String.valueOf(card.card().getFileName()), 0, 200);
    }

    @Override
    public int dim() {
        return card.size();
    }

    @Override
    public Shape shape() {
        return card.shape();
    }

    @Override
    public int classes() {
        return card.classes();
    }

    @Override
    public synchronized void predict(float[] x, int n, float t, int[] labels, float[] vectors, float[] out) {
        int[] fed = null;
        if (card.conditional()) {
            if (ids.length < n) ids = new int[n];
            fed = ids;
            for (int i = 0; i < n; i++) {
                int l = labels == null ? -1 : labels[i];
                if (l < 0) {
                    if (card.nullClass() < 0)
                        throw new InvalidSettingException("condition", "is needed: the model " + name()
                                + " takes a class and its card gives no \"null\" id for unconditional rows (give --condition; --cfg needs \"null\")");
                    l = card.nullClass();
                } else if (l >= card.classes()) {
                    throw new InvalidSettingException("condition", "is class " + l + ", but the model " + name() + " has classes 0.."
                            + (card.classes() - 1));
                }
                fed[i] = l;
            }
        }
        double fedTime = t * card.timeScale();
        net.run(x, n, fedTime, fed, out);
        int d = dim();
        for (int i = 0, len = n * d; i < len; i++)
            if (!Float.isFinite(out[i]))
                throw new BadInputException("model " + Quote.of(card.card().toString(), 0, 300) + ": the network returned " + out[i] + " for sample "
                        + i / d + " (entry " + i % d + ") at time " + String.format(Locale.ROOT, "%.6g", (double) t) + " (fed "
                        + String.format(Locale.ROOT, "%.6g", fedTime) + "); a network must give finite outputs");
    }

    @Override
    public String describe() {
        return "onnx(" + card.file().getFileName() + ", " + card.prediction().id + ", " + card.process().kind() + ", shape " + card.shape() + ")";
    }

    @Override
    public void close() {
        net.close();
    }
}
