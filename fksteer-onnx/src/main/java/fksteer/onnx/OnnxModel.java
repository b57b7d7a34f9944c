package fksteer.onnx;

import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.process.Condition;
import fksteer.process.Process;
import fksteer.process.Shape;
import fksteer.reward.Reward;
import fksteer.text.CharNGram;
import fksteer.text.TextRewards;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model card with its ONNX sessions open: the network as a {@link Process} of the card's kind, and
 * its decoder, if any, in front of rewards. Close it to free the sessions (and every scorer opened
 * through {@link #reward}).
 *
 * <pre>{@code
 * try (OnnxModel m = OnnxModel.load(Path.of("unet.card.json"), OnnxOptions.defaults())) {
 *     Process p = m.process(Condition.label(3).withCfg(2));
 *     Reward r = m.reward("onnx:clf.onnx:class=3");
 *     SteerResult res = FkSteering.defaults(64, 50).withSampler(p.stochasticSampler()).run(p, r, 42);
 * }
 * }</pre>
 */
public final class OnnxModel implements AutoCloseable {
    private final ModelCard card;
    private final OnnxOptions options;
    private final OnnxDenoiser network;
    private final OnnxTokenDenoiser tokens;
    private final OnnxDecoder decoder;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private CharNGram ngram;

    private OnnxModel(ModelCard card, OnnxOptions options) {
        this.card = card;
        this.options = options;
        this.network = card.masked() ? null : new OnnxDenoiser(card, options);
        this.tokens = card.masked() ? new OnnxTokenDenoiser(card, options) : null;
        OnnxDecoder dec = null;
        try {
            if (card.decoder() != null) dec = new OnnxDecoder(card.decoder(), card.shape(), Quote.of(card.card().toString(), 0, 300), options);
        } catch (RuntimeException e) {
            if (network != null) network.close();
            throw e;
        }
        this.decoder = dec;
    }

    /** Reads the card and opens its network (and decoder) with ONNX Runtime. */
    public static OnnxModel load(Path card, OnnxOptions options) {
        InvalidSettingException.require(options != null, "onnxThreads", "options are required (OnnxOptions.defaults())");
        return new OnnxModel(ModelCard.read(card), options);
    }

    public ModelCard card() {
        return card;
    }

    /** The network of a model of points. @throws IllegalStateException for a masked model (see {@link #tokenNetwork}) */
    public OnnxDenoiser network() {
        if (network == null) throw new IllegalStateException("a masked model's network is tokenNetwork()");
        return network;
    }

    /** The network of a masked (token) model. @throws IllegalStateException for a model of points */
    public OnnxTokenDenoiser tokenNetwork() {
        if (tokens == null) throw new IllegalStateException("a model of points has no token network");
        return tokens;
    }

    /** Nanoseconds spent inside ONNX Runtime's run calls of the model's network so far. */
    public long inferenceNanos() {
        return network != null ? network.inferenceNanos() : tokens.inferenceNanos();
    }

    /** The decoder, or null when the card has none. */
    public OnnxDecoder decoder() {
        return decoder;
    }

    /** The shape rewards see: the decoder's output, or the samples'. */
    public Shape rewardShape() {
        return decoder != null ? decoder.outputShape() : card.shape();
    }

    /**
     * The card's process over this network under a condition. A conditional model asked to run
     * unconditionally, or with classifier-free guidance, needs the card's "null" id.
     */
    public Process process(Condition condition) {
        InvalidSettingException.require(condition != null, "condition", "is required (Condition.NONE for none)");
        if (tokens != null) {
            InvalidSettingException.require(condition.none(), "condition", "does not apply to the masked model " + Quote.of(String.valueOf(card.card().getFileName()), 0, 200)
                    + ": it takes no class (condition a text model with a prompt)");
            return ((fksteer.process.ProcessSpec.Masked) card.process()).bindTokens(tokens);
        }
        if (card.conditional() && card.nullClass() < 0) {
            InvalidSettingException.require(!condition.none(), "condition", "is needed: the model " + network.name()
                    + " takes a class (0.." + (card.classes() - 1) + ") and its card gives no \"null\" id for an unconditional run");
            InvalidSettingException.require(!condition.guided(), "cfg", "needs the unconditional output, but the card " + network.name()
                    + " gives no \"condition\".\"null\" id");
        }
        return card.process().bind(network, card.prediction(), condition);
    }

    /**
     * A --reward spec (built-in terms and onnx:FILE[:class=C] terms), seen through the decoder when the
     * card has one. Scorers opened here close with the model.
     */
    public Reward reward(String spec) {
        return reward(spec, opened);
    }

    /**
     * {@link #reward(String)}, with the scorers it opens added to opened (to be closed by the caller,
     * while the model stays open for other runs).
     */
    public Reward reward(String spec, List<AutoCloseable> opened) {
        if (tokens != null) return TextRewards.parse(spec, card.vocab(), card.size(), this::referenceModel);
        Reward r = OnnxRewards.parse(spec, rewardShape(), options, opened);
        return decoded(r);
    }

    /**
     * A masked model's character n-gram model ({@link CharNGram#DEFAULT_ORDER}), fitted on its card's
     * "referenceTexts" on first use: the perplexity reward's and the text demo's fluency measure.
     *
     * @throws InvalidSettingException naming reward when the card names no reference texts
     */
    public synchronized CharNGram referenceModel() {
        if (ngram == null) {
            if (card.referenceTexts() == null)
                throw new InvalidSettingException("reward", "perplexity needs the n-gram model of the card's \"referenceTexts\", and "
                        + Quote.of(String.valueOf(card.card().getFileName()), 0, 200) + " names none");
            String where = Quote.of(card.card().toString(), 0, 300) + ": field \"referenceTexts\" " + Quote.of(card.referenceTexts().toString(), 0, 200) + ": ";
            try {
                ngram = CharNGram.fit(TextRewards.readTexts(card.referenceTexts(), where), CharNGram.DEFAULT_ORDER);
            } catch (fksteer.io.BadInputException e) {
                throw new InvalidSettingException("model", ": " + e.getMessage());
            }
        }
        return ngram;
    }

    /** r behind the card's decoder (r scores decoded samples), or r itself without a decoder. */
    public Reward decoded(Reward r) {
        return decoder != null ? new DecodedReward(decoder, r) : r;
    }

    @Override
    public void close() {
        OnnxRewards.closeAll(opened);
        if (decoder != null) decoder.close();
        if (network != null) network.close();
        if (tokens != null) tokens.close();
    }
}
