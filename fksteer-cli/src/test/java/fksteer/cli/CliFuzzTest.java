package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.Fuzz;
import fksteer.reward.Rewards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fuzz suite's inputs end to end (issue 9): fuzzed model files through {@code sample --model} and
 * fuzzed reward specs through {@code steer --reward}. Every run exits with 0 or 2 (0 for inputs that
 * must be accepted, 2 for inputs that must be rejected), and an exit 2 prints exactly one line on
 * stderr, without an exception's name or a stack frame. The core module's InputFuzzTest runs the
 * full counts against the library; these are other cases of the same generators.
 */
class CliFuzzTest {
    static final int CASES = 33, FIRST = 5000;

    @TempDir
    Path dir;

    static void check(String label, Fuzz.Case c, CliTest.Run r) {
        String err = r.err().strip();
        assertTrue(r.code() == 0 || r.code() == 2, label + ": exit " + r.code() + ": " + err);
        assertFalse(err.contains("Exception") || err.contains("at fksteer"), label + ": " + err);
        if (r.code() == 2) {
            assertFalse(err.isEmpty(), label + ": exit 2 says nothing");
            assertEquals(1, err.lines().count(), label + ": not one line: " + err);
        }
        if (c.expect() == Fuzz.Expect.ACCEPT) assertEquals(0, r.code(), label + ": must be accepted: " + err);
        if (c.expect() == Fuzz.Expect.REJECT) assertEquals(2, r.code(), label + ": must be rejected");
    }

    static CliTest.Run run(String label, String... args) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> CliTest.run(args), label);
    }

    @Test
    void fuzzedModelFilesGiveExitZeroOrOneLineAndExitTwo() throws Exception {
        for (int i = FIRST; i < FIRST + CASES; i++) {
            for (String kind : new String[] {"safetensors", "json"}) {
                Fuzz.Case c = kind.equals("json") ? Fuzz.mixture(i) : Fuzz.safetensors(i);
                Path model = dir.resolve("m" + i + "." + kind);
                Files.write(model, c.bytes());
                String label = kind + " " + c.family() + " case " + i;
                check(label, c, run(label, "sample", "--model", model.toString(), "--sampler", "euler", "--steps", "2", "--particles", "4",
                        "--out", dir.resolve("s.json").toString()));
                Files.delete(model);
            }
        }
    }

    @Test
    void fuzzedRewardSpecsGiveExitZeroOrOneLineAndExitTwo() throws Exception {
        for (int i = FIRST; i < FIRST + CASES; i++) {
            Fuzz.Case c = Fuzz.reward(i);
            String spec = c.text();
            int d;
            try {
                d = Rewards.parse(spec).dim(); // a model of the reward's dimension, so that acceptable specs run
            } catch (RuntimeException e) {
                d = 2;
            }
            Path model = dir.resolve("gm" + i + ".json");
            Files.writeString(model, "{\"type\":\"gaussian-mixture\",\"weights\":[1],\"means\":[[" + "0,".repeat(d - 1) + "0]],\"stds\":[1]}");
            String label = "reward " + c.family() + " case " + i;
            check(label, c, run(label, "steer", "--model", model.toString(), "--method", "best-of-n", "--reward", spec, "--steps", "2",
                    "--particles", "4", "--out", dir.resolve("r.json").toString()));
        }
    }
}
