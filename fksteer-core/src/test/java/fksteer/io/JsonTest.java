package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @TempDir
    Path dir;

    static String refusal(Object value) {
        return assertThrows(Json.NonFiniteValueException.class, () -> Json.write(new ByteArrayOutputStream(), value)).getMessage();
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void nonFiniteNumbersAreRefusedNamingTheField() {
        float[] x = {0, 1, 2, 3, Float.NaN, 5};
        assertTrue(refusal(map("samples", Json.rows(x, 3, 2))).startsWith("samples[2][0] is NaN"), refusal(map("samples", Json.rows(x, 3, 2))));
        assertTrue(refusal(map("n", 1, "logWeights", new double[] {0, -1, Double.NEGATIVE_INFINITY})).startsWith("logWeights[2] is -Infinity"));
        assertTrue(refusal(map("config", map("seed", 1, "lambda", Double.POSITIVE_INFINITY))).startsWith("config.lambda is Infinity"));
        assertTrue(refusal(map("rows", List.of(map("a", 1.0), map("a", Double.NaN)))).startsWith("rows[1].a is NaN"));
        assertTrue(refusal(map("f", Float.NEGATIVE_INFINITY)).startsWith("f is -Infinity"));
        assertTrue(refusal(map("ess", Arrays.asList(1.0, null))).startsWith("ess[1] is null"));
        assertTrue(refusal(Double.NaN).startsWith("the value is NaN"));
    }

    @Test
    void nothingNonFiniteReachesTheFile() throws Exception {
        Path p = dir.resolve("o.json");
        Files.writeString(p, "{\"old\": true}");
        OutputException e = assertThrows(OutputException.class, () -> Json.write(p, map("samples", Json.rows(new float[] {1, Float.POSITIVE_INFINITY}, 1, 2))));
        assertTrue(e.reason().startsWith("samples[0][1] is Infinity"), e.reason());
        assertEquals("{\"old\": true}", Files.readString(p));
        assertEquals(List.of(), AtomicFilesTest.temps(dir));
    }

    @Test
    void finiteValuesRoundTripAndNullSettingsAreLeftOut() throws Exception {
        Path p = dir.resolve("o.json");
        float[] x = {0.5f, -1.25f, 3e-8f, Float.MAX_VALUE};
        Json.write(p, map("samples", Json.rows(x, 2, 2), "logWeights", new double[] {-Double.MAX_VALUE, 0}, "resampleEvery", null, "n", 2));
        JsonNode j = new ObjectMapper().readTree(p.toFile());
        assertEquals(3e-8f, j.get("samples").get(1).get(0).floatValue());
        assertEquals(Float.MAX_VALUE, j.get("samples").get(1).get(1).floatValue());
        assertEquals(-Double.MAX_VALUE, j.get("logWeights").get(0).doubleValue());
        assertFalse(j.has("resampleEvery"), "a setting that does not apply is left out, never written as null");
        assertEquals(2, j.get("n").asInt());
        assertFalse(Files.readString(p).contains("null"));
    }

    @Test
    void rowsAreAViewNotACopyOfTheBatch() {
        float[] x = {1, 2, 3, 4};
        List<float[]> rows = Json.rows(x, 2, 2);
        x[3] = 9; // a copy made up front would not see this
        assertEquals(9f, rows.get(1)[1]);
        assertEquals(2, rows.size());
        assertThrows(IllegalArgumentException.class, () -> Json.rows(x, 3, 2));
    }
}
