package fksteer.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * VADER sentiment (Hutto &amp; Gilbert, "VADER: A Parsimonious Rule-based Model for Sentiment Analysis of
 * Social Media Text", ICWSM 2014): the {@code compound} score of a text, in [-1, 1], as the npm package
 * vader-sentiment 1.1.3 (vaderSentiment-js, {@code src/vaderSentiment.js}) computes it, rule for rule,
 * with its lexicon ({@code fksteer/text/vader_lexicon.txt}, the package's file; see the README there).
 * {@code VaderTest} checks every output against the package's, run by node, on 207 texts.
 *
 * <p>The rules, in the package's order:
 * <ol>
 *   <li><b>Tokens.</b> The text is split on every single character that JavaScript's {@code \s} matches
 *       (ASCII whitespace, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000,
 *       U+FEFF; not U+0085) and tokens of fewer than 2 UTF-16 units are dropped. A token that is a word
 *       with one of the marks {@code . ! ? , ; : - ' " !! !!! ?? ??? ?!? !?! ?!?! !?!?} before or after it
 *       becomes the bare word, when that word (≥ 2 units) also appears once the text is stripped of
 *       ASCII punctuation; other tokens ({@code good...}, {@code (good)}, {@code :)}) stay as they are.</li>
 *   <li><b>ALL CAPS.</b> The text "mixes case" when some but not all tokens are upper case (no
 *       {@code a-z}, at least one {@code A-Z}). Then an upper-case lexicon word moves 0.733 away from 0,
 *       and so does an upper-case booster's increment.</li>
 *   <li><b>Valence.</b> A token's valence is its lower-cased lexicon value ({@link Locale#ROOT}), 0 when it
 *       has none; the booster/dampener words themselves and the "kind" of "kind of" score 0. Then for
 *       d = 1, 2, 3 tokens back (when there are that many), if the token d back is not itself in the
 *       lexicon: its booster increment (+0.293 for the B_INCR words, -0.293 for the B_DECR ones, the sign
 *       flipped for a negative valence, 0.733 further from 0 when it is upper case in a mixed-case text)
 *       is added, scaled by 1, 0.95, 0.9 for d = 1, 2, 3; then a negation d back (a NEGATE word, or a
 *       token containing {@code n't}; case-sensitive) multiplies by -0.74, except that at d = 2 "never"
 *       two back with "so"/"this" just before multiplies by 1.5 instead, and at d = 3 "never" three back
 *       with "so"/"this" two back, or "so"/"this" just before, multiplies by 1.25 instead. At d = 3 the special-case
 *       idioms ("the shit" 3, "the bomb" 3, "bad ass" 1.5, "yeah right" -2, "cut the mustard" 2, "kiss of
 *       death" -1.5, "hand to mouth" -2, case-sensitive) around the token replace the valence, and "kind
 *       of" / "sort of" / "just enough" among the three tokens before adds -0.293. Last, "least" just
 *       before multiplies by -0.74 unless preceded by "at" or "very".</li>
 *   <li><b>But.</b> With a token "but" (else "BUT"), valences before its first occurrence are halved and
 *       those after it multiplied by 1.5.</li>
 *   <li><b>Punctuation.</b> When the sum s of the valences is non-zero it moves away from 0 by 0.292 per
 *       '!' of the whole text (at most 4), plus 0.18 per '?' when there are 2 or 3 of them, 0.96 for
 *       more.</li>
 *   <li><b>Compound.</b> s / √(s² + 15), clipped to [-1, 1]; 0 when there is no token.</li>
 * </ol>
 * The package's quirks are kept, since they define the score: "DON'T" does not negate, "Kind Of"
 * dampens nothing, "good..." and "Good!!!!!!" find no lexicon word, the idioms are only looked for when
 * the token three back exists and is not in the lexicon, and of duplicated lexicon lines the last wins (as in the
 * package's JavaScript object). Unlike the package, {@link #compound(String)} returns the compound
 * unrounded (the package rounds it to 4 decimals with {@code toFixed(4)}).
 *
 * <p>Immutable and thread-safe.
 */
public final class Vader {
    /** The resource holding the lexicon: "token TAB mean TAB sd TAB ratings" per line. */
    static final String LEXICON = "/fksteer/text/vader_lexicon.txt";

    static final double B_INCR = 0.293, B_DECR = -0.293, C_INCR = 0.733, N_SCALAR = -0.74;

    private static final List<String> PUNC_LIST = List.of(".", "!", "?", ",", ";", ":", "-", "'", "\"",
            "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?");

    private static final Set<String> NEGATE = Set.of("aint", "arent", "cannot", "cant", "couldnt", "darent",
            "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't", "dont",
            "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't",
            "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor",
            "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't",
            "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't",
            "wouldn't", "rarely", "seldom", "despite");

    private static final Map<String, Double> BOOSTER = boosters();

    private static final Map<String, Double> IDIOMS = Map.of("the shit", 3.0, "the bomb", 3.0, "bad ass", 1.5,
            "yeah right", -2.0, "cut the mustard", 2.0, "kiss of death", -1.5, "hand to mouth", -2.0);

    private static Map<String, Double> boosters() {
        Map<String, Double> m = new HashMap<>();
        for (String w : List.of("absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly",
                "deeply", "effing", "enormously", "entirely", "especially", "exceptionally", "extremely",
                "fabulously", "flipping", "flippin", "fricking", "frickin", "frigging", "friggin", "fully",
                "fucking", "greatly", "hella", "highly", "hugely", "incredibly", "intensely", "majorly", "more",
                "most", "particularly", "purely", "quite", "really", "remarkably", "so", "substantially",
                "thoroughly", "totally", "tremendously", "uber", "unbelievably", "unusually", "utterly", "very"))
            m.put(w, B_INCR);
        for (String w : List.of("almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof",
                "kind-of", "less", "little", "marginally", "occasionally", "partly", "scarcely", "slightly",
                "somewhat", "sort of", "sorta", "sortof", "sort-of"))
            m.put(w, B_DECR);
        return Map.copyOf(m);
    }

    private final Map<String, Double> lexicon;

    private Vader(Map<String, Double> lexicon) {
        this.lexicon = Map.copyOf(lexicon);
    }

    private static final class Standard {
        static final Vader INSTANCE = new Vader(readLexicon(LEXICON));
    }

    /** VADER with the vendored lexicon (read once, on first use). */
    public static Vader standard() {
        return Standard.INSTANCE;
    }

    /** The number of distinct lexicon entries (7,503: the file's 7,517 lines hold 14 duplicates). */
    public int lexiconSize() {
        return lexicon.size();
    }

    /**
     * The compound score of {@code text} in [-1, 1] (positive is positive sentiment; by VADER's usual
     * thresholds ≥ 0.05 is positive and ≤ -0.05 negative), unrounded. 0 for a text with no lexicon word.
     */
    public double compound(String text) {
        Objects.requireNonNull(text, "text");
        List<String> words = wordsAndEmoticons(text);
        int n = words.size();
        String[] lower = new String[n];
        for (int i = 0; i < n; i++) lower[i] = words.get(i).toLowerCase(Locale.ROOT);
        boolean capDiff = allCapDifferential(words);
        double[] sentiments = new double[n];
        for (int i = 0; i < n; i++) {
            if ((i < n - 1 && lower[i].equals("kind") && lower[i + 1].equals("of")) || BOOSTER.containsKey(lower[i]))
                continue; // valence 0
            sentiments[i] = valence(words, lower, i, capDiff);
        }
        butCheck(words, sentiments);
        return scoreValence(sentiments, text);
    }

    private double valence(List<String> words, String[] lower, int index, boolean capDiff) {
        Double v = lexicon.get(lower[index]);
        if (v == null) return 0;
        double valence = v;
        if (isUpper(words.get(index)) && capDiff) valence = valence > 0 ? valence + C_INCR : valence - C_INCR;
        for (int startI = 0; startI < 3; startI++) {
            int j = index - (startI + 1);
            if (index > startI && !lexicon.containsKey(lower[j])) {
                double s = scalarIncDec(words.get(j), lower[j], valence, capDiff);
                if (startI == 1 && s != 0) s = s * 0.95;
                else if (startI == 2 && s != 0) s = s * 0.9;
                valence = valence + s;
                valence = neverCheck(valence, words, startI, index);
                if (startI == 2) valence = idiomsCheck(valence, words, index);
            }
        }
        return leastCheck(valence, words, lower, index);
    }

    private static double scalarIncDec(String word, String lower, double valence, boolean capDiff) {
        Double b = BOOSTER.get(lower);
        if (b == null) return 0;
        double scalar = b;
        if (valence < 0) scalar *= -1;
        if (capDiff && isUpper(word)) scalar = valence > 0 ? scalar + C_INCR : scalar - C_INCR;
        return scalar;
    }

    /** The package's {@code negated([word])}: a NEGATE word or one containing "n't", case-sensitive. */
    private static boolean negated(String word) {
        return NEGATE.contains(word) || word.contains("n't");
    }

    private static double neverCheck(double valence, List<String> w, int startI, int index) {
        if (startI == 0) {
            if (negated(w.get(index - 1))) valence = valence * N_SCALAR;
        }
        if (startI == 1) {
            if (w.get(index - 2).equals("never") && (w.get(index - 1).equals("so") || w.get(index - 1).equals("this")))
                valence = valence * 1.5;
            else if (negated(w.get(index - 2))) valence = valence * N_SCALAR;
        }
        if (startI == 2) {
            if ((w.get(index - 3).equals("never") && (w.get(index - 2).equals("so") || w.get(index - 2).equals("this")))
                    || (w.get(index - 1).equals("so") || w.get(index - 1).equals("this")))
                valence = valence * 1.25;
            else if (negated(w.get(index - 3))) valence = valence * N_SCALAR;
        }
        return valence;
    }

    /** Called three words back only, so index ≥ 3. */
    private static double idiomsCheck(double valence, List<String> w, int index) {
        String zero = w.get(index), one = w.get(index - 1), two = w.get(index - 2), three = w.get(index - 3);
        String oneZero = one + " " + zero, twoOneZero = two + " " + one + " " + zero, twoOne = two + " " + one,
                threeTwoOne = three + " " + two + " " + one, threeTwo = three + " " + two;
        for (String seq : new String[] {oneZero, twoOneZero, twoOne, threeTwoOne, threeTwo}) {
            Double idiom = IDIOMS.get(seq);
            if (idiom != null) {
                valence = idiom;
                break;
            }
        }
        if (w.size() - 1 > index) {
            Double idiom = IDIOMS.get(zero + " " + w.get(index + 1));
            if (idiom != null) valence = idiom;
        }
        if (w.size() - 1 > index + 1) {
            Double idiom = IDIOMS.get(zero + " " + w.get(index + 1) + " " + w.get(index + 2));
            if (idiom != null) valence = idiom;
        }
        if (BOOSTER.containsKey(threeTwo) || BOOSTER.containsKey(twoOne)) valence = valence + B_DECR;
        return valence;
    }

    private double leastCheck(double valence, List<String> w, String[] lower, int index) {
        if (index > 1 && lower[index - 1].equals("least") && !lexicon.containsKey(lower[index - 1])) {
            if (!lower[index - 2].equals("at") && !lower[index - 2].equals("very")) valence = valence * N_SCALAR;
        } else if (index > 0 && lower[index - 1].equals("least") && !lexicon.containsKey(lower[index - 1])) {
            valence = valence * N_SCALAR;
        }
        return valence;
    }

    private static void butCheck(List<String> words, double[] sentiments) {
        int but = words.indexOf("but");
        if (but == -1) but = words.indexOf("BUT");
        if (but == -1) return;
        for (int i = 0; i < sentiments.length; i++) {
            if (i < but) sentiments[i] = sentiments[i] * 0.5;
            else if (i > but) sentiments[i] = sentiments[i] * 1.5;
        }
    }

    private static double scoreValence(double[] sentiments, String text) {
        if (sentiments.length == 0) return 0;
        double sum = 0;
        for (double s : sentiments) sum += s;
        int ep = 0, qm = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '!') ep++;
            else if (c == '?') qm++;
        }
        double epAmplifier = Math.min(ep, 4) * 0.292;
        double qmAmplifier = qm > 1 ? (qm <= 3 ? qm * 0.18 : 0.96) : 0;
        double amplifier = epAmplifier + qmAmplifier;
        if (sum > 0) sum += amplifier;
        else if (sum < 0) sum -= amplifier;
        return normalize(sum);
    }

    /** s / √(s² + 15), clipped to [-1, 1]. */
    static double normalize(double score) {
        double norm = score / Math.sqrt(score * score + 15);
        return norm < -1 ? -1 : norm > 1 ? 1 : norm;
    }

    /** Python's {@code str.isupper} as the package writes it: no a-z and at least one A-Z (ASCII only). */
    static boolean isUpper(String word) {
        boolean upper = false;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c >= 'a' && c <= 'z') return false;
            if (c >= 'A' && c <= 'Z') upper = true;
        }
        return upper;
    }

    private static boolean allCapDifferential(List<String> words) {
        int allCaps = 0;
        for (String w : words) if (isUpper(w)) allCaps++;
        int diff = words.size() - allCaps;
        return diff > 0 && diff < words.size();
    }

    /** JavaScript's {@code \s}: WhiteSpace (with every Zs character) and LineTerminator. */
    static boolean isJsSpace(char c) {
        return switch (c) {
            case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F', '\u205F',
                 '\u3000', '\uFEFF' -> true;
            default -> c >= '\u2000' && c <= '\u200A';
        };
    }

    /** ASCII punctuation, the package's REGEX_REMOVE_PUNCTUATION (Python's string.punctuation). */
    static boolean isPunct(char c) {
        return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
    }

    /** {@code s.split(/\s/)} without the pieces shorter than 2 UTF-16 units. */
    private static List<String> splitLong(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i == s.length() || isJsSpace(s.charAt(i))) {
                if (i - start > 1) out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /**
     * The package's SentiText.get_words_and_emoticons. Its dictionary maps mark + word and word + mark
     * to word for every PUNC_LIST mark and every word of the punctuation-stripped text; as words hold no
     * punctuation and marks are all punctuation, a token is a key exactly when its leading (or trailing)
     * run of punctuation is a mark and the rest is such a word.
     */
    static List<String> wordsAndEmoticons(String text) {
        List<String> tokens = splitLong(text);
        StringBuilder noPunc = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) if (!isPunct(text.charAt(i))) noPunc.append(text.charAt(i));
        Set<String> words = new HashSet<>(splitLong(noPunc.toString()));
        for (int t = 0; t < tokens.size(); t++) {
            String tok = tokens.get(t);
            int lead = 0;
            while (lead < tok.length() && isPunct(tok.charAt(lead))) lead++;
            int trail = tok.length();
            while (trail > 0 && isPunct(tok.charAt(trail - 1))) trail--;
            if (lead > 0 && lead < tok.length()) {
                String rest = tok.substring(lead);
                if (PUNC_LIST.contains(tok.substring(0, lead)) && words.contains(rest)) tokens.set(t, rest);
            } else if (lead == 0 && trail < tok.length()) {
                String rest = tok.substring(0, trail);
                if (PUNC_LIST.contains(tok.substring(trail)) && words.contains(rest)) tokens.set(t, rest);
            }
        }
        return tokens;
    }

    /** Reads a lexicon resource; a missing or empty one is an IllegalStateException (a packaging bug). */
    static Map<String, Double> readLexicon(String resource) {
        InputStream in = Vader.class.getResourceAsStream(resource);
        if (in == null) throw new IllegalStateException("the VADER lexicon " + resource + " is missing from the classpath (a packaging bug)");
        Map<String, Double> m = new HashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isEmpty()) continue;
                String[] f = line.split("\t", -1);
                if (f.length < 2) throw new IllegalStateException(resource + " line " + lineNo + ": expected token TAB valence");
                m.put(f[0], Double.parseDouble(f[1])); // duplicates: the last wins, as in the package's object
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        if (m.isEmpty()) throw new IllegalStateException(resource + " is empty (a packaging bug)");
        return m;
    }
}
