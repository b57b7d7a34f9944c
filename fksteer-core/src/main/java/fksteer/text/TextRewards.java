package fksteer.text;

import fksteer.io.BadInputException;
import fksteer.io.InputFiles;
import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The rewards of a text (masked) model and their --reward specs, in the grammar of {@link Rewards#parse}:
 * <ul>
 *   <li>{@code sentiment}: VADER's compound score in [-1, 1] ({@link Vader});</li>
 *   <li>{@code perplexity}: minus the negative log-likelihood per character under a character n-gram model
 *       fitted on the model's reference texts (the paper's fluency reward; higher is more fluent);</li>
 *   <li>{@code contains:WORD}: 1 if the text holds WORD as a whole word, case-insensitively, else 0;</li>
 *   <li>weighted sums: {@code 2*sentiment+0.5*perplexity}.</li>
 * </ul>
 * Rewards of points (point:, line:, ...) are refused for a text model in one line.
 */
public final class TextRewards {
    /** The largest reference-text file read: 64 MiB. */
    public static final long MAX_REFERENCE_BYTES = 64L << 20;

    private TextRewards() {}

    /**
     * Parses spec for sequences of length tokens over vocab; ngram gives the perplexity reward's model (asked
     * for only when the spec uses it; it may throw naming the reason it has none).
     */
    public static Reward parse(String spec, Vocabulary vocab, int length, Supplier<CharNGram> ngram) {
        Map<String, Rewards.TermReader> terms = Map.of(
                "sentiment", a -> {
                    noArguments("sentiment", a);
                    return new TextReward(new TextScorer.Sentiment(), vocab, length);
                },
                "perplexity", a -> {
                    noArguments("perplexity", a);
                    return new TextReward(new TextScorer.Fluency(ngram.get()), vocab, length);
                },
                "contains", a -> new TextReward(new TextScorer.Contains(a.isEmpty() ? null : a), vocab, length));
        Reward r = Rewards.parse(spec, terms);
        for (Reward t : r instanceof Rewards.Sum s ? s.terms() : List.of(r))
            if (!(t instanceof TextReward))
                throw new InvalidSettingException("reward", Quote.of(t.spec(), 0, 80) + " scores points; a text model takes sentiment, perplexity, "
                        + "contains:WORD and weighted sums of them");
        return r;
    }

    private static void noArguments(String name, String args) {
        if (!args.isEmpty()) throw new InvalidSettingException("reward", name + " takes no arguments, got " + Quote.of(name + ":" + args, 0, 80));
    }

    /**
     * The texts of a reference file, one per line (UTF-8, blank lines skipped), checked to be a regular
     * file of at most {@link #MAX_REFERENCE_BYTES}.
     *
     * @throws BadInputException naming the file, in one line
     */
    public static List<String> readTexts(Path file, String where) {
        InputFiles.regularFileSize(file, where, "a text file (one text per line)", MAX_REFERENCE_BYTES);
        try {
            byte[] bytes = Files.readAllBytes(file);
            String all = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            List<String> out = new ArrayList<>();
            for (String line : all.split("\r?\n")) if (!line.isBlank()) out.add(line);
            if (out.isEmpty()) throw new BadInputException(where + "holds no text");
            return out;
        } catch (CharacterCodingException e) {
            throw new BadInputException(where + "is not UTF-8 text");
        } catch (IOException e) {
            throw new BadInputException(where + "cannot be read: " + Quote.of(String.valueOf(e.getMessage()), 0, 200));
        }
    }
}
