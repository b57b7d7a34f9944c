package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./fksteer} launcher end to end: under a pseudo-terminal (util-linux {@code script}) the bar's
 * redraws arrive while the run works, not all at once at the end; with stderr in a pipe there are plain
 * lines for long work (nothing for a quick run) and no control characters; the JVM's incubator warning
 * never shows. The launcher runs the CLI
 * from this test's class path ({@code FKSTEER_CLASSPATH}), so no jar and no Maven run are needed.
 */
class LauncherTest {
    static final Path LAUNCHER = Path.of("..", "fksteer").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    record Chunk(long nanos, String text) {}

    static boolean scriptAvailable() {
        try {
            Process p = new ProcessBuilder("script", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    ProcessBuilder launcher(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("FKSTEER_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("FKSTEER_JAVA", ProcessHandle.current().info().command().orElse("java"));
        pb.environment().remove("FKSTEER_JVM_OPTS");
        return pb;
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Test
    void underAPseudoTerminalRedrawsAppearWhileTheRunWorks() throws Exception {
        assumeTrue(scriptAvailable(), "util-linux script is not installed");
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER.toString());
        String cmd = quote(LAUNCHER.toString()) + " train --dataset moons --steps 4000 --batch 512 --hidden 32 --seed 1 --out "
                + quote(dir.resolve("m.safetensors").toString());
        Process p = launcher(List.of("script", "-qefc", cmd, "/dev/null")).redirectErrorStream(true).start();
        p.getOutputStream().close();
        long start = System.nanoTime();
        List<Chunk> chunks = new ArrayList<>();
        InputStream in = p.getInputStream();
        byte[] buf = new byte[8192];
        for (int r; (r = in.read(buf)) > 0; ) chunks.add(new Chunk(System.nanoTime() - start, new String(buf, 0, r, StandardCharsets.UTF_8)));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ends");
        long end = System.nanoTime() - start;
        StringBuilder all = new StringBuilder();
        for (Chunk c : chunks) all.append(c.text());
        assertEquals(0, p.exitValue(), all.toString());
        assertFalse(all.toString().contains("WARNING: Using incubator modules"), all.toString());
        assertTrue(all.toString().contains("\033[K"), "redraws clear to the end of the line");
        assertTrue(all.toString().contains("trained moons"), all.toString());

        // when the redraws arrived: distinct arrivals (50 ms apart), spread over the run rather than bunched at its end
        List<Long> arrivals = new ArrayList<>();
        for (Chunk c : chunks)
            if (c.text().contains("\r") && c.text().contains("steps") && (arrivals.isEmpty() || c.nanos() - arrivals.getLast() > 50_000_000L))
                arrivals.add(c.nanos());
        String timing = String.format("redraw arrivals (s): %s; process ended at %.2f s",
                arrivals.stream().map(t -> String.format("%.2f", t / 1e9)).toList(), end / 1e9);
        assertTrue(arrivals.size() >= 5, timing);
        long spread = arrivals.getLast() - arrivals.getFirst();
        assertTrue(spread > 500_000_000L, "redraws spread over more than 0.5 s: " + timing);
        assertTrue(spread > 0.4 * (end - arrivals.getFirst()), "redraws spread over the run, not bunched at the end: " + timing);
    }

    @Test
    void withStderrInAPipeAQuickRunPrintsNoProgressAndNoWarning() throws Exception {
        Path out = dir.resolve("s.json");
        Process p = launcher(List.of(LAUNCHER.toString(), "sample", "--model", "checkerboard", "--steps", "20", "--particles", "64",
                "--out", out.toString())).start();
        p.getOutputStream().close();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(stdout);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        t.join();
        assertEquals(0, p.exitValue(), err);
        assertFalse(err.contains("WARNING: Using incubator modules"), err);
        assertFalse(err.contains("\r") || err.contains("\033"), "no control characters when stderr is not a terminal: " + err);
        assertEquals("", err, "a quick run without a terminal: only its result, on stdout");
        assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("64 samples"), stdout.toString(StandardCharsets.UTF_8));
    }
}
