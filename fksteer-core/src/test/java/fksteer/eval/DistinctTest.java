package fksteer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.io.InvalidSettingException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistinctTest {
    @Test
    void countsDistinctOverTotalNGrams() {
        List<String> texts = List.of("the cat sat", "The  cat\tran", "a dog");
        // unigrams: the cat sat the cat ran a dog = 8, distinct {the, cat, sat, ran, a, dog} = 6
        assertEquals(6.0 / 8, Distinct.of(texts, 1), 1e-15);
        // bigrams: "the cat", "cat sat", "the cat", "cat ran", "a dog" = 5, distinct 4
        assertEquals(4.0 / 5, Distinct.of(texts, 2), 1e-15);
        // trigrams: "the cat sat", "the cat ran" = 2, both distinct ("a dog" has none)
        assertEquals(1.0, Distinct.of(texts, 3), 1e-15);
    }

    @Test
    void nGramsDoNotCrossTextsAndPunctuationStaysInWords() {
        // joined, "b c" would be a bigram; per text there are only "a b" and "c d"
        assertEquals(1.0, Distinct.of(List.of("a b", "c d"), 2), 1e-15);
        assertEquals(2.0 / 2, Distinct.of(List.of("Good!", "good"), 1), 1e-15, "'good!' and 'good' differ");
        assertEquals(1.0 / 2, Distinct.of(List.of("Good", "GOOD"), 1), 1e-15, "lower-cased");
    }

    @Test
    void identicalTextsGoToZeroAndNoNGramIsZero() {
        List<String> same = java.util.Collections.nCopies(100, "to be or not to be");
        // 5 bigrams per text, 4 distinct ("to be" twice), 500 in all
        assertEquals(4.0 / 500, Distinct.of(same, 2), 1e-15);
        assertEquals(0, Distinct.of(List.of(), 1));
        assertEquals(0, Distinct.of(List.of("", "   ", "one"), 2));
        assertEquals(List.of("a", "b"), Distinct.words(" A \n b "));
    }

    @Test
    void nMustBePositive() {
        assertEquals("n", assertThrows(InvalidSettingException.class, () -> Distinct.of(List.of("a"), 0)).setting());
    }
}
