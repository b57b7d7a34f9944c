package fksteer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AFINN-165 scores checked by hand against afinn-165.txt (values quoted in the comments). */
class AfinnTest {
    @Test
    void theVendoredListIsComplete() {
        assertEquals(3382, Afinn.size());
    }

    @Test
    void wordsAreLowerCasedAndPunctuationSeparates() {
        assertEquals(3, Afinn.score("good"));                       // good 3
        assertEquals(3, Afinn.score("GOOD"));
        assertEquals(6, Afinn.score("Good, good!"));
    }

    @Test
    void unknownWordsAndEmptyTextScoreZero() {
        assertEquals(0, Afinn.score(""));
        assertEquals(0, Afinn.score("xyzzy plugh 1234 !!!"));
        assertFalse(Afinn.positive("xyzzy"));
        assertFalse(Afinn.positive("bad"));                        // bad -3
        assertTrue(Afinn.positive("wonderful"));                   // wonderful 4
    }

    @Test
    void listedPhrasesWinOverTheirWordsLongestFirst() {
        assertEquals(-2, Afinn.score("not good"));                 // "not good" -2, not good 3
        assertEquals(3, Afinn.score("not. Good"), "no phrase across punctuation");
        assertEquals(-3, Afinn.score("It does not work at all"));  // "does not work" -3
        assertEquals(-3, Afinn.score("no fun"));                   // "no fun" -3, not no -1 + fun 4
        assertEquals(4, Afinn.score("the best damn pie"));         // "best damn" 4, not best 3 + damn -2
        assertEquals(3, Afinn.score("kind of good"));              // "kind of" 0 + good 3, not kind 2 + good 3
        assertEquals(3, Afinn.score("some kind of love"), "left to right: 'some kind' 0 takes 'kind', then of, love 3");
        assertEquals(-3, Afinn.score("I can't stand it"));         // "can't stand" -3
        assertEquals(-3, Afinn.score("I can\u2019t stand it"), "the typographic apostrophe is an apostrophe");
        assertEquals(-3, Afinn.score("I CAN'T\tSTAND it"));
    }

    @Test
    void hyphensApostrophesAndNonAsciiWords() {
        assertEquals(2, Afinn.score("well-being"));                // well-being 2
        assertEquals(2, Afinn.score("self-confident"));            // self-confident 2
        assertEquals(3, Afinn.score("ultra-happy"), "unlisted: scored as ultra, happy 3");
        assertEquals(6, Afinn.score("super-happy"));                // super 3, happy 3
        assertEquals(-2, Afinn.score("so naïve"));                 // naïve -2
        assertEquals(3, Afinn.score("gr8"));                       // gr8 3
        assertEquals(List.of("can't", "well-being", "super", "happy", "good", "bad"),
                Afinn.words("'Can't' well-being super-happy good--bad"));
    }

    @Test
    void quotationsOfTheHeldOutSet() throws IOException {
        List<String> eval = Files.readAllLines(Path.of("..", "data", "text", "heldout-eval.txt"));
        String[] q = {
            "A boss with no humor is like a job that's no fun.",         // no -1, humor 2, like 2, "no fun" -3
            "A handful of patience is worth more than a bushel of brains.", // worth 2
            "Be careful! Is it classified?",                             // careful 2
            "\"Fantasies are free.\" \"NO!! NO!! It's the thought police!!!!\"", // free 1, no -1, no -1
        };
        int[] expected = {0, 2, 2, -1};
        for (int i = 0; i < q.length; i++) {
            assertTrue(eval.contains(q[i]), "a quotation of heldout-eval.txt: " + q[i]);
            assertEquals(expected[i], Afinn.score(q[i]), q[i]);
        }
        assertFalse(Afinn.positive(q[0]));
        assertTrue(Afinn.positive(q[1]));
    }

    @Test
    void aMissingListIsAPackagingErrorNotAnEmptyList() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Afinn.read("/fksteer/eval/no-such-list.txt"));
        assertTrue(e.getMessage().contains("no-such-list.txt"), e.getMessage());
    }
}
