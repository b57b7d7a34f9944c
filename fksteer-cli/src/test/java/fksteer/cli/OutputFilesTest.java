package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 9, found 2, 3, 6 and 7: output paths, atomic and joint commits, modes, full disks, memory. */
class OutputFilesTest {
    @TempDir
    Path dir;

    static List<String> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".fksteer-tmp-")).toList();
        }
    }

    static void assertOneLine(String err, String... parts) {
        String e = err.strip();
        assertFalse(e.isEmpty(), "an error line");
        assertFalse(e.contains("\n"), "one line: " + e);
        assertFalse(e.contains("Exception") || e.contains("\tat ") || e.contains("Error:"), "no stack trace: " + e);
        for (String p : parts) assertTrue(e.contains(p), "names '" + p + "': " + e);
    }

    static String[] sample(Path out, String... more) {
        return sample(64, out, more);
    }

    static String[] sample(int particles, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("sample", "--model", "checkerboard", "--steps", "4", "--particles", String.valueOf(particles),
                "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void outThroughSymlinkWritesTheTargetAtomically() throws Exception {
        Path real = Files.createDirectory(dir.resolve("results")).resolve("s.json");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("latest.json"), Path.of("results/s.json"));
        CliTest.Run r = CliTest.run(sample(link));
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals(64, new ObjectMapper().readTree(real.toFile()).get("samples").size());
        assertEquals(List.of(), temps(dir));
        assertEquals(List.of(), temps(real.getParent()));
    }

    @Test
    void outOnDeviceNodeIsRefused() throws Exception {
        Path devNull = Files.createSymbolicLink(dir.resolve("null.json"), Path.of("/dev/null"));
        CliTest.Run r = CliTest.run(sample(devNull));
        assertEquals(2, r.code(), r.err());
        assertOneLine(r.err(), "--out", "not a regular file");
        assertFalse(Files.isRegularFile(Path.of("/dev/null")), "/dev/null is still a device");
        Files.delete(devNull);

        Path fifo = dir.resolve("f.png");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        CliTest.Run p = CliTest.run(sample(dir.resolve("o.json"), "--plot", fifo.toString()));
        assertEquals(2, p.code(), p.err());
        assertOneLine(p.err(), "--plot", "FIFO");
        assertFalse(Files.exists(dir.resolve("o.json")), "nothing was written");

        Path folder = Files.createDirectory(dir.resolve("t.png"));
        CliTest.Run t = CliTest.run(sample(dir.resolve("o.json"), "--trajectory-plot", folder.toString()));
        assertEquals(2, t.code(), t.err());
        assertOneLine(t.err(), "--trajectory-plot", "folder");
    }

    /** Runs that would take minutes: a bad output path must stop them before they start. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sample --model checkerboard --steps 2000 --particles 3000000 --out D/missing/o.json|--out|does not exist",
            "sample --model checkerboard --steps 2000 --particles 3000000 --out D/o.json --plot D/file/o.png|--plot|is a file, not a folder",
            "sample --model checkerboard --steps 2000 --particles 3000000 --out D/o.json --trajectory-plot D/dir.png|--trajectory-plot|folder",
            "sample --model checkerboard --steps 2000 --particles 3000000 --out D/o.json --plot D/p.png --trajectory-plot D/p.png|--trajectory-plot|same file as --plot",
            "steer --model checkerboard --method fk --reward point:0,0 --steps 2000 --particles 3000000 --out /proc/self/o.json|--out|cannot create files",
            "steer --model checkerboard --method fk --reward point:0,0 --steps 2000 --particles 3000000 --out D/o.txt|--out|.json",
            "steer --model checkerboard --method fk --reward point:0,0 --steps 2000 --particles 3000000 --out D/o.json --plot D/o.jpg|--plot|.png",
            "train --dataset moons --steps 1000000 --out D/m.json --quiet|--out|.safetensors",
            "train --dataset moons --steps 1000000 --out D/missing/m.safetensors --quiet|--out|does not exist",
            "demo --out D/file --quiet|--out|not a folder",
            "demo --out D/missing/deeper --quiet|--out|does not exist",
            "bench --out D/b.txt|--out|.json",
            "bench --out D/file/b.json|--out|is a file, not a folder"})
    void outputPathsAreCheckedBeforeCompute(String args, String flag, String problem) throws Exception {
        Files.writeString(dir.resolve("file"), "a regular file");
        Files.createDirectory(dir.resolve("dir.png"));
        long t0 = System.nanoTime();
        CliTest.Run r = CliTest.run(args.replace("D/", dir + "/").split(" "));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2, r.code(), r.err());
        assertOneLine(r.err(), flag, problem);
        assertTrue(seconds < 5, "refused before the compute, in " + seconds + " s");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("dir.png", "file"), s.map(p -> p.getFileName().toString()).sorted().toList(), "nothing written or created");
        }
    }

    @Test
    void failedPlotLeavesNoNewOut() throws Exception {
        // a file-size limit of 32 KB: the JSON of 300 samples (8 KB) fits, the 9-panel trajectory PNG (about 70 KB) does not
        Path out = dir.resolve("s.json");
        Files.writeString(out, "{\"old\": true}");
        Subprocess.Result r = Subprocess.run(Subprocess.viaShell("ulimit -f 64", Subprocess.java(List.of(),
                sample(300, out, "--trajectory-plot", dir.resolve("t.png").toString()))), dir, 60);
        assertEquals(1, r.code(), r.err());
        assertOneLine(r.err(), "fksteer sample: cannot write --trajectory-plot " + dir.resolve("t.png") + ": File too large");
        assertEquals("{\"old\": true}", Files.readString(out), "no new --out without its plot");
        assertFalse(Files.exists(dir.resolve("t.png")));
        assertEquals(List.of(), temps(dir));
        // and without the limit both are written
        CliTest.Run ok = CliTest.run(sample(300, out, "--trajectory-plot", dir.resolve("t.png").toString()));
        assertEquals(0, ok.code(), ok.err());
        assertEquals(300, new ObjectMapper().readTree(out.toFile()).get("samples").size());
        assertTrue(Files.size(dir.resolve("t.png")) > 32 * 1024);
    }

    @Test
    void fullDiskIsOneLine() throws Exception {
        // a real full disk: a 64 KB tmpfs where we may mount one (root), else a 32 KB file-size limit
        Path disk = Files.createDirectory(dir.resolve("disk"));
        boolean tmpfs = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", disk.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        try {
            Path out = disk.resolve("s.json");
            Files.writeString(out, "{\"old\": true}");
            List<String> cmd = Subprocess.java(List.of(), "sample", "--model", "checkerboard", "--steps", "1", "--particles", "5000",
                    "--out", out.toString());
            Subprocess.Result r = Subprocess.run(tmpfs ? cmd : Subprocess.viaShell("ulimit -f 64", cmd), dir, 60);
            assertEquals(1, r.code(), r.err());
            assertOneLine(r.err(), "fksteer sample: cannot write --out " + out + ": " + (tmpfs ? "No space left on device" : "File too large"));
            assertEquals("{\"old\": true}", Files.readString(out));
            assertEquals(List.of(), temps(disk), "no half file left");
        } finally {
            if (tmpfs) new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }

    @Test
    void filesGetTheUmaskMode() throws Exception {
        for (String[] umaskMode : new String[][] {{"027", "rw-r-----"}, {"002", "rw-rw-r--"}}) {
            Path out = dir.resolve("u" + umaskMode[0] + ".json"), plot = dir.resolve("u" + umaskMode[0] + ".png");
            Subprocess.Result r = Subprocess.run(Subprocess.viaShell("umask " + umaskMode[0], Subprocess.java(List.of(),
                    sample(out, "--plot", plot.toString()))), dir, 60);
            assertEquals(0, r.code(), r.err());
            assertEquals(umaskMode[1], PosixFilePermissions.toString(Files.getPosixFilePermissions(out)), "umask " + umaskMode[0]);
            assertEquals(umaskMode[1], PosixFilePermissions.toString(Files.getPosixFilePermissions(plot)), "umask " + umaskMode[0]);
        }
        // replacing a file keeps its mode, whatever the umask
        Path out = dir.resolve("u027.json");
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, CliTest.run(sample(out)).code());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    @Test
    void oversizedRunIsRefusedWithTheEstimate() throws Exception {
        long t0 = System.nanoTime();
        CliTest.Run r = CliTest.run("steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:0,0", "--particles", "50000000",
                "--out", dir.resolve("o.json").toString());
        assertEquals(2, r.code(), r.err());
        assertOneLine(r.err(), "--particles 50000000 needs about ", " GB of memory", "FKSTEER_JVM_OPTS=-Xmx", "lower --particles to about");
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused before the run");
        // the 4M-particle sample that used to thrash in a small heap
        Subprocess.Result s = Subprocess.run(Subprocess.java(List.of("-Xmx128m"), "sample", "--model", "checkerboard", "--particles", "4000000",
                "--out", dir.resolve("s.json").toString()), dir, 60);
        assertEquals(2, s.code(), s.err());
        assertOneLine(s.err(), "fksteer sample: --particles 4000000 needs about ", "MB of memory");
        assertFalse(Files.exists(dir.resolve("s.json")));
        // what fits runs
        assertEquals(0, CliTest.run(sample(dir.resolve("fits.json"))).code());
    }

    @Test
    void oversizedTrainingIsRefusedWithTheEstimate() throws Exception {
        long t0 = System.nanoTime();
        Path m = dir.resolve("m.safetensors");
        CliTest.Run r = CliTest.run("train", "--dataset", "checkerboard", "--batch", "100000000", "--steps", "2", "--out", m.toString());
        assertEquals(2, r.code(), r.err());
        assertOneLine(r.err(), "--batch 100000000 needs about ", " GB of memory", "FKSTEER_JVM_OPTS=-Xmx", "lower --batch to about");
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused before training");
        assertFalse(Files.exists(m));
    }

    @Test
    void theEstimateGrowsWithWhatARunHolds() {
        fksteer.solver.Sampler mid = fksteer.solver.Sampler.parse("midpoint", 0), rk4 = fksteer.solver.Sampler.parse("rk4", 0);
        Memory.Footprint plainRun = Memory.sample(mid, 2, false, false);
        long plain = plainRun.bytes(1_000_000) - plainRun.bytes(0);
        assertTrue(plain >= 1_000_000L * 2 * 4 * 4, "points and three integrator buffers at least: " + plain);
        assertTrue(Memory.sample(rk4, 2, false, false).bytes(1_000_000) > plainRun.bytes(1_000_000));
        assertTrue(Memory.sample(mid, 2, false, true).bytes(1_000_000) > plainRun.bytes(1_000_000) + 1_000_000L * 2 * 4 * 9, "nine snapshots");
        Memory.Footprint wide = Memory.sample(mid, 100, false, false);
        assertTrue(wide.bytes(1_000_000) - wide.bytes(0) > 30 * plain, "grows with the dimension");
        Memory.require(1_000_000, Memory.sample(mid, 2, false, false), 4L << 30, 0); // fits: no exception
        org.junit.jupiter.api.Assertions.assertThrows(fksteer.io.InvalidSettingException.class,
                () -> Memory.require(1_000_000, Memory.sample(mid, 2, false, false), 128L << 20, 0));
    }

    @Test
    void outOfMemoryIsOneLine() throws Exception {
        // a model file within the reader's limits (256 components x 65,536 dimensions, 33 MB of text) whose
        // arrays (134 MB) cannot fit a 16 MB heap: no estimate runs before the model is read, so the heap runs
        // out inside the command
        Path model = dir.resolve("wide.json");
        try (var w = Files.newBufferedWriter(model)) {
            int m = 256, d = 65_536;
            w.write("{\"type\": \"gaussian-mixture\", \"weights\": [");
            for (int j = 0; j < m; j++) w.write((j > 0 ? "," : "") + "0.00390625");
            w.write("], \"stds\": [");
            for (int j = 0; j < m; j++) w.write((j > 0 ? "," : "") + "1");
            w.write("], \"means\": [");
            String zeros = "[" + "0,".repeat(d - 1) + "0]";
            for (int j = 0; j < m; j++) w.write((j > 0 ? "," : "") + zeros);
            w.write("]}");
        }
        Subprocess.Result r = Subprocess.run(Subprocess.java(List.of("-Xmx16m"), "sample", "--model", model.toString(), "--particles", "2",
                "--steps", "1", "--quiet", "--out", dir.resolve("s.json").toString()), dir, 60);
        assertEquals(1, r.code(), r.err());
        assertOneLine(r.err(), "fksteer sample: out of memory", "FKSTEER_JVM_OPTS=-Xmx");
        assertFalse(Files.exists(dir.resolve("s.json")));
        assertEquals(List.of(), temps(dir));
    }

    @Test
    void nanNeverReachesTheOutputFile() throws Exception {
        // issue 9's reproduction: a huge stochasticity drives the samples to NaN. Whether the run stops
        // itself (exit 2) or the writer refuses the NaN (exit 1), no file may be written.
        Path out = dir.resolve("nan.json");
        CliTest.Run r = CliTest.run("sample", "--model", "checkerboard", "--sampler", "sde", "--stochasticity", "1e4", "--steps", "20",
                "--particles", "64", "--out", out.toString());
        assertTrue(r.code() == 1 || r.code() == 2, r.code() + ": " + r.err());
        assertOneLine(r.err());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), temps(dir));
    }

    @Test
    void zeroWeightsAreWrittenAsTheMostNegativeFiniteDouble() throws Exception {
        double[] lw = {Math.log(0.75), Double.NEGATIVE_INFINITY, Math.log(0.25)};
        double[] written = SteerCommand.writableLogWeights(lw);
        assertEquals(-Double.MAX_VALUE, written[1]);
        assertEquals(0.0, Math.exp(written[1]), "exp of the sentinel is exactly zero");
        assertEquals(lw[0], written[0]);
        assertEquals(Double.NEGATIVE_INFINITY, lw[1], "the result is not modified");
        double[] w = SteerCommand.weights(lw);
        assertEquals(0.75, w[0], 1e-15);
        assertEquals(0.0, w[1]);
        assertTrue(Double.isNaN(SteerCommand.writableLogWeights(new double[] {Double.NaN})[0]), "NaN is not hidden: the writer refuses it");

        Path out = dir.resolve("fk.json");
        CliTest.Run r = CliTest.run("steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:2,0.5", "--lambda", "1",
                "--particles", "64", "--steps", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        double sum = 0;
        for (int i = 0; i < 64; i++) {
            double wi = j.get("weights").get(i).doubleValue();
            assertEquals(Math.exp(j.get("logWeights").get(i).doubleValue()), wi, 1e-12);
            assertTrue(wi >= 0 && wi <= 1);
            sum += wi;
        }
        assertEquals(1.0, sum, 1e-9);
        assertFalse(Files.readString(out).matches("(?s).*(NaN|Infinity|null).*"));
    }
}
