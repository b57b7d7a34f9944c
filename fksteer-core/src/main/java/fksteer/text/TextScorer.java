package fksteer.text;

import fksteer.io.InvalidSettingException;
import java.util.Locale;
import java.util.Objects;

/**
 * A score of a text, higher is better: the rewards of text steering. Every implementation returns a
 * finite number for every string, the empty one and very long ones included, and is thread-safe.
 */
public interface TextScorer {

    /** The score of {@code text} (finite). */
    double score(String text);

    /** A short name for output: the reward spec ("sentiment", "perplexity", "contains:love"). */
    String spec();

    /** VADER's compound sentiment, in [-1, 1] ({@link Vader#compound}). */
    record Sentiment(Vader vader) implements TextScorer {
        public Sentiment {
            Objects.requireNonNull(vader, "vader");
        }

        /** With the vendored lexicon. */
        public Sentiment() {
            this(Vader.standard());
        }

        @Override
        public double score(String text) {
            return vader.compound(text);
        }

        @Override
        public String spec() {
            return "sentiment";
        }
    }

    /**
     * Fluency: minus the negative log-likelihood per character (in nats, end of text included) under a
     * character n-gram model, {@code -model.nllPerChar(text)}, the fluency reward of the FK steering
     * paper's text experiments (higher is more fluent; its exponential's inverse is the text's perplexity).
     */
    record Fluency(CharNGram model) implements TextScorer {
        public Fluency {
            Objects.requireNonNull(model, "model");
        }

        @Override
        public double score(String text) {
            return -model.nllPerChar(text);
        }

        @Override
        public String spec() {
            return "perplexity";
        }
    }

    /**
     * 1 if the text contains {@code word} as a whole word, case-insensitively, else 0. The text's words are
     * the maximal runs of letters, digits and apostrophes (Unicode, by code point; U+2019 counts as an
     * apostrophe, combining marks as letters) with their leading and trailing apostrophes removed, compared after lower-casing
     * ({@link Locale#ROOT}): "contains:love" matches "Love me" and "'love'", not "lovely" or "love's".
     *
     * @param word 1 to 64 letters, digits and apostrophes, starting and ending with a letter or digit;
     *             kept lower-cased
     */
    record Contains(String word) implements TextScorer {
        public static final int MAX_LENGTH = 64;

        public Contains {
            InvalidSettingException.require(word != null && !word.isEmpty(), "reward", "contains: needs a word, e.g. contains:love");
            InvalidSettingException.require(word.length() <= MAX_LENGTH, "reward",
                    "contains: the word must have at most " + MAX_LENGTH + " characters, got " + word.length());
            boolean ok = Character.isLetterOrDigit(word.codePointAt(0)) && Character.isLetterOrDigit(word.codePointBefore(word.length()));
            for (int i = 0; ok && i < word.length(); ) {
                int c = word.codePointAt(i);
                ok = Character.isLetterOrDigit(c) || c == '\'' || c == '\u2019';
                i += Character.charCount(c);
            }
            InvalidSettingException.require(ok, "reward",
                    "contains: the word must be letters, digits and apostrophes, starting and ending with a letter or digit, got '" + word + "'");
            word = word.replace('\u2019', '\'').toLowerCase(Locale.ROOT);
        }

        /** Letters, digits, apostrophes, and the combining marks lower-casing may produce (İ becomes i + U+0307). */
        private static boolean isWordChar(int c) {
            int type = Character.getType(c);
            return Character.isLetterOrDigit(c) || c == '\'' || type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK;
        }

        @Override
        public double score(String text) {
            String s = text.replace('\u2019', '\'').toLowerCase(Locale.ROOT);
            int n = s.length();
            for (int i = 0; i < n; ) {
                int c = s.codePointAt(i);
                if (!isWordChar(c)) {
                    i += Character.charCount(c);
                    continue;
                }
                int start = i;
                while (i < n && isWordChar(s.codePointAt(i))) i += Character.charCount(s.codePointAt(i));
                int from = start, to = i;
                while (from < to && s.charAt(from) == '\'') from++;
                while (to > from && s.charAt(to - 1) == '\'') to--;
                if (to - from == word.length() && s.regionMatches(from, word, 0, word.length())) return 1;
            }
            return 0;
        }

        @Override
        public String spec() {
            return "contains:" + word;
        }
    }
}
