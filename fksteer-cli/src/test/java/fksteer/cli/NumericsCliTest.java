package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs that go numerically wrong end with one line naming the flag and exit 2, and write nothing (issue 9). */
class NumericsCliTest {
    @TempDir
    Path dir;

    static CliTest.Run run(String... args) {
        return CliTest.run(args);
    }

    void assertOneLineNaming(CliTest.Run r, String flag) throws Exception {
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(flag), "names " + flag + ": " + err);
        assertFalse(err.contains("Exception") || err.contains("internal error"), err);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count(), "wrote nothing");
        }
    }

    /** Found 2: an unstable SDE used to write "NaN" samples with exit 0. */
    @Test
    void hugeStochasticityStopsWithOneLine() throws Exception {
        CliTest.Run r = run("sample", "--model", "checkerboard", "--sampler", "sde", "--stochasticity", "1e4", "--steps", "20", "--particles", "64",
                "--out", dir.resolve("s.json").toString());
        assertOneLineNaming(r, "--stochasticity");
        assertTrue(r.err().contains("non-finite") && r.err().contains("lower it"), r.err());
        CliTest.Run fk = run("steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:2,0.5", "--stochasticity", "1e4", "--steps", "20",
                "--particles", "64", "--out", dir.resolve("fk.json").toString());
        assertOneLineNaming(fk, "--stochasticity");
    }

    /** Found 11: training to NaN used to end with exit 0 and write a model every other command rejects. */
    @Test
    void trainingStopsAtFirstNonFiniteLoss() throws Exception {
        CliTest.Run r = run("train", "--dataset", "checkerboard", "--lr", "1e6", "--steps", "500", "--batch", "256", "--quiet",
                "--out", dir.resolve("m.safetensors").toString());
        assertOneLineNaming(r, "--lr");
        assertTrue(r.err().contains("diverge") && r.err().contains("of 500"), r.err());
    }

    /** Found 2: lambda times a finite reward that overflows is named, not turned into infinite weights. */
    @Test
    void overflowingLambdaTimesRewardNamesLambda() throws Exception {
        CliTest.Run r = run("steer", "--model", "checkerboard", "--method", "best-of-n", "--weighted", "--lambda", "1e300", "--reward", "quadratic:1e20,1e20",
                "--steps", "4", "--particles", "16", "--out", dir.resolve("b.json").toString());
        assertOneLineNaming(r, "--lambda");
    }
}
