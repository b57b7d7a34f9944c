package fksteer.eval;

import fksteer.io.InvalidSettingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Distinct-n, a diversity measure of a set of texts (Li et al., "A Diversity-Promoting Objective Function
 * for Neural Conversation Models", NAACL 2016): the number of distinct word n-grams divided by the total
 * number of word n-grams, over all the texts. Words are the whitespace-separated tokens
 * ({@link Character#isWhitespace}) of each text, lower-cased ({@link Locale#ROOT}), punctuation kept as
 * part of them; n-grams do not cross from one text to the next. 1 when no n-gram repeats, towards 0 as the
 * texts repeat each other; 0 when there is no n-gram at all (every text shorter than n words).
 */
public final class Distinct {
    private Distinct() {}

    /**
     * Distinct-n of the texts.
     *
     * @throws InvalidSettingException naming {@code n} unless n ≥ 1
     */
    public static double of(List<String> texts, int n) {
        InvalidSettingException.require(n >= 1, "n", "must be at least 1, got " + n);
        Set<String> distinct = new HashSet<>();
        long total = 0;
        for (String text : texts) {
            List<String> w = words(Objects.requireNonNull(text, "text"));
            for (int i = 0; i + n <= w.size(); i++) {
                // words hold no whitespace, so a space joins them unambiguously
                distinct.add(String.join(" ", w.subList(i, i + n)));
                total++;
            }
        }
        return total == 0 ? 0 : (double) distinct.size() / total;
    }

    /** The whitespace-separated tokens of the text, lower-cased. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        String s = text.toLowerCase(Locale.ROOT);
        int start = -1;
        for (int i = 0; i <= s.length(); i++) {
            boolean space = i == s.length() || Character.isWhitespace(s.charAt(i));
            if (space && start >= 0) {
                out.add(s.substring(start, i));
                start = -1;
            } else if (!space && start < 0) start = i;
        }
        return out;
    }
}
