package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, found 8: runs killed (SIGKILL and SIGTERM) at random moments while they write a large
 * output leave either the old file or the complete new one, and no temp file outlives the next run.
 */
class KillTest {
    /**
     * At least KILLS kills, and more (up to MAX_KILLS) until WRITE_HITS of them landed while the temp file
     * was being written: how long a write takes varies with the machine's load, and a kill test whose
     * kills miss the write proves nothing.
     */
    static final int KILLS = 20, MAX_KILLS = 80, WRITE_HITS = 8, PARTICLES = 200_000;

    @TempDir
    Path dir;

    Path out, model;

    List<String> command(long seed) {
        return Subprocess.java(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"), "sample", "--model", model.toString(), "--sampler", "euler", "--steps", "1",
                "--particles", String.valueOf(PARTICLES), "--seed", String.valueOf(seed), "--threads", "1", "--out", out.toString());
    }

    List<String> temps() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".big.json.fksteer-tmp-")).toList();
        }
    }

    /** Whether process pid is writing its temp file (not the empty one it probes the folder with). */
    boolean hasTempOf(long pid) throws IOException {
        String prefix = ".big.json.fksteer-tmp-" + pid + "-";
        for (String n : temps()) {
            try {
                if (n.startsWith(prefix) && Files.size(dir.resolve(n)) > 0) return true;
            } catch (java.nio.file.NoSuchFileException e) {
                // renamed or deleted meanwhile
            }
        }
        return false;
    }

    /** The seed of the complete file at out (it must parse and hold every sample). */
    long committedSeed() throws IOException {
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertEquals(PARTICLES, j.get("samples").size(), "a complete file");
        assertEquals(2, j.get("samples").get(PARTICLES - 1).size());
        return j.get("config").get("seed").asLong();
    }

    @Test
    void killedWritesLeaveTheOldFileOrTheCompleteNewOne() throws Exception {
        long t0 = System.nanoTime();
        out = dir.resolve("big.json");
        model = Files.createTempFile("fksteer-kill-gm", ".json");
        try {
            Files.writeString(model, "{\"type\": \"gaussian-mixture\", \"weights\": [0.5, 0.5], \"means\": [[-1, 0], [1, 1]], \"stds\": [0.4, 0.6]}");
            // the old file, and how long a run spends between creating its temp file and exiting
            long writeNanos = runToTheEnd(0);
            assertEquals(0, committedSeed());
            Random rnd = new Random(20260923);
            long committed = 0;
            int old = 0, fresh = 0, duringWrite = 0, staleLeft = 0;
            int i = 0;
            while (i < MAX_KILLS && (i < KILLS || duringWrite < WRITE_HITS)) {
                i++;
                boolean term = rnd.nextBoolean();
                Process p = Subprocess.start(command(i), dir);
                // wait for the write to begin, then kill somewhere in it (or just after it)
                while (p.isAlive() && !hasTempOf(p.pid())) Thread.sleep(1);
                long delay = (long) (rnd.nextDouble() * 1.2 * writeNanos);
                TimeUnit.NANOSECONDS.sleep(delay);
                boolean writing = hasTempOf(p.pid());
                if (term) p.destroy();
                else p.destroyForcibly();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed run exits");
                long seed = committedSeed();
                assertTrue(seed == committed || seed == i, "kill " + i + ": seed " + seed + ", expected the old " + committed + " or the new " + i);
                if (seed == i) fresh++;
                else old++;
                committed = seed;
                if (writing) duringWrite++;
                if (term) assertEquals(List.of(), temps(), "kill " + i + ": SIGTERM runs the hook that deletes temp files");
                else if (!temps().isEmpty()) staleLeft++;
            }
            String tally = String.format(Locale.ROOT, "%d kills (%d while the temp file existed): %d left the old file, %d the new one; "
                    + "kill -9 left a temp file %d times; %.1f s", i, duringWrite, old, fresh, staleLeft, (System.nanoTime() - t0) / 1e9);
            // the next run cleans up after kill -9
            runToTheEnd(i + 1);
            assertEquals(i + 1, committedSeed(), tally);
            assertEquals(List.of(), temps(), "no temp file after the next successful run");
            assertTrue(duringWrite >= WRITE_HITS, "the kills must hit the writes: " + tally);
        } finally {
            Files.deleteIfExists(model);
        }
    }

    /** Runs to the end; returns the time from its temp file appearing to its exit. */
    long runToTheEnd(long seed) throws Exception {
        Process p = Subprocess.start(command(seed), dir);
        while (p.isAlive() && !hasTempOf(p.pid())) Thread.sleep(1);
        long t = System.nanoTime();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return System.nanoTime() - t;
    }
}
