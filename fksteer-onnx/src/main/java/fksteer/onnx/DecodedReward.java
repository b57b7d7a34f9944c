package fksteer.onnx;

import fksteer.io.InvalidSettingException;
import fksteer.reward.Reward;

/**
 * A reward on decoded samples: r(decoder(z)) for latents z, as a card with a "decoder" asks. The
 * reward (built-in terms, ONNX scorers, or sums of them) sees the decoder's output, never the latents.
 */
public final class DecodedReward implements Reward {
    private final OnnxDecoder decoder;
    private final Reward reward;
    private float[] pixels = new float[0];

    public DecodedReward(OnnxDecoder decoder, Reward reward) {
        InvalidSettingException.require(reward.dim() == decoder.outputShape().size(), "reward", "has dimension " + reward.dim()
                + ", but the model's decoder gives samples of shape " + decoder.outputShape() + " (" + decoder.outputShape().size() + " values)");
        this.decoder = decoder;
        this.reward = reward;
    }

    public Reward inner() {
        return reward;
    }

    @Override
    public int dim() {
        return decoder.inputShape().size();
    }

    @Override
    public synchronized void evaluate(float[] x, int n, double[] out) {
        long need = (long) n * decoder.outputShape().size();
        if (need > Integer.MAX_VALUE - 8)
            throw new InvalidSettingException("particles", "are too many to decode at once: " + n + " samples of " + decoder.outputShape().size() + " values");
        if (pixels.length < need) pixels = new float[(int) need];
        decoder.decode(x, n, pixels);
        reward.evaluate(pixels, n, out);
    }

    @Override
    public String spec() {
        return reward.spec();
    }
}
