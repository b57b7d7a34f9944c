package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.model.GaussianMixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MixtureJsonTest {
    @TempDir
    Path dir;

    @Test
    void readsAMixture() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [0.25, 0.75], \"means\": [[0, 0, 1], [1, 2, 3]], \"stds\": [0.5, 1]}");
        GaussianMixture gm = (GaussianMixture) Models.load(p.toString());
        assertEquals(3, gm.dim());
        assertEquals(0.75, gm.weights()[1], 1e-12);
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1], \"means\": [[0, 0]], \"stds\": [-1]}");
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"stds\"[0]"), e.getMessage());
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1], \"means\": [[0, \"a\"]], \"stds\": [1]}");
        e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"means\"[0][1]"), e.getMessage());
        Files.writeString(p, "{\"type\": \"gmm\"}");
        e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"type\""), e.getMessage());
    }

    static final String TYPE = "\"type\": \"gaussian-mixture\"";

    /** Loading text fails with one line naming the file and every one of parts. */
    String rejected(String text, String... parts) throws Exception {
        Path p = dir.resolve("bad.json");
        Files.writeString(p, text);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.load(p.toString()));
        String m = e.getMessage();
        assertFalse(m.matches("(?s).*\\R.*"), "one line: " + m);
        assertTrue(e.setting().equals("model") && m.contains("bad.json"), "names the setting and file: " + m);
        for (String part : parts) assertTrue(m.contains(part), "mentions " + part + ": " + m);
        return m;
    }

    GaussianMixture accepted(String text) throws Exception {
        Path p = dir.resolve("ok.json");
        Files.writeString(p, text);
        return (GaussianMixture) Models.load(p.toString());
    }

    @Test
    void mixtureWeightsNotSummingToOneAreRejected() throws Exception {
        rejected("{" + TYPE + ", \"weights\": [1, 3], \"means\": [[0], [1]], \"stds\": [1, 1]}", "\"weights\" sums to 4.0", "not normalised");
        rejected("{" + TYPE + ", \"weights\": [0.5, 0.502], \"means\": [[0], [1]], \"stds\": [1, 1]}", "sums to 1.002");
        rejected("{" + TYPE + ", \"weights\": [0.5, 0.499998], \"means\": [[0], [1]], \"stds\": [1, 1]}", "sums to");
        // within 1e-6 is a rounding of a normalised file, and loads
        GaussianMixture gm = accepted("{" + TYPE + ", \"weights\": [0.3333333, 0.3333333, 0.3333333], \"means\": [[0], [1], [2]], \"stds\": [1, 1, 1]}");
        assertEquals(1.0 / 3, gm.weights()[0], 1e-15);
    }

    @Test
    void nonPositiveOrNonFiniteMixtureWeightsAreRejected() throws Exception {
        rejected("{" + TYPE + ", \"weights\": [0, 1], \"means\": [[0], [1]], \"stds\": [1, 1]}", "\"weights\"[0]", "> 0");
        rejected("{" + TYPE + ", \"weights\": [-0.5, 1.5], \"means\": [[0], [1]], \"stds\": [1, 1]}", "\"weights\"[0]");
        rejected("{" + TYPE + ", \"weights\": [1e400, 1], \"means\": [[0], [1]], \"stds\": [1, 1]}", "\"weights\"[0]", "Infinity");
    }

    @Test
    void trailingGarbageAfterMixtureJsonIsRejected() throws Exception {
        String ok = "{" + TYPE + ", \"weights\": [1], \"means\": [[0, 0]], \"stds\": [1]}";
        for (String junk : new String[] {"x", "}", " {}", "\n[1]", "\"s\"", ",", "/* c */"}) rejected(ok + junk, "after the JSON object");
        assertEquals(2, accepted(ok + " \n\t").dim()); // whitespace is not content
    }

    @Test
    void duplicateKeysInMixtureJsonAreRejected() throws Exception {
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [1], \"weights\": [1]}", "Duplicate field 'weights'");
        rejected("{" + TYPE + ", " + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [1]}", "Duplicate field 'type'");
    }

    @Test
    void unknownMixtureFieldsAreRejected() throws Exception {
        for (String f : new String[] {"Process", "predictions", "labels", "schedule", "Weights", "comment"})
            rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [1], \"" + f + "\": 1}", "unknown field '" + f + "'");
    }

    @Test
    void wrongTypesInMixtureJsonAreRejected() throws Exception {
        rejected("{\"type\": 1, \"weights\": [1], \"means\": [[0]], \"stds\": [1]}", "\"type\"");
        rejected("{" + TYPE + ", \"weights\": \"1\", \"means\": [[0]], \"stds\": [1]}", "\"weights\" must be an array");
        rejected("{" + TYPE + ", \"weights\": [\"1\"], \"means\": [[0]], \"stds\": [1]}", "\"weights\"[0] must be a number");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [0], \"stds\": [1]}", "\"means\"[0] must be an array");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[null]], \"stds\": [1]}", "\"means\"[0][0] must be a number");
        rejected("[1, 2]", "expected a JSON object");
        rejected("{" + TYPE + ", \"weights\": [NaN], \"means\": [[0]], \"stds\": [1]}", "not valid JSON");
        rejected("{" + TYPE + ", \"means\": [[0]], \"stds\": [1]}", "missing field \"weights\"");
        rejected("", "expected a JSON object");
    }

    @Test
    void mismatchedMixtureDimensionsAreRejected() throws Exception {
        rejected("{" + TYPE + ", \"weights\": [0.5, 0.5], \"means\": [[0, 0], [1]], \"stds\": [1, 1]}", "\"means\"[1] has dimension 1", "has 2");
        rejected("{" + TYPE + ", \"weights\": [0.5, 0.5], \"means\": [[0], [1]], \"stds\": [1]}", "same length", "2, 2, 1");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[]], \"stds\": [1]}", "\"means\"[0] must have at least one coordinate");
        rejected("{" + TYPE + ", \"weights\": [], \"means\": [], \"stds\": []}", "\"weights\" must not be empty");
    }

    @Test
    void hundredThousandDimensionalMixtureIsRejectedWithOneLine() throws Exception {
        String zeros = "0,".repeat(99_999) + "0";
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[" + zeros + "]], \"stds\": [1]}", "\"means\"[0]", "dimension at most " + Models.MAX_MIXTURE_DIM);
        // the largest allowed dimension loads
        assertEquals(Models.MAX_MIXTURE_DIM, accepted("{" + TYPE + ", \"weights\": [1], \"means\": [[" + "0,".repeat(Models.MAX_MIXTURE_DIM - 1) + "0]], \"stds\": [1]}").dim());
    }

    @Test
    void mixtureMagnitudesThatCouldOverflowAreRejected() throws Exception {
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[1e300]], \"stds\": [1]}", "\"means\"[0][0]", "1000000.0");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [1e300]}", "\"stds\"[0]");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [1e-300]}", "\"stds\"[0]");
        rejected("{" + TYPE + ", \"weights\": [1], \"means\": [[0]], \"stds\": [0]}", "\"stds\"[0]");
    }

    /** The bounds' promise: at their limits, velocities and VJPs stay finite for states far out (|x| = 1e20). */
    @Test
    void mixturesAtTheBoundsGiveFiniteVelocities() throws Exception {
        GaussianMixture gm = accepted("{" + TYPE + ", \"weights\": [0.25, 0.25, 0.5], \"means\": [[1e6, -1e6], [-1e6, 1e6], [0, 1e6]], \"stds\": ["
                + Models.MIN_STD + ", " + Models.MAX_STD + ", 1]}");
        float[] x = {1e20f, -1e20f, 0f, 0f, 1e6f, -1e6f, -3e3f, 7f};
        float[] v = new float[x.length], g = new float[x.length];
        java.util.Arrays.fill(g, 1f);
        for (float t : new float[] {0f, 1e-4f, 0.5f, 0.9999f, 1f}) {
            gm.velocity(x, 4, t, v);
            for (float a : v) assertTrue(Float.isFinite(a), "t = " + t + ": " + java.util.Arrays.toString(v));
            gm.vjp(x, 4, t, g, v);
            for (float a : v) assertTrue(Float.isFinite(a), "vjp at t = " + t + ": " + java.util.Arrays.toString(v));
        }
    }
}
