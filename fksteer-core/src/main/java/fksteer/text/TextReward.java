package fksteer.text;

import fksteer.io.InvalidSettingException;
import fksteer.reward.Reward;
import java.util.Objects;

/**
 * A {@link TextScorer} as the {@link Reward} of a masked model's token sequences: each sequence is
 * decoded by the vocabulary ({@link Vocabulary#decode}: up to its first pad, masks skipped) and its
 * text scored. An intermediate state x_t is scored as the text of its unmasked tokens.
 *
 * @param scorer what a text is worth
 * @param vocab  the model's vocabulary
 * @param length the model's sequence length
 */
public record TextReward(TextScorer scorer, Vocabulary vocab, int length) implements Reward {

    public TextReward {
        Objects.requireNonNull(scorer, "scorer");
        Objects.requireNonNull(vocab, "vocab");
        InvalidSettingException.require(length >= 1, "model", "sequence length must be >= 1, got " + length);
    }

    @Override
    public int dim() {
        return length;
    }

    /** @throws InvalidSettingException naming reward: a text reward scores token sequences, not points */
    @Override
    public void evaluate(float[] x, int n, double[] out) {
        throw new InvalidSettingException("reward", spec() + " scores text, but this model makes points");
    }

    @Override
    public void evaluateTokens(int[] tokens, int n, double[] out) {
        for (int i = 0; i < n; i++) {
            double v = scorer.score(vocab.decode(tokens, i * length, length));
            if (!Double.isFinite(v)) throw new IllegalStateException(spec() + " gave " + v + ": a text scorer's score is finite");
            out[i] = v;
        }
    }

    @Override
    public String spec() {
        return scorer.spec();
    }
}
