package fksteer.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import org.junit.jupiter.api.Test;

/** The --reward parser is strict and case-consistent (issue 9, Found 10). */
class RewardsTest {
    static final float[] X = {0.5f, -1f, 2f, 0.25f, -3f, 1.5f};

    /** Parsing fails for the setting "reward" with one line that mentions every one of parts. */
    static String rejected(String spec, String... parts) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Rewards.parse(spec), spec);
        assertEquals("reward", e.setting());
        String m = e.getMessage();
        assertFalse(m.matches("(?s).*\\R.*"), "one line: " + m);
        for (String p : parts) assertTrue(m.contains(p), "mentions " + p + ": " + m);
        return m;
    }

    static double[] values(String spec) {
        Reward r = Rewards.parse(spec);
        int n = X.length / r.dim();
        double[] out = new double[n];
        r.evaluate(X, n, out);
        return out;
    }

    @Test
    void spacesInsideNumbersAreRejected() {
        rejected("point:1 2,3", "needs ',' between coordinates", "character 9");
        rejected("point:1,2 .5", "needs ','");
        rejected("point:- 1,2", "coordinate 1 of point");
        rejected("point:1e 5,2", "coordinate 1 of point");
        rejected("0 .5*point:1,2", "'*'");
        rejected("point:1,2+ 1 0*line:vertical,1", "'*'");
    }

    @Test
    void spacesAroundSeparatorsAreAccepted() {
        assertArrayEquals(values("0.5*point:2,0.5+line:vertical,1"), values("  0.5 * point : 2 , 0.5 +\tline:vertical , 1 "));
    }

    @Test
    void trailingCommasAreRejected() {
        rejected("point:1,1,", "coordinate 3 of point", "character 11");
        rejected("point:1,1,+line:vertical,1", "coordinate 3 of point");
        rejected("line:horizontal,1,", "expected '+'");
    }

    @Test
    void emptyComponentsAreRejected() {
        rejected("point:", "coordinate 1 of point");
        rejected("point:,1", "coordinate 1 of point");
        rejected("point:1,,2", "coordinate 2 of point");
        rejected("+point:1", "a weight or a reward name");
        rejected("point:1+", "a reward name");
        rejected("point:1++point:2", "a weight or a reward name");
        rejected("*point:1", "a weight or a reward name");
        rejected("2**point:1", "a reward name");
        rejected("line:horizontal,", "the line's position");
        rejected("line:,1", "line:horizontal,Y or line:vertical,X");
        rejected("point", "needs ':'");
        rejected(" ", "is required");
    }

    @Test
    void hexFloatsAreRejected() {
        rejected("point:0x1p1,1", "coordinate 1 of point", "decimal number");
        rejected("point:1,0X10", "coordinate 2 of point");
    }

    @Test
    void javaSuffixesAreRejected() {
        for (String s : new String[] {"1d", "1f", "1D", "1F", "2.5f", "1L"}) rejected("point:" + s + ",1", "coordinate 1 of point", "decimal number");
        rejected("2f*point:1,1", "a weight or a reward name");
    }

    @Test
    void nanAndInfinityAreRejected() {
        for (String s : new String[] {"NaN", "Infinity", "-Infinity", "inf"}) rejected("point:" + s + ",1", "coordinate 1 of point");
        rejected("point:1e400,1", "coordinate 1 of point outside");
        rejected("1e309*point:1,1", "weight outside");
        rejected("NaN*point:1,1", "unknown reward name");
    }

    @Test
    void namesAreCaseInsensitiveAloneAndInSums() {
        assertArrayEquals(values("point:1,2"), values("POINT:1,2"));
        assertArrayEquals(values("0.5*point:1,2+2*line:vertical,1"), values("0.5*POINT:1,2+2*Line:VERTICAL,1"));
        assertArrayEquals(values("point:1,2+quadratic:0,1"), values("Point:1,2+QUADRATIC:0,1"));
        assertArrayEquals(values("line:horizontal,1"), values("line:Horizontal,1"));
        Rewards.Line l = assertInstanceOf(Rewards.Line.class, Rewards.parse("LINE:HORIZONTAL,1"));
        assertTrue(l.horizontal());
    }

    @Test
    void unknownNamesAreRejected() {
        rejected("circle:1", "unknown reward name", "'circle:1'");
        rejected("line:diagonal,1", "line:horizontal,Y or line:vertical,X");
        rejected("0.5*point:1,2+circle:1", "unknown reward name", "character 15");
    }

    @Test
    void messagesQuoteAtMost80CharactersOfTheSpec() {
        String spec = "point:" + "1,".repeat(50_000) + "x";
        String m = rejected(spec, "coordinate 50001 of point", "character 100007", "…");
        assertTrue(m.length() < 200, m.length() + " characters: " + m);
        String quoted = m.substring(m.indexOf('\'') + 1, m.lastIndexOf('\''));
        assertTrue(quoted.replace("…", "").length() <= 80, quoted);
        assertTrue(quoted.endsWith("1,x"), "the window shows the error: " + quoted);
        // control characters never break the line
        rejected("point:1\n2", "\\u000a");
    }

    @Test
    void numbersOutsideTheBoundsAreRejected() {
        rejected("point:1e31,0", "coordinate 1 of point outside [-1.0E30, 1.0E30]");
        rejected("1000001*point:0,0", "weight outside [-1000000.0, 1000000.0]");
        rejected("point:0,0+".repeat(Rewards.MAX_TERMS) + "point:0,0", "more than 64 terms");
        rejected("point:0,0+quadratic:1,2,3", "same dimension", "term 1 has 2 and term 2 has 3");
        // the bounds themselves, and issue 5's |lambda r| ~ 1e40 reproduction, parse
        assertEquals(2, Rewards.parse("quadratic:1e20,1e20").dim());
        assertEquals(1, Rewards.parse("-1e6*linear:-1e30").dim());
        assertEquals(2, Rewards.parse("point:0,0+".repeat(Rewards.MAX_TERMS - 1) + "point:0,0").dim());
    }

    @Test
    void weightedSumsAddTheirWeightedTerms() {
        double[] p = values("point:2,0.5"), q = values("linear:1,-1"), s = values("0.5*point:2,0.5+-2*linear:1,-1");
        for (int i = 0; i < s.length; i++) assertEquals(0.5 * p[i] - 2 * q[i], s[i], 1e-12 * (1 + Math.abs(s[i])));
        assertEquals(0.5 * p[0], values("0.5*point:2,0.5")[0], 0); // a single weighted term
        assertEquals("0.5*point:2,0.5+-2*linear:1,-1", Rewards.parse(" 0.5*point:2,0.5+-2*linear:1,-1 ").spec());
    }
}
