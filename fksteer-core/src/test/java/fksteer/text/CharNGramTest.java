package fksteer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CharNGramTest {
    static final Path TEXT = Path.of("..", "data", "text");
    static final int V = CharNGram.VOCABULARY;

    static List<String> read(String name) throws IOException {
        return Files.readAllLines(TEXT.resolve(name));
    }

    static int sym(char c) {
        return c - 0x20;
    }

    @Test
    void everyContextGivesADistributionOverAllSymbols() throws IOException {
        List<String> fit = read("heldout-ngram.txt");
        Random r = new Random(7);
        for (int order : new int[] {1, 3, CharNGram.DEFAULT_ORDER, 8}) {
            CharNGram m = CharNGram.fit(fit, order);
            for (int trial = 0; trial < 200; trial++) {
                StringBuilder ctx = new StringBuilder();
                int len = r.nextInt(12);
                for (int i = 0; i < len; i++) {
                    // mostly text from the corpus, sometimes an unseen or non-ASCII character
                    int pick = r.nextInt(10);
                    if (pick == 0) ctx.append((char) (0x20 + r.nextInt(95)));
                    else if (pick == 1) ctx.append(r.nextBoolean() ? '\u00E9' : '\t');
                    else {
                        String line = fit.get(r.nextInt(fit.size()));
                        ctx.append(line.charAt(r.nextInt(line.length())));
                    }
                }
                double[] p = m.distribution(ctx.toString());
                assertEquals(V, p.length);
                double sum = 0;
                for (double x : p) {
                    assertTrue(x > 0 && x < 1, "every symbol has a probability in (0, 1): " + x);
                    sum += x;
                }
                assertEquals(1.0, sum, 1e-12, "order " + order + ", context '" + ctx + "'");
            }
        }
    }

    /**
     * Texts "ab" and "b" at order 2 (one begin-of-text symbol ^, end $). Bigrams: ^a 1, ab 1, b$ 2, ^b 1,
     * so D_2 = n1 / (n1 + 2 n2) = 3 / 5. Continuation counts: a 1 (^), b 2 (a, ^), $ 1 (b): D_1 = 2 / 4,
     * C = 4, T = 3.
     */
    @Test
    void aTinyCorpusGivesTheTextbookValues() {
        CharNGram m = CharNGram.fit(List.of("ab", "b"), 2);
        assertEquals(0.6, m.discount(2), 1e-15);
        assertEquals(0.5, m.discount(1), 1e-15);
        double floor = 0.5 * 3 / 97.0;
        double p1a = (1 - 0.5 + floor) / 4, p1b = (2 - 0.5 + floor) / 4, p1end = (1 - 0.5 + floor) / 4, p1unseen = floor / 4;
        double pAfterBos = (1 - 0.6 + 0.6 * 2 * p1a) / 2;   // context ^: C 2, T 2
        double pBAfterA = (1 - 0.6 + 0.6 * 1 * p1b) / 1;    // context a: C 1, T 1
        double pEndAfterB = (2 - 0.6 + 0.6 * 1 * p1end) / 2; // context b: C 2, T 1
        assertEquals(Math.log(pAfterBos) + Math.log(pBAfterA) + Math.log(pEndAfterB), m.logProb("ab"), 1e-14);
        double[] afterB = m.distribution("b");
        assertEquals(pEndAfterB, afterB[CharNGram.END], 1e-15);
        assertEquals(0.6 * p1a / 2, afterB[sym('a')], 1e-15, "a never followed b: the lower order's share");
        double[] afterZ = m.distribution("z");             // context z never seen: the unigram level
        assertEquals(p1b, afterZ[sym('b')], 1e-15);
        assertEquals(p1unseen, afterZ[sym('q')], 1e-15);
        assertEquals(p1unseen, afterZ[CharNGram.OTHER], 1e-15);
        // order 1: raw counts a 1, b 2, $ 2: D = 1 / (1 + 2 * 2), C = 5, T = 3
        CharNGram u = CharNGram.fit(List.of("ab", "b"), 1);
        assertEquals(0.2, u.discount(1), 1e-15);
        double pa = (1 - 0.2 + 0.2 * 3 / 97.0) / 5, pb = (2 - 0.2 + 0.2 * 3 / 97.0) / 5, pend = pb;
        assertEquals(Math.log(pa) + Math.log(pb) + Math.log(pend), u.logProb("ab"), 1e-14);
        assertEquals(-(Math.log(pb) + Math.log(pend)) / 2, u.nllPerChar("b"), 1e-14);
        assertEquals(Math.exp(-(u.logProb("ab") + u.logProb("")) / 4), u.perplexity(List.of("ab", "")), 1e-12);
    }

    @Test
    void logProbIsTheChainOfTheDistributions() throws IOException {
        CharNGram m = CharNGram.fit(read("heldout-ngram.txt"), 4);
        String t = "To be or not\u00E9?";
        double sum = 0;
        for (int i = 0; i <= t.length(); i++) {
            double[] p = m.distribution(t.substring(0, i));
            sum += Math.log(i < t.length() ? p[CharNGram.symbol(t.charAt(i))] : p[CharNGram.END]);
        }
        assertEquals(sum, m.logProb(t), 1e-10);
        assertEquals(-sum / (t.length() + 1), m.nllPerChar(t), 1e-10);
    }

    @Test
    void fittingDoesNotDependOnTheOrderOfTheTexts() throws IOException {
        List<String> fit = new ArrayList<>(read("heldout-ngram.txt"));
        CharNGram a = CharNGram.fit(fit, 5);
        Collections.shuffle(fit, new Random(3));
        CharNGram b = CharNGram.fit(fit, 5);
        for (String t : read("heldout-eval.txt").subList(0, 50))
            assertEquals(Double.doubleToLongBits(a.logProb(t)), Double.doubleToLongBits(b.logProb(t)), t);
    }

    /** Fitted on heldout-ngram.txt, the held-out quotations beat a unigram model and their own shuffled characters. */
    @Test
    void heldOutPerplexityBeatsUnigramAndShuffledText() throws IOException {
        List<String> fit = read("heldout-ngram.txt"), eval = read("heldout-eval.txt");
        Random r = new Random(42);
        List<String> shuffled = new ArrayList<>();
        for (String t : eval) {
            List<Character> cs = new ArrayList<>();
            for (char c : t.toCharArray()) cs.add(c);
            Collections.shuffle(cs, r);
            StringBuilder b = new StringBuilder();
            for (char c : cs) b.append(c);
            shuffled.add(b.toString());
        }
        double unigram = CharNGram.fit(fit, 1).perplexity(eval);
        assertEquals(27.08, unigram, 0.01, "the class comment's figure");
        double best = Double.POSITIVE_INFINITY;
        int bestOrder = 0;
        for (int order = 3; order <= 6; order++) {
            CharNGram m = CharNGram.fit(fit, order);
            double p = m.perplexity(eval), s = m.perplexity(shuffled);
            assertTrue(p < unigram && p < s, "order " + order + ": " + p + " vs unigram " + unigram + ", shuffled " + s);
            assertTrue(s > 100, "shuffled text is far less likely: " + s);
            if (p < best) {
                best = p;
                bestOrder = order;
            }
        }
        assertEquals(CharNGram.DEFAULT_ORDER, bestOrder, "DEFAULT_ORDER is the lowest held-out perplexity of orders 3-6");
        assertEquals(6.07, best, 0.01, "the class comment's figure");
    }

    @Test
    void scoresAreFiniteForAnyText() throws IOException {
        CharNGram m = CharNGram.fit(read("heldout-ngram.txt"), CharNGram.DEFAULT_ORDER);
        for (String t : new String[] {"", "\u0000\uD800\uFFFF", "\uD83D\uDE00 emoji", "~".repeat(100_000)}) {
            double nll = m.nllPerChar(t);
            assertTrue(Double.isFinite(nll) && nll > 0, t.length() + ": " + nll);
        }
        assertTrue(m.nllPerChar("The quick brown fox.") < m.nllPerChar(".xof nworb kciuq ehT"));
    }

    @Test
    void settingsAreChecked() {
        assertEquals("order", assertThrows(InvalidSettingException.class, () -> CharNGram.fit(List.of("a"), 0)).setting());
        assertEquals("order", assertThrows(InvalidSettingException.class, () -> CharNGram.fit(List.of("a"), 9)).setting());
        assertEquals("texts", assertThrows(InvalidSettingException.class, () -> CharNGram.fit(List.of(), 3)).setting());
        assertEquals(1, CharNGram.fit(List.of(""), 1).order());
    }
}
