package fksteer.text;

import fksteer.io.InvalidSettingException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A masked diffusion model's vocabulary: token id i is the string tokens[i] (a character for a
 * character-level model), one id is the absorbing mask, and an optional pad id fills a sequence after
 * its text ends.
 *
 * <p>Decoding: a sequence's text is the concatenation of its tokens up to its first pad (the text ends
 * there); mask tokens (still masked positions of an intermediate state) contribute nothing.
 *
 * @param tokens every token's string, index = id (at least 2, at most {@link #MAX_TOKENS})
 * @param mask   the mask's id
 * @param pad    the pad's id, or -1 when the model has none
 */
public record Vocabulary(List<String> tokens, int mask, int pad) {
    /** The largest vocabulary read. */
    public static final int MAX_TOKENS = 1 << 20;

    public Vocabulary {
        InvalidSettingException.require(tokens != null && tokens.size() >= 2 && tokens.size() <= MAX_TOKENS, "vocab",
                "must list 2 to " + MAX_TOKENS + " tokens, got " + (tokens == null ? "none" : tokens.size()));
        tokens = List.copyOf(tokens);
        InvalidSettingException.require(mask >= 0 && mask < tokens.size(), "vocab", "mask id " + mask + " is outside [0, " + tokens.size() + ")");
        InvalidSettingException.require(pad == -1 || pad >= 0 && pad < tokens.size() && pad != mask, "vocab",
                "pad id " + pad + " must be -1 (none) or an id in [0, " + tokens.size() + ") other than the mask's");
    }

    public int size() {
        return tokens.size();
    }

    /** The text of one sequence: tokens[off .. off + len) up to the first pad, masks skipped. */
    public String decode(int[] ids, int off, int len) {
        StringBuilder b = new StringBuilder(len);
        for (int l = 0; l < len; l++) {
            int t = ids[off + l];
            if (t == pad) break;
            if (t == mask) continue;
            b.append(tokens.get(t));
        }
        return b.toString();
    }

    /**
     * The ids of a text made of single-token pieces, greedily longest token first (for a character
     * vocabulary: one id per character).
     *
     * @throws InvalidSettingException naming setting when a piece of the text is no token
     */
    public int[] encode(String text, String setting) {
        Map<String, Integer> ids = new HashMap<>();
        int longest = 1;
        for (int i = 0; i < tokens.size(); i++) {
            if (i == mask || i == pad || tokens.get(i).isEmpty()) continue;
            ids.putIfAbsent(tokens.get(i), i);
            longest = Math.max(longest, tokens.get(i).length());
        }
        int[] out = new int[text.length()];
        int n = 0;
        for (int at = 0; at < text.length();) {
            int found = -1, len = 0;
            for (int k = Math.min(longest, text.length() - at); k >= 1 && found < 0; k--) {
                Integer id = ids.get(text.substring(at, at + k));
                if (id != null) {
                    found = id;
                    len = k;
                }
            }
            if (found < 0)
                throw new InvalidSettingException(setting, "has " + fksteer.io.Quote.of(String.valueOf(Character.toChars(text.codePointAt(at))))
                        + " at character " + (at + 1) + ", which the model's vocabulary does not have");
            out[n++] = found;
            at += len;
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
