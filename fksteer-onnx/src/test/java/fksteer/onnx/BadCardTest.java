package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fksteer.io.InvalidSettingException;
import fksteer.process.Condition;
import fksteer.process.Shape;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad model card, graph signature, condition, ONNX reward and ONNX option is refused with one
 * {@link InvalidSettingException}: the right setting ("model" for a card or its graphs, "condition" or
 * "cfg", "reward", "device", ...), one line, naming the field at fault, and for a card that does not
 * fit its graph the graph's actual signature ("the graph has inputs ..."). Each case copies the
 * fixtures into a temporary folder and mutates one thing of a valid card.
 */
class BadCardTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** The graph's signature, as every mismatch between a card (or reward) and its graph gives it. */
    static final String SIGNATURE = "the graph has inputs";

    @TempDir
    Path dir;

    static Path fixtures() {
        try {
            return Path.of(BadCardTest.class.getResource("/onnx/README.md").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    interface Step {
        void run(Path dir) throws Exception;
    }

    /**
     * @param setting  the setting the exception names
     * @param expected texts its message holds (the field at fault, the graph's signature, ...)
     * @param prepare  run before, outside the assertion (files the case needs); may skip the case
     * @param act      what must throw
     */
    record Case(String setting, List<String> expected, Step prepare, Step act) {}

    // ---- how cases are written

    static final String VP = "mixture-vp.card.json", FLOW = "mixture-flow.card.json", SD3 = "mixture-sd3.card.json", CONV = "conv.card.json",
            DECODED = "mixture-vp-decoded.card.json";

    /** The card written in dir by every case. */
    static Path bad(Path dir) {
        return dir.resolve("bad.card.json");
    }

    /** Copies every fixture (.onnx and cards) into dir. */
    static void copyFixtures(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(fixtures())) {
            for (Path f : (Iterable<Path>) files::iterator)
                if (Files.isRegularFile(f) && (f.toString().endsWith(".onnx") || f.toString().endsWith(".json")))
                    Files.copy(f, dir.resolve(f.getFileName()));
        }
    }

    /** Writes bad.card.json: the card base with edit applied. */
    static void writeCard(Path dir, String base, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode card = (ObjectNode) JSON.readTree(fixtures().resolve(base).toFile());
        edit.accept(card);
        Files.writeString(bad(dir), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(card));
    }

    static void load(Path card) {
        try (OnnxModel m = OnnxModel.load(card, OnnxOptions.defaults())) {
            fail("loaded " + card + ": " + m.network().describe());
        }
    }

    /** Loading base with edit applied is refused. */
    static Case card(String setting, String base, Consumer<ObjectNode> edit, String... expected) {
        return new Case(setting, List.of(expected), d -> {
            copyFixtures(d);
            writeCard(d, base, edit);
        }, d -> load(bad(d)));
    }

    /** Loading a card whose text is exactly text is refused. */
    static Case text(String text, String... expected) {
        return new Case("model", List.of(expected), d -> {
            copyFixtures(d);
            Files.writeString(bad(d), text);
        }, d -> load(bad(d)));
    }

    /** Loading base with edit applied works, but running its process under condition c is refused. */
    static Case process(String setting, String base, Consumer<ObjectNode> edit, Condition c, String... expected) {
        return new Case(setting, List.of(expected), d -> {
            copyFixtures(d);
            writeCard(d, base, edit);
        }, d -> {
            try (OnnxModel m = OnnxModel.load(bad(d), OnnxOptions.defaults())) {
                m.process(c);
                fail("ran " + c);
            }
        });
    }

    /** --reward spec ("DIR" stands for the fixtures' copy) on samples of the given shape is refused. */
    static Case reward(String spec, Shape shape, String... expected) {
        return new Case("reward", List.of(expected), BadCardTest::copyFixtures, d -> {
            List<AutoCloseable> opened = new ArrayList<>();
            try {
                OnnxRewards.parse(spec.replace("DIR", d.toString()), shape, OnnxOptions.defaults(), opened);
                fail("parsed " + spec);
            } finally {
                for (AutoCloseable c : opened) c.close();
            }
        });
    }

    static Case other(String setting, Step act, String... expected) {
        return new Case(setting, List.of(expected), d -> {}, act);
    }

    static Arguments named(String name, Case c) {
        return Arguments.of(Named.of(name, c));
    }

    static ArrayNode ints(ObjectNode card, int... v) {
        ArrayNode a = card.arrayNode();
        for (int x : v) a.add(x);
        return a;
    }

    static ObjectNode inputs(ObjectNode card) {
        return (ObjectNode) card.get("inputs");
    }

    static ObjectNode condition(ObjectNode card) {
        return (ObjectNode) card.get("condition");
    }

    static String validVp() throws IOException {
        return Files.readString(fixtures().resolve(VP));
    }

    // ---- the cases

    static Stream<Arguments> cases() throws IOException {
        String vp = validVp().strip();
        List<Arguments> a = new ArrayList<>();
        // the card as JSON
        a.add(named("card: not JSON", text("this is not a model card", "not valid JSON", "line 1")));
        a.add(named("card: truncated JSON", text(vp.substring(0, vp.length() / 2), "not valid JSON")));
        a.add(named("card: an array, not an object", text("[" + vp + "]", "expected a JSON object")));
        a.add(named("card: a duplicate key", text(vp.replace("\"shape\": [2],", "\"shape\": [2], \"shape\": [2],"), "not valid JSON", "shape")));
        a.add(named("card: an object after the object", text(vp + "\n{}", "after the JSON object", "line 13")));
        a.add(named("card: junk after the object", text(vp + " x", "after the JSON object")));
        a.add(named("card: a brace after the object", text(vp + "}", "after the JSON object")));
        a.add(named("card: an empty file", text("", "expected a JSON object")));
        a.add(named("card: unknown field", card("model", VP, c -> c.put("steps", 50), "unknown field 'steps'", "\"timeFormat\"")));
        for (String f : List.of("type", "file", "prediction", "process", "shape", "inputs", "timeFormat", "dataRange"))
            a.add(named("card: missing \"" + f + "\"", card("model", VP, c -> c.remove(f), "missing field \"" + f + "\"")));
        a.add(named("card: type mixture", card("model", VP, c -> c.put("type", "mixture"), "\"type\"", "mixture")));
        a.add(named("card: file not a string", card("model", VP, c -> c.put("file", 7), "\"file\"", "must be a file name")));
        a.add(named("card: file missing on disk", card("model", VP, c -> c.put("file", "nowhere.onnx"), "\"file\"", "nowhere.onnx", "file not found")));
        a.add(named("card: file name with a line break", card("model", VP, c -> c.put("file", "two\nlines.onnx"), "\"file\"", "two\\u000alines.onnx",
                "file not found")));
        a.add(named("card: the card's own name has a line break", new Case("model", List.of("\"inputs\".\"sample\"", "two\\u000alines", SIGNATURE), d -> {
            copyFixtures(d);
            writeCard(d, FLOW, c -> c.set("shape", ints(c, 3)));
            Files.move(bad(d), d.resolve("two\nlines.card.json"));
        }, d -> load(d.resolve("two\nlines.card.json")))));
        a.add(named("card: file is a directory", new Case("model", List.of("\"file\"", "is a directory"), d -> {
            copyFixtures(d);
            Files.createDirectory(d.resolve("folder.onnx"));
            writeCard(d, VP, c -> c.put("file", "folder.onnx"));
        }, d -> load(bad(d)))));
        a.add(named("card: file is a FIFO", new Case("model", List.of("\"file\"", "not a regular file"), d -> {
            copyFixtures(d);
            mkfifo(d.resolve("pipe.onnx"));
            writeCard(d, VP, c -> c.put("file", "pipe.onnx"));
        }, d -> load(bad(d)))));
        a.add(named("card: file is not ONNX (random bytes)", new Case("model", List.of("\"file\"", "corrupt.onnx", "ONNX Runtime cannot load it"), d -> {
            copyFixtures(d);
            byte[] junk = new byte[4096];
            new Random(7).nextBytes(junk);
            Files.write(d.resolve("corrupt.onnx"), junk);
            writeCard(d, VP, c -> c.put("file", "corrupt.onnx"));
        }, d -> load(bad(d)))));
        a.add(named("card: file is empty", new Case("model", List.of("\"file\"", "empty.onnx", "is empty (0 bytes)"), d -> {
            copyFixtures(d);
            Files.write(d.resolve("empty.onnx"), new byte[0]);
            writeCard(d, VP, c -> c.put("file", "empty.onnx"));
        }, d -> load(bad(d)))));
        a.add(named("card: prediction banana", card("model", VP, c -> c.put("prediction", "banana"), "\"prediction\"", "banana", "epsilon")));
        a.add(named("card: prediction epsilon on a flow", card("model", FLOW, c -> c.put("prediction", "epsilon"), "\"prediction\"", "velocity")));
        a.add(named("card: process kind unknown", card("model", VP, c -> c.putObject("process").put("kind", "ode"), "\"process\".\"kind\"", "ode")));
        a.add(named("card: process shift on noise at 0", card("model", FLOW, c -> ((ObjectNode) c.get("process")).put("shift", 3.0),
                "\"process\".\"shift\"")));
        a.add(named("card: shape []", card("model", VP, c -> c.set("shape", ints(c)), "\"shape\"")));
        a.add(named("card: shape [0]", card("model", VP, c -> c.set("shape", ints(c, 0)), "\"shape\"[0]")));
        a.add(named("card: shape [-1]", card("model", VP, c -> c.set("shape", ints(c, -1)), "\"shape\"[0]")));
        a.add(named("card: shape [\"a\"]", card("model", VP, c -> c.set("shape", c.arrayNode().add("a")), "\"shape\"[0]")));
        a.add(named("card: shape of rank 9", card("model", VP, c -> c.set("shape", ints(c, 1, 1, 1, 1, 1, 1, 1, 1, 2)), "\"shape\"", "1 to 8")));
        a.add(named("card: shape [3], the graph takes 2", card("model", FLOW, c -> c.set("shape", ints(c, 3)), "\"inputs\".\"sample\"", "[3]", SIGNATURE)));
        a.add(named("card: shape [1, 2], the graph takes rank 2", card("model", FLOW, c -> c.set("shape", ints(c, 1, 2)), "\"inputs\".\"sample\"",
                "rank", SIGNATURE)));
        a.add(named("card: shape [1, 28, 28] on a [2] graph", card("model", CONV, c -> c.put("file", "mixture-vp.onnx"), "\"inputs\".\"sample\"",
                SIGNATURE)));
        a.add(named("card: inputs.sample names no input", card("model", VP, c -> inputs(c).put("sample", "latents"), "\"inputs\".\"sample\"", "latents",
                SIGNATURE)));
        a.add(named("card: inputs.time names no input", card("model", FLOW, c -> inputs(c).put("time", "sigma"), "\"inputs\".\"time\"", "sigma",
                SIGNATURE)));
        a.add(named("card: inputs.condition names no input", card("model", VP, c -> inputs(c).put("condition", "label"), "\"inputs\".\"condition\"",
                "label", SIGNATURE)));
        a.add(named("card: sample and time the same input", card("model", VP, c -> inputs(c).put("time", "x"), "\"inputs\"", "twice")));
        a.add(named("card: one long name twice", card("model", VP, c -> inputs(c).put("sample", "x".repeat(5000)).put("time", "x".repeat(5000)),
                "\"inputs\"", "twice")));
        a.add(named("card: inputs has an unknown field", card("model", VP, c -> inputs(c).put("noise", "z"), "\"inputs\"", "noise")));
        a.add(named("card: a graph input the card does not name", card("model", VP, c -> {
            inputs(c).remove("condition");
            c.remove("condition");
        }, "\"inputs\"", "'y'", SIGNATURE)));
        a.add(named("card: sample fed to the int64 time input", card("model", VP, c -> inputs(c).put("sample", "t").put("time", "x"),
                "\"inputs\".\"sample\"", "int64", SIGNATURE)));
        a.add(named("card: time fed to a float32 [n, 2] input", card("model", FLOW, c -> inputs(c).put("sample", "t").put("time", "x"),
                "\"inputs\".\"sample\"", SIGNATURE)));
        a.add(named("card: timeFormat continuous on vp", card("model", VP, c -> c.put("timeFormat", "continuous"), "\"timeFormat\"", "index")));
        a.add(named("card: timeFormat index on a flow", card("model", FLOW, c -> c.put("timeFormat", "index"), "\"timeFormat\"", "continuous")));
        a.add(named("card: timeFormat hours", card("model", VP, c -> c.put("timeFormat", "hours"), "\"timeFormat\"", "hours")));
        a.add(named("card: timeScale 0", card("model", FLOW, c -> c.put("timeScale", 0), "\"timeScale\"")));
        a.add(named("card: timeScale -1", card("model", FLOW, c -> c.put("timeScale", -1), "\"timeScale\"")));
        a.add(named("card: timeScale \"1\"", card("model", FLOW, c -> c.put("timeScale", "1"), "\"timeScale\"")));
        a.add(named("card: int64 time with a fractional timeScale", card("model", VP, c -> c.put("timeScale", 0.5), "\"inputs\".\"time\"", "int64",
                "whole", SIGNATURE)));
        a.add(named("card: condition without inputs.condition", card("model", VP, c -> inputs(c).remove("condition"), "\"condition\"", "\"inputs\"")));
        a.add(named("card: inputs.condition without condition", card("model", VP, c -> c.remove("condition"), "\"inputs\".\"condition\"")));
        a.add(named("card: condition type vector", card("model", VP, c -> condition(c).put("type", "vector"), "\"condition\".\"type\"", "vector")));
        a.add(named("card: condition classes 0", card("model", VP, c -> condition(c).put("classes", 0), "\"condition\".\"classes\"")));
        a.add(named("card: condition classes 2.5", card("model", VP, c -> condition(c).put("classes", 2.5), "\"condition\".\"classes\"")));
        a.add(named("card: condition null is a class", card("model", VP, c -> condition(c).put("null", 1), "\"condition\".\"null\"", "0..1")));
        a.add(named("card: condition unknown field", card("model", VP, c -> condition(c).put("embedding", 16), "\"condition\"", "embedding")));
        a.add(named("card: dataRange [1, 1]", card("model", VP, c -> c.set("dataRange", ints(c, 1, 1)), "\"dataRange\"")));
        a.add(named("card: dataRange [1]", card("model", VP, c -> c.set("dataRange", ints(c, 1)), "\"dataRange\"")));
        a.add(named("card: dataRange [\"a\", 2]", card("model", VP, c -> c.set("dataRange", c.arrayNode().add("a").add(2)), "\"dataRange\"")));
        a.add(named("card: decoder missing on disk", card("model", DECODED, c -> c.put("decoder", "vae.onnx"), "\"decoder\"", "vae.onnx",
                "file not found")));
        a.add(named("card: decoder takes another shape", card("model", CONV, c -> c.put("decoder", "decoder.onnx"), "\"decoder\"", "rank",
                SIGNATURE)));
        a.add(named("card: decoder with two inputs", card("model", DECODED, c -> c.put("decoder", "conv.onnx"), "\"decoder\"", "one input",
                SIGNATURE)));
        a.add(named("card: decoder is not a string", card("model", DECODED, c -> c.put("decoder", false), "\"decoder\"")));
        // the process and its condition
        a.add(named("process: unconditional run without null", process("condition", VP, c -> condition(c).remove("null"), Condition.NONE,
                "\"null\"")));
        a.add(named("process: cfg without null", process("cfg", VP, c -> condition(c).remove("null"), Condition.label(0).withCfg(2), "\"null\"")));
        a.add(named("process: class 5 of 2", process("condition", VP, c -> {}, Condition.label(5), "class 5", "0..1")));
        a.add(named("process: a class on an unconditional model", process("condition", FLOW, c -> {}, Condition.label(0), "class")));
        a.add(named("process: a vector on a class model", process("condition", VP, c -> {}, Condition.vector(new float[] {0.5f, 1}), "vector")));
        // ONNX rewards
        Shape two = Shape.of(2);
        a.add(named("reward: onnx: without a file", reward("onnx:", two, "onnx:")));
        a.add(named("reward: onnx:DIR/missing.onnx", reward("onnx:DIR/missing.onnx", two, "missing.onnx", "file not found")));
        a.add(named("reward: class=2 of 2 logits", reward("onnx:DIR/classifier.onnx:class=2", two, "class=2", "0..1", SIGNATURE)));
        a.add(named("reward: class=x", reward("onnx:DIR/classifier.onnx:class=x", two, "class=C", "'x'")));
        a.add(named("reward: class=-1", reward("onnx:DIR/classifier.onnx:class=-1", two, "class=C")));
        a.add(named("reward: foo=1", reward("onnx:DIR/classifier.onnx:foo=1", two, "'foo'", "class=C")));
        a.add(named("reward: logits without class", reward("onnx:DIR/classifier.onnx", two, "2 values per sample", "class=C", SIGNATURE)));
        a.add(named("reward: class=0 of a scalar scorer", reward("onnx:DIR/scorer.onnx:class=0", two, "class=0", "2 or more", SIGNATURE)));
        a.add(named("reward: a scorer with two inputs", reward("onnx:DIR/conv.onnx", Shape.of(1, 28, 28), "one input", SIGNATURE)));
        a.add(named("reward: scorer on samples of shape [3]", reward("onnx:DIR/scorer.onnx", Shape.of(3), "[3]", SIGNATURE)));
        a.add(named("reward: file name with a line break", reward("onnx:DIR/two\nlines.onnx", two, "\\u000a")));
        a.add(named("reward: scorer is a directory", reward("onnx:DIR", two, "is a directory")));
        a.add(named("reward: in a sum, second term missing", reward("quadratic:1,0.5+onnx:DIR/nope.onnx", two, "nope.onnx", "file not found")));
        // options and devices
        a.add(named("device: gpu", other("device", d -> OnnxOptions.Device.parse("gpu"), "cuda:N", "'gpu'")));
        a.add(named("device: cuda:x", other("device", d -> OnnxOptions.Device.parse("cuda:x"), "cuda:N", "'cuda:x'")));
        a.add(named("device: cuda:-1", other("device", d -> OnnxOptions.Device.parse("cuda:-1"), "cuda:N")));
        a.add(named("device: null", other("device", d -> OnnxOptions.Device.parse(null), "cuda:N")));
        a.add(named("options: 0 threads", other("onnxThreads", d -> new OnnxOptions(0, 1, OnnxOptions.Device.CPU), "[1, 256]", "got 0")));
        a.add(named("options: 257 threads", other("onnxThreads", d -> new OnnxOptions(257, 1, OnnxOptions.Device.CPU), "[1, 256]")));
        a.add(named("options: maxBatch 0", other("maxBatch", d -> new OnnxOptions(1, 0, OnnxOptions.Device.CPU), "got 0")));
        a.add(named("options: no device", other("device", d -> new OnnxOptions(1, 1, null), "cpu or cuda")));
        a.add(named("device: cuda on a CPU build", new Case("device", List.of("cuda:0", "-Pcuda"), BadCardTest::copyFixtures, d -> {
            try (OnnxModel m = OnnxModel.load(d.resolve(VP), OnnxOptions.defaults().withDevice(OnnxOptions.Device.parse("cuda")))) {
                fail("loaded on " + m);
            }
        })));
        a.add(named("device: cuda scorer on a CPU build", new Case("device", List.of("cuda:1", "-Pcuda"), BadCardTest::copyFixtures, d ->
                OnnxRewards.parse("onnx:" + d.resolve("scorer.onnx"), Shape.of(2), OnnxOptions.defaults().withDevice(OnnxOptions.Device.parse("cuda:1")),
                        new ArrayList<>()))));
        return a.stream();
    }

    static void mkfifo(Path p) throws InterruptedException {
        int rc;
        try {
            Process pr = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
            pr.getInputStream().readAllBytes();
            rc = pr.waitFor(30, TimeUnit.SECONDS) ? pr.exitValue() : -1;
        } catch (IOException e) {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0 && !Files.isRegularFile(p), "mkfifo is not available here");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void isRefusedOnOneLine(Case c) throws Exception {
        c.prepare().run(dir);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> c.act().run(dir));
        String m = e.getMessage();
        assertEquals(c.setting(), e.setting(), m);
        assertTrue(m.startsWith(c.setting()), m);
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertFalse(m.contains("Exception") || m.contains("at fksteer.") || m.contains("com.fasterxml") || m.contains("ai.onnxruntime"),
                "no Java names: " + m);
        for (String s : c.expected()) assertTrue(m.contains(s), "names " + s + ": " + m);
        assertTrue(m.length() < 2000, "short: " + m.length() + " characters");
    }

    /**
     * A card broken after its "type" is still taken for a card (so the CLI refuses it with the card's
     * message, not as a mixture file whose "type" is wrong); a mixture file or a non-object is not.
     */
    @Test
    void aBrokenCardIsStillACard() throws Exception {
        String vp = validVp().strip();
        for (String text : List.of(vp, vp.substring(0, vp.length() / 2), vp.replace("\"shape\": [2],", "\"shape\": [2], \"shape\": [2],"),
                vp + "\n{}", vp + " x")) {
            Files.writeString(bad(dir), text);
            assertTrue(ModelCard.isCard(bad(dir)), text);
        }
        for (String text : List.of(Files.readString(fixtures().resolve("mixture-vp.json")), "", "[" + vp + "]", "not json", "{\"type\": 1}",
                "{\"file\": \"m.onnx\", \"type\": \"gaussian-mixture\"}", "{\"type\": \"onn")) {
            Files.writeString(bad(dir), text);
            assertFalse(ModelCard.isCard(bad(dir)), text);
        }
        assertFalse(ModelCard.isCard(dir), "a folder");
        assertFalse(ModelCard.isCard(dir.resolve("absent.json")), "no file");
    }

    /** The valid cards behind the cases load and run: each case's failure is its one change. */
    @ParameterizedTest
    @ValueSource(strings = {VP, FLOW, SD3, CONV, DECODED})
    void theUnchangedCardsLoad(String name) throws Exception {
        copyFixtures(dir);
        try (OnnxModel m = OnnxModel.load(dir.resolve(name), OnnxOptions.defaults())) {
            assertEquals(m.card().conditional() ? 2 : 0, m.card().classes());
            m.process(m.card().conditional() ? Condition.label(1).withCfg(2) : Condition.NONE);
        }
    }

    /** A card linked into another folder resolves "file" beside the real card, where its network ships. */
    @Test
    void aLinkedCardFindsItsNetworkBesideTheRealCard() throws Exception {
        Path real = Files.createDirectory(dir.resolve("model")), other = Files.createDirectory(dir.resolve("work"));
        copyFixtures(real);
        Path link = Files.createSymbolicLink(other.resolve("linked.card.json"), real.resolve(VP));
        try (OnnxModel m = OnnxModel.load(link, OnnxOptions.defaults())) {
            assertEquals(real.toRealPath().resolve("mixture-vp.onnx"), m.card().file());
        }
    }
}
