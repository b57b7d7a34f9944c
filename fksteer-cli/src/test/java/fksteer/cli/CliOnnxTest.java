package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CLI on ONNX model cards and ONNX rewards, in-process as {@link CliTest}: each bad card, reward
 * or ONNX flag is one line on stderr naming the flag, exit code 2, and no output file; and good runs
 * of the fixtures (a conditional card with classifier-free guidance, FK toward an ONNX classifier, a
 * card with a decoder) write finite JSON.
 */
class CliOnnxTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The fixtures of fksteer-onnx (tests run in the module's folder). */
    static final Path FIXTURES = Path.of("..", "fksteer-onnx", "src", "test", "resources", "onnx").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    @BeforeEach
    void copyFixtures() throws IOException {
        assertTrue(Files.isDirectory(FIXTURES), FIXTURES.toString());
        try (Stream<Path> files = Files.list(FIXTURES)) {
            for (Path f : (Iterable<Path>) files::iterator)
                if (Files.isRegularFile(f) && (f.toString().endsWith(".onnx") || f.toString().endsWith(".json")))
                    Files.copy(f, dir.resolve(f.getFileName()));
        }
        // the bad cards the cases name, each a valid card with one thing changed
        edit("mixture-flow.card.json", "shape3.card.json", c -> c.set("shape", c.arrayNode().add(3)));
        edit("mixture-vp.card.json", "unnamed.card.json", c -> {
            ((ObjectNode) c.get("inputs")).remove("condition");
            c.remove("condition");
        });
        edit("mixture-vp.card.json", "nonull.card.json", c -> ((ObjectNode) c.get("condition")).remove("null"));
        edit("mixture-vp.card.json", "nofile.card.json", c -> c.put("file", "nowhere.onnx"));
        edit("mixture-vp.card.json", "banana.card.json", c -> c.put("prediction", "banana"));
        String vp = Files.readString(dir.resolve("mixture-vp.card.json")).strip();
        Files.writeString(dir.resolve("truncated.card.json"), vp.substring(0, vp.length() / 2));
        Files.writeString(dir.resolve("duplicate.card.json"), vp.replace("\"shape\": [2],", "\"shape\": [2], \"shape\": [2],"));
        Files.writeString(dir.resolve("trailing.card.json"), vp + "\n{}");
    }

    void edit(String from, String to, java.util.function.Consumer<ObjectNode> change) throws IOException {
        ObjectNode c = (ObjectNode) JSON.readTree(dir.resolve(from).toFile());
        change.accept(c);
        Files.writeString(dir.resolve(to), JSON.writeValueAsString(c));
    }

    /** The words of line, with the word O the output file and D/ the fixtures' copy. */
    String[] args(String line) {
        return Stream.of(line.split(" ")).map(w -> w.equals("O") ? dir.resolve("o.json").toString() : w.replace("D/", dir + "/")).toArray(String[]::new);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // bad cards
            "sample --model D/shape3.card.json --steps 4 --particles 8 --out O|fksteer sample: |--model|the graph has inputs",
            "sample --model D/unnamed.card.json --steps 4 --particles 8 --out O|fksteer sample: |--model|'y'",
            "sample --model D/nofile.card.json --steps 4 --particles 8 --out O|fksteer sample: |--model|file not found",
            "sample --model D/banana.card.json --steps 4 --particles 8 --out O|fksteer sample: |--model|\"prediction\"",
            "steer --model D/truncated.card.json --method fk --reward point:0,0 --steps 4 --particles 8 --out O|fksteer steer: |--model|not valid JSON",
            "steer --model D/duplicate.card.json --method fk --reward point:0,0 --steps 4 --particles 8 --out O|fksteer steer: |--model|Duplicate field 'shape'",
            "steer --model D/trailing.card.json --method fk --reward point:0,0 --steps 4 --particles 8 --out O|fksteer steer: |--model|after the JSON object",
            // bad rewards
            "steer --model D/mixture-vp.card.json --method fk --reward onnx:D/missing.onnx --steps 4 --particles 8 --out O|fksteer steer: |--reward|file not found",
            "steer --model D/mixture-vp.card.json --method fk --reward onnx:D/classifier.onnx:class=9 --steps 4 --particles 8 --out O|fksteer steer: |--reward|class=9",
            "steer --model D/mixture-vp.json --method fk --reward onnx:D/classifier.onnx --steps 4 --particles 8 --out O|fksteer steer: |--reward|class=C",
            "steer --model D/mixture-vp.json --method guidance --guidance 1 --reward onnx:D/classifier.onnx:class=1 --steps 4 --particles 8 --out O|fksteer steer: |--guidance|--reward",
            // ONNX flags
            "steer --model D/mixture-vp.card.json --method fk --reward point:0,0 --device gpu --steps 4 --particles 8 --out O|fksteer steer: |--device|'gpu'",
            "sample --model D/mixture-vp.card.json --condition 1 --device cuda --steps 4 --particles 8 --out O|fksteer sample: |--device|-Pcuda",
            "sample --model D/mixture-vp.card.json --condition 1 --max-batch 0 --steps 4 --particles 8 --out O|fksteer sample: |--max-batch|got 0",
            "sample --model D/mixture-vp.card.json --condition 1 --onnx-threads 0 --steps 4 --particles 8 --out O|fksteer sample: |--onnx-threads|got 0",
            "steer --model checkerboard --method fk --reward point:0,0 --max-batch 4 --steps 4 --particles 8 --out O|fksteer steer: |--max-batch|ONNX",
            "sample --model checkerboard --device cpu --steps 4 --particles 8 --out O|fksteer sample: |--device|ONNX",
            // what the model cannot do
            "sample --model D/conv.card.json --steps 4 --particles 8 --out O --trajectory-plot D/p.png|fksteer sample: |--trajectory-plot|[1, 28, 28]",
            "sample --model D/conv.card.json --steps 4 --particles 1025 --out O --plot D/p.png|fksteer sample: |--plot|at most 1024 images",
            "steer --model D/mixture-vp-decoded.card.json --method fk --reward point:0,0,0 --steps 4 --particles 8 --out O --plot D/p.png|fksteer steer: |--plot|decoder turns into [3]",
            "sample --model D/nonull.card.json --condition 1 --cfg 2 --steps 4 --particles 8 --out O|fksteer sample: |--cfg|\"null\"",
            "sample --model D/nonull.card.json --steps 4 --particles 8 --out O|fksteer sample: |--condition|\"null\"",
            "sample --model D/mixture-vp.card.json --condition 5 --steps 4 --particles 8 --out O|fksteer sample: |--condition|0..1",
            "sample --model D/mixture-flow.card.json --condition 0 --steps 4 --particles 8 --out O|fksteer sample: |--condition|no classes",
            "steer --model D/mixture-vp-decoded.card.json --method fk --reward point:0,0 --steps 4 --particles 8 --out O|fksteer steer: |--reward|[3]"})
    void badInputIsOneLineNamingItsFlag(String line, String prefix, String flag, String detail) {
        CliTest.Run r = run(args(line));
        String err = r.err().strip();
        assertEquals(2, r.code(), line + ": " + r.err() + r.out());
        assertFalse(err.isEmpty(), line);
        assertFalse(err.contains("\n") || err.contains("\r"), "one line: " + err);
        assertTrue(err.startsWith(prefix), "starts with " + prefix + ": " + err);
        assertTrue(err.contains(flag), "names " + flag + ": " + err);
        assertTrue(err.contains(detail), "says " + detail + ": " + err);
        assertFalse(err.contains("Exception") || err.contains("at fksteer.") || err.contains("com.fasterxml") || err.contains("ai.onnxruntime"),
                "no Java: " + err);
        assertFalse(Files.exists(dir.resolve("o.json")), "no output file");
        assertFalse(Files.exists(dir.resolve("p.png")), "no plot");
    }

    /** Every value of the written JSON is there and finite: no null, NaN or infinity anywhere. */
    static void assertFinite(JsonNode n, String at) {
        assertFalse(n.isNull() || n.isMissingNode(), at + " is null");
        if (n.isNumber()) assertTrue(Double.isFinite(n.asDouble()), at + " = " + n);
        if (n.isTextual()) assertFalse(n.asText().equalsIgnoreCase("nan") || n.asText().contains("Infinity"), at + " = " + n);
        if (n.isArray()) for (int i = 0; i < n.size(); i++) assertFinite(n.get(i), at + "[" + i + "]");
        if (n.isObject())
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext();) {
                var e = it.next();
                assertFinite(e.getValue(), at + "." + e.getKey());
            }
    }

    JsonNode good(String line, int particles, int width) throws IOException {
        CliTest.Run r = run(args(line));
        assertEquals(0, r.code(), line + ": " + r.err());
        Path o = dir.resolve("o.json");
        assertTrue(Files.isRegularFile(o), line);
        JsonNode j = JSON.readTree(o.toFile());
        assertFinite(j, "$");
        assertEquals(particles, j.get("samples").size());
        for (JsonNode row : j.get("samples")) assertEquals(width, row.size());
        assertEquals("cpu", j.get("config").get("device").asText());
        assertTrue(j.get("config").has("modelCard"), j.get("config").toString());
        assertTrue(j.get("config").get("onnxThreads").asInt() >= 1);
        return j;
    }

    @Test
    void aConditionalCardSamplesWithClassifierFreeGuidance() throws Exception {
        JsonNode j = good("sample --model D/mixture-vp.card.json --condition 1 --cfg 2 --steps 20 --particles 64 --seed 3 --quiet --out O", 64, 2);
        assertEquals(2L * 64 * 20, j.get("nfe").asLong(), "both halves of the guided batch");
        assertEquals(2.0, j.get("config").get("cfg").asDouble());
        assertEquals(2, j.get("config").get("modelCard").get("nullClass").asInt());
        double mean0 = 0;
        for (JsonNode row : j.get("samples")) mean0 += row.get(0).asDouble() / 64;
        assertTrue(mean0 > 0.5, "class 1 is the component at (1.5, 1), guided further out: mean x0 " + mean0);
    }

    @Test
    void fkSteersTowardAnOnnxClassifier() throws Exception {
        JsonNode j = good("steer --model D/mixture-vp.card.json --method fk --reward onnx:D/classifier.onnx:class=1 --steps 20 --particles 64 --seed 5 "
                + "--quiet --out O", 64, 2);
        assertEquals("fk", j.get("method").asText());
        assertTrue(j.get("config").get("reward").asText().startsWith("onnx:"));
        for (JsonNode r : j.get("rewards")) assertTrue(r.asDouble() <= 1e-6, "log p(1 | x) <= 0: " + r);
        assertEquals(64, j.get("weights").size());
    }

    @Test
    void aCardWithADecoderWritesDecodedSamples() throws Exception {
        JsonNode j = good("steer --model D/mixture-vp-decoded.card.json --method fk --reward quadratic:1,-1,0 --steps 20 --particles 32 --seed 2 "
                + "--quiet --out O", 32, 2);
        JsonNode decoded = j.get("decoded");
        assertEquals(32, decoded.size());
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            JsonNode z = j.get("samples").get(i), px = decoded.get(i);
            assertEquals(3, px.size(), "3 entries per row");
            double x0 = z.get(0).asDouble(), x1 = z.get(1).asDouble();
            double[] want = {2 * x0 + 1, 2 * x1 - 1, x0 * x1};           // decoder.onnx, by its README
            for (int k = 0; k < 3; k++)
                if (Math.abs(px.get(k).asDouble() - want[k]) > 1e-4 * (1 + Math.abs(want[k]))) mismatches.add(i + "," + k);
        }
        assertTrue(mismatches.isEmpty(), "decoded = decoder(samples): " + mismatches);
        assertTrue(j.get("config").get("modelCard").has("decoder"));
    }

    @Test
    void theBadCardsAreRefusedBeforeAnyOutputFolderIsMade() {
        Path out = dir.resolve("new-folder").resolve("o.json");
        CliTest.Run r = run("sample", "--model", dir.resolve("shape3.card.json").toString(), "--steps", "4", "--particles", "8", "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(Files.exists(out.getParent()), "the folder made for --out is removed again");
        if (r.out().contains("samples")) fail(r.out());
    }
}
