package fksteer.onnx;

import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.process.Condition;
import fksteer.process.Process;
import fksteer.process.Shape;
import fksteer.reward.Reward;
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
    private final OnnxDecoder decoder;
    private final List<AutoCloseable> opened = new ArrayList<>();

    private OnnxModel(ModelCard card, OnnxOptions options) {
        this.card = card;
        this.options = options;
        this.network = new OnnxDenoiser(card, options);
        OnnxDecoder dec = null;
        try {
            if (card.decoder() != null) dec = new OnnxDecoder(card.decoder(), card.shape(), Quote.of(card.card().toString(), 0, 300), options);
        } catch (RuntimeException e) {
            network.close();
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

    public OnnxDenoiser network() {
        return network;
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
        Reward r = OnnxRewards.parse(spec, rewardShape(), options, opened);
        return decoded(r);
    }

    /** r behind the card's decoder (r scores decoded samples), or r itself without a decoder. */
    public Reward decoded(Reward r) {
        return decoder != null ? new DecodedReward(decoder, r) : r;
    }

    @Override
    public void close() {
        OnnxRewards.closeAll(opened);
        if (decoder != null) decoder.close();
        network.close();
    }
}
