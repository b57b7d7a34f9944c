package fksteer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextScorerTest {
    static final String[] ODD = {"", " ", "\u0000", "\uD800", "\uD83D\uDE00\uD83D\uDE00", "!!!???", "\t\n\r",
            "a".repeat(200_000), "good ".repeat(50_000), "not bad but terrible!!! ".repeat(10_000), "\u0130STANBUL"};

    static CharNGram model() throws IOException {
        return CharNGram.fit(Files.readAllLines(Path.of("..", "data", "text", "heldout-ngram.txt")), CharNGram.DEFAULT_ORDER);
    }

    @Test
    void everyScorerIsFiniteOnEveryString() throws IOException {
        List<TextScorer> scorers = List.of(new TextScorer.Sentiment(), new TextScorer.Fluency(model()), new TextScorer.Contains("good"));
        for (TextScorer s : scorers)
            for (String t : ODD) {
                double v = s.score(t);
                assertTrue(Double.isFinite(v), s.spec() + " on a text of length " + t.length() + ": " + v);
            }
    }

    @Test
    void sentimentIsVadersCompound() {
        TextScorer s = new TextScorer.Sentiment();
        assertEquals("sentiment", s.spec());
        assertEquals(Vader.standard().compound("What a wonderful day"), s.score("What a wonderful day"));
        assertTrue(s.score("What a wonderful day") > 0.5 && s.score("What a horrible day") < -0.5);
    }

    @Test
    void fluencyIsMinusTheNllPerCharacter() throws IOException {
        CharNGram m = model();
        TextScorer f = new TextScorer.Fluency(m);
        assertEquals("perplexity", f.spec());
        String q = "A handful of patience is worth more than a bushel of brains.";
        assertEquals(-m.nllPerChar(q), f.score(q));
        assertTrue(f.score(q) > f.score("aq8 ;Zx,,pQ  }}w"), "real text is more fluent than noise");
    }

    @Test
    void containsMatchesWholeWordsCaseInsensitively() {
        TextScorer c = new TextScorer.Contains("Love");
        assertEquals("contains:love", c.spec());
        assertEquals(1.0, c.score("I LOVE you"));
        assertEquals(1.0, c.score("love"));
        assertEquals(1.0, c.score("'love', she said"));
        assertEquals(1.0, c.score("(love)"));
        assertEquals(1.0, c.score("all you need is love."));
        assertEquals(0.0, c.score("lovely"));
        assertEquals(0.0, c.score("glove"));
        assertEquals(0.0, c.score("love's labour"), "the apostrophe is part of the word");
        assertEquals(0.0, c.score(""));
        TextScorer dont = new TextScorer.Contains("don't");
        assertEquals(1.0, dont.score("I DON'T know"));
        assertEquals(1.0, dont.score("I don\u2019t know"));
        assertEquals(0.0, dont.score("I dont know"));
        assertEquals(1.0, new TextScorer.Contains("42").score("the answer is 42!"));
        assertEquals(1.0, new TextScorer.Contains("naïve").score("So NAÏVE."));
    }

    @Test
    void containsChecksItsWord() {
        for (String bad : new String[] {"", "two words", "love!", "'love", "love'", "a-b", "x".repeat(65)}) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> new TextScorer.Contains(bad), bad);
            assertEquals("reward", e.setting());
        }
        assertThrows(InvalidSettingException.class, () -> new TextScorer.Contains(null));
        assertEquals("contains:" + "x".repeat(64), new TextScorer.Contains("x".repeat(64)).spec());
        assertEquals("contains:rock'n'roll", new TextScorer.Contains("Rock'n'Roll").spec());
    }
}
