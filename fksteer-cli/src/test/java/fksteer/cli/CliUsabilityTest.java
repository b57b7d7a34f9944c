package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Flags that would do nothing are refused, names are case-insensitive, progress and warnings reach stderr, JSON is tidy. */
class CliUsabilityTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    Path mixture() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [0.5, 0.5], \"means\": [[-1, 0], [1, 1]], \"stds\": [0.4, 0.6]}");
        return p;
    }

    CliTest.Run run(String line) throws Exception {
        return CliTest.run(line.replace("GM", mixture().toString()).replace("OUT", dir.resolve("o").toString()).split(" "));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "steer --model GM --method best-of-n --reward point:0,0 --potential max --out OUT.json|fksteer steer: --potential applies only to --method fk",
            "steer --model GM --method best-of-n --reward point:0,0 --cycles 9 --out OUT.json|--cycles applies only to --method zeroth-order",
            "steer --model GM --method best-of-n --reward point:0,0 --resampler residual --out OUT.json|--resampler applies only to --method fk",
            "steer --model GM --method fk --reward point:0,0 --top-k 3 --out OUT.json|--top-k applies only to --method best-of-n",
            "steer --model GM --method fk --reward point:0,0 --expansions 3 --out OUT.json|--expansions applies only to --method search-over-paths",
            "steer --model GM --method zeroth-order --reward point:0,0 --lambda 2 --out OUT.json|--lambda applies only to --method fk or best-of-n",
            "steer --model GM --method guidance --reward point:0,0 --guidance 1 --lambda 2 --out OUT.json|--lambda applies only to --method fk or best-of-n",
            "steer --model GM --method best-of-n --reward point:0,0 --lambda 2 --out OUT.json|--lambda applies to --method best-of-n only with --weighted",
            "steer --model GM --method zeroth-order --reward point:0,0 --guidance 1 --out OUT.json|--guidance applies only to --method fk or guidance",
            "steer --model GM --method search-over-paths --reward point:0,0 --stochasticity 1 --out OUT.json|--stochasticity applies only to --sampler sde or reference-sde",
            "steer --model GM --method best-of-n --reward point:0,0 --stochasticity 1 --out OUT.json|--stochasticity applies only to --sampler sde or reference-sde, not midpoint",
            "steer --model GM --method fk --reward point:0,0 --lookahead-steps 3 --out OUT.json|--lookahead-steps applies only to --intermediate lookahead or many:K",
            "sample --model GM --sampler midpoint --stochasticity 0.5 --out OUT.json|fksteer sample: --stochasticity applies only to --sampler sde or reference-sde",
            "sample --model GM --sampler simple-stochastic --stochasticity 0.5 --out OUT.json|--stochasticity applies only",
            "steer --model GM --method fk --reward point:0,0 --threads 1000 --out OUT.json|--threads must be in [1, 256], got 1000",
            "sample --model GM --threads 0 --out OUT.json|--threads must be in [1, 256], got 0",
            "train --dataset moons --threads 257 --out OUT.safetensors|fksteer train: --threads must be in [1, 256]",
            "demo --threads 9999 --out OUT|fksteer demo: --threads must be in [1, 256]"})
    void aFlagThatWouldDoNothingIsOneLineWithExitCodeTwo(String line, String message) throws Exception {
        CliTest.Run r = run(line);
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(message), err);
        assertFalse(Files.exists(dir.resolve("o.json")), "nothing written");
    }

    @Test
    void flagsThatApplyAreAccepted() throws Exception {
        for (String line : List.of(
                "steer --model GM --method best-of-n --reward point:0,0 --weighted --lambda 2 --top-k 2 --sampler sde --stochasticity 0.5 --particles 16 --steps 8 --quiet --out OUT.json",
                "steer --model GM --method fk --reward point:0,0 --intermediate lookahead --lookahead-steps 2 --resampler residual --particles 16 --steps 8 --quiet --out OUT.json",
                "steer --model GM --method zeroth-order --reward point:0,0 --cycles 2 --radius 0.5 --particles 16 --steps 8 --quiet --out OUT.json",
                "sample --model GM --sampler reference-sde --stochasticity 0.5 --particles 16 --steps 8 --quiet --out OUT.json")) {
            CliTest.Run r = run(line);
            assertEquals(0, r.code(), line + ": " + r.err());
        }
    }

    @Test
    void namesAreCaseInsensitiveAndTheConfigRecordsThemCanonically() throws Exception {
        CliTest.Run r = run("steer --model GM --method FK --reward point:0,0 --potential MAX --resampler Residual --intermediate X1HAT "
                + "--sampler SDE --output-policy Weighted --particles 16 --steps 8 --quiet --out OUT.json");
        assertEquals(0, r.code(), r.err());
        JsonNode c = JSON.readTree(dir.resolve("o.json").toFile()).get("config");
        assertEquals("fk", c.get("method").asText());
        assertEquals("max", c.get("potential").asText());
        assertEquals("residual", c.get("resampler").asText());
        assertEquals("x1hat", c.get("intermediate").asText());
        assertEquals("sde", c.get("sampler").asText());
        assertEquals("weighted", c.get("outputPolicy").asText());
        assertTrue(c.has("essThreshold"), "the fk settings are recorded: " + c);

        assertEquals(0, run("steer --model GM --method Zeroth-Order --reward point:0,0 --proposal Gaussian --cycles 2 --particles 8 --steps 4 --quiet --out OUT.json").code());
        assertEquals(0, run("steer --model GM --method SEARCH-over-paths --reward point:0,0 --noise-kernel Path --score-on X1hat --particles 4 --steps 10 --quiet --out OUT.json").code());
        assertEquals(0, run("steer --model GM --method BON --reward point:0,0 --sampler MidPoint --particles 4 --steps 4 --quiet --out OUT.json").code());
        assertEquals(0, run("sample --model CheckerBoard --sampler RK4 --particles 4 --steps 2 --quiet --out OUT.json").code());
        CliTest.Run t = CliTest.run("train", "--dataset", "MOONS", "--lr-schedule", "Cosine", "--steps", "3", "--batch", "64", "--hidden", "8",
                "--layers", "1", "--quiet", "--out", dir.resolve("m.safetensors").toString());
        assertEquals(0, t.code(), t.err());
    }

    @Test
    void everyLongCommandTakesQuiet() {
        CommandLine cl = new CommandLine(new Main());
        for (String c : List.of("train", "sample", "steer", "demo", "bench"))
            assertNotNull(cl.getSubcommands().get(c).getCommandSpec().findOption("--quiet"), c);
    }

    @Test
    void steerDrawsItsBarOnStderrAndQuietSilencesIt() throws Exception {
        String before = System.getProperty("fksteer.stderrTty");
        System.setProperty("fksteer.stderrTty", "true"); // what the launcher passes when stderr is a terminal
        try {
            CliTest.Run r = run("steer --model GM --method fk --reward linear:1,0.5 --particles 32 --steps 20 --out OUT.json");
            assertEquals(0, r.code(), r.err());
            assertFalse(r.out().contains("\r"), "the bar is not on stdout");
            assertTrue(r.err().startsWith("\rsteer fk ["), r.err());
            assertTrue(r.err().contains("100% 20/20 steps") && r.err().endsWith("\033[K\n"), r.err());
            CliTest.Run q = run("steer --model GM --method fk --reward linear:1,0.5 --particles 32 --steps 20 --quiet --out OUT.json");
            assertEquals("", q.err(), "--quiet");
        } finally {
            if (before == null) System.clearProperty("fksteer.stderrTty");
            else System.setProperty("fksteer.stderrTty", before);
        }
        CliTest.Run plain = run("steer --model GM --method fk --reward linear:1,0.5 --particles 32 --steps 20 --out OUT.json");
        assertEquals("", plain.err(), "not a terminal, and done within 10 s: nothing on stderr");
    }

    @Test
    void aCollapsedFkRunWarnsOnStderrAndInTheJson() throws Exception {
        CliTest.Run r = run("steer --model GM --method fk --reward point:1,1 --lambda 10 --particles 64 --steps 30 --quiet --out OUT.json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(dir.resolve("o.json").toFile());
        assertTrue(j.get("finalEss").asDouble() < 2 || j.get("uniqueAncestors").asInt() == 1, j.get("finalEss").toString());
        assertTrue(r.err().contains("fksteer steer: warning: FK collapsed") && r.err().contains("--lambda"), r.err());
        List<String> warnings = new ArrayList<>();
        j.get("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith("FK collapsed")), warnings.toString());

        CliTest.Run d = run("steer --model GM --method fk --reward point:1,1 --particles 64 --steps 30 --quiet --out OUT.json");
        assertEquals(0, d.code(), d.err());
        assertEquals(1.0, JSON.readTree(dir.resolve("o.json").toFile()).get("config").get("lambda").asDouble(), "the default lambda");
    }

    @Test
    void integersAreIntegersAndTimesAreRounded() throws Exception {
        CliTest.Run r = run("steer --model GM --method search-over-paths --reward point:1,1 --particles 8 --steps 20 --quiet --out OUT.json");
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(dir.resolve("o.json"));
        JsonNode j = JSON.readTree(text);
        assertTrue(j.get("nfe").isIntegralNumber() && j.get("rewardCalls").isIntegralNumber(), text);
        double wall = j.get("wallSeconds").asDouble();
        assertEquals(Math.round(wall * 1000), wall * 1000, 1e-6, "wallSeconds to the millisecond: " + wall);
        assertEquals("0.7", j.get("stages").get(0).get("from").toString(), "0.8 - 0.1 written as 0.7");
    }

    @Test
    void onSupportFractionOnlyForTheCheckerboard() throws Exception {
        assertEquals(0, run("sample --model GM --particles 8 --steps 4 --quiet --out OUT.json").code());
        assertFalse(JSON.readTree(dir.resolve("o.json").toFile()).has("onSupportFraction"), "a mixture has no squares");
        assertEquals(0, run("steer --model checkerboard --method fk --reward point:1,1 --particles 8 --steps 4 --quiet --out OUT.json").code());
        assertTrue(JSON.readTree(dir.resolve("o.json").toFile()).has("onSupportFraction"), "the shipped checkerboard");
        for (String data : List.of("checkerboard", "moons")) {
            Path m = dir.resolve(data + ".safetensors");
            assertEquals(0, CliTest.run("train", "--dataset", data, "--steps", "2", "--batch", "64", "--hidden", "8", "--layers", "1", "--quiet",
                    "--out", m.toString()).code());
            assertEquals(0, run("sample --model " + m + " --particles 8 --steps 4 --quiet --out OUT.json").code());
            assertEquals(data.equals("checkerboard"), JSON.readTree(dir.resolve("o.json").toFile()).has("onSupportFraction"), data);
        }
    }

    @Test
    void zerothOrderReportsEachCyclesBestAndReturnsTheBest() throws Exception {
        assertEquals(0, run("steer --model GM --method zeroth-order --reward point:1,1 --particles 16 --cycles 4 --steps 8 --quiet --out OUT.json").code());
        JsonNode j = JSON.readTree(dir.resolve("o.json").toFile());
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode v : j.get("cycleBest")) max = Math.max(max, v.asDouble());
        assertEquals(4, j.get("cycleBest").size());
        assertEquals(max, j.get("maxReward").asDouble());
    }
}
