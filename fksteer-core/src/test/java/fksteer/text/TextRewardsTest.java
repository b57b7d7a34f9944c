package fksteer.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.reward.Reward;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text rewards on token sequences: decoding by the vocabulary, the --reward grammar for text models, and its errors. */
class TextRewardsTest {
    /** The fortunes model's vocabulary: printable ASCII, then pad (95) and mask (96). */
    static final Vocabulary VOCAB = ascii();
    static final int L = 16;

    static Vocabulary ascii() {
        List<String> t = new ArrayList<>();
        for (char c = 0x20; c <= 0x7e; c++) t.add(String.valueOf(c));
        t.add("<pad>");
        t.add("<mask>");
        return new Vocabulary(t, 96, 95);
    }

    /** A sequence of L ids: the text, then pads. */
    static int[] seq(String text) {
        int[] ids = new int[L];
        java.util.Arrays.fill(ids, 95);
        int[] t = VOCAB.encode(text, "test");
        System.arraycopy(t, 0, ids, 0, t.length);
        return ids;
    }

    @Test
    void decodingStopsAtThePadAndSkipsMasks() {
        int[] s = seq("Good day");
        assertEquals("Good day", VOCAB.decode(s, 0, L));
        s[1] = 96;                       // a masked position of an intermediate state
        assertEquals("God day", VOCAB.decode(s, 0, L));
        s[10] = 'x' - 32;                // text after the first pad is not the text's
        assertEquals("God day", VOCAB.decode(s, 0, L));
        assertArrayEquals(new int[] {'H' - 32, 'i' - 32}, VOCAB.encode("Hi", "prompt"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> VOCAB.encode("caf\u00e9", "prompt"));
        assertEquals("prompt", e.setting());
        assertTrue(e.getMessage().contains("character 4"), e.getMessage());
    }

    @Test
    void rewardsScoreTheDecodedTexts() {
        Reward r = TextRewards.parse("sentiment", VOCAB, L, () -> { throw new AssertionError("no n-gram needed"); });
        int[] both = new int[2 * L];
        System.arraycopy(seq("I love it"), 0, both, 0, L);
        System.arraycopy(seq("I hate it"), 0, both, L, L);
        double[] out = new double[2];
        r.evaluateTokens(both, 2, out);
        assertEquals(Vader.standard().compound("I love it"), out[0], 0.0);
        assertEquals(Vader.standard().compound("I hate it"), out[1], 0.0);
        assertTrue(out[0] > 0.3 && out[1] < -0.3);

        CharNGram ngram = CharNGram.fit(List.of("the cat sat on the mat", "the dog sat"), 3);
        Reward sum = TextRewards.parse("2*sentiment + 0.5*perplexity + contains:love", VOCAB, L, () -> ngram);
        sum.evaluateTokens(both, 2, out);
        double want = 2 * Vader.standard().compound("I love it") - 0.5 * ngram.nllPerChar("I love it") + 1;
        assertEquals(want, out[0], 1e-12);
        assertEquals(L, sum.dim());
    }

    @Test
    void badSpecsAreOneLineNamingReward() {
        for (String spec : List.of("sentiment:3", "contains:", "contains", "contains:two words", "point:1,2", "sentiment+point:1,2",
                "perplexity:x", "sentimentt", "onnx:f.onnx", "2*")) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> TextRewards.parse(spec, VOCAB, L, () -> CharNGram.fit(List.of("a"), 2)), spec);
            assertEquals("reward", e.setting(), spec);
            assertEquals(1, e.getMessage().lines().count(), spec + ": " + e.getMessage());
        }
        // a text reward refuses points, and a point reward refuses token sequences, in one line
        Reward text = TextRewards.parse("sentiment", VOCAB, L, () -> null);
        assertEquals("reward", assertThrows(InvalidSettingException.class, () -> text.evaluate(new float[L], 1, new double[1])).setting());
        Reward point = fksteer.reward.Rewards.parse("point:1,2");
        assertEquals("reward", assertThrows(InvalidSettingException.class, () -> point.evaluateTokens(new int[2], 1, new double[1])).setting());
    }

    @Test
    void vocabulariesAreCheckedWhenBuilt() {
        assertEquals("vocab", assertThrows(InvalidSettingException.class, () -> new Vocabulary(List.of("a"), 0, -1)).setting());
        assertEquals("vocab", assertThrows(InvalidSettingException.class, () -> new Vocabulary(List.of("a", "b"), 2, -1)).setting());
        assertEquals("vocab", assertThrows(InvalidSettingException.class, () -> new Vocabulary(List.of("a", "b"), 1, 1)).setting());
    }
}
