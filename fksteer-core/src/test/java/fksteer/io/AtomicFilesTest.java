package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    static List<String> temps(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".fksteer-tmp-")).toList();
        }
    }

    static void write(Path p, String s) throws IOException {
        AtomicFiles.writeBytes(p, s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void outThroughSymlinkWritesTheTargetAtomically() throws Exception {
        Path realDir = Files.createDirectory(dir.resolve("real")), linkDir = Files.createDirectory(dir.resolve("links"));
        Path target = realDir.resolve("t.json");
        Files.writeString(target, "old");
        // links/a.json -> b.json -> ../real/t.json: a chain of relative links across folders
        Files.createSymbolicLink(linkDir.resolve("b.json"), Path.of("../real/t.json"));
        Path a = Files.createSymbolicLink(linkDir.resolve("a.json"), Path.of("b.json"));
        assertEquals(target.toRealPath(), AtomicFiles.check("out", a));
        write(a, "new");
        assertTrue(Files.isSymbolicLink(a) && Files.isSymbolicLink(linkDir.resolve("b.json")), "the links stay links");
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(), temps(realDir));
        assertEquals(List.of(), temps(linkDir));
        // a dangling link: its target is created, in the target's folder
        Path dangling = Files.createSymbolicLink(linkDir.resolve("d.json"), Path.of("../real/new.json"));
        write(dangling, "fresh");
        assertEquals("fresh", Files.readString(realDir.resolve("new.json")));
        assertTrue(Files.isSymbolicLink(dangling));
        // a loop is refused, not followed forever
        Files.createSymbolicLink(linkDir.resolve("x.json"), Path.of("y.json"));
        Path loop = Files.createSymbolicLink(linkDir.resolve("y.json"), Path.of("x.json"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", loop));
        assertTrue(e.problem().contains("symbolic links"), e.problem());
    }

    @Test
    void outOnDeviceNodeIsRefused() throws Exception {
        Path dev = Files.createSymbolicLink(dir.resolve("null.json"), Path.of("/dev/null"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", dev));
        assertEquals("out", e.setting());
        assertTrue(e.problem().contains("not a regular file"), e.problem());
        OutputException w = assertThrows(OutputException.class, () -> write(dev, "x"));
        assertTrue(w.reason().contains("not a regular file"), w.reason());
        assertFalse(Files.isRegularFile(Path.of("/dev/null")), "the device is still a device");
        assertTrue(Files.exists(Path.of("/dev/null")));
        Files.delete(dev); // JUnit's cleanup warns about links leaving the temp folder

        Path fifo = dir.resolve("f.json");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertTrue(assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", fifo)).problem().contains("FIFO"));
        assertThrows(OutputException.class, () -> write(fifo, "x"));
        assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS), "the FIFO is untouched");

        Path folder = Files.createDirectory(dir.resolve("d.json"));
        assertTrue(assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", folder)).problem().contains("folder"));
        assertThrows(OutputException.class, () -> write(folder, "x"));
        assertTrue(Files.isDirectory(folder));
        assertEquals(List.of(), temps(dir));
    }

    @Test
    void badFoldersAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path file = dir.resolve("plain.txt");
        Files.writeString(file, "x");
        String underFile = assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", file.resolve("sub/o.json"))).problem();
        assertTrue(underFile.contains("is a file, not a folder"), underFile);
        String missing = assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("plot", dir.resolve("nope/o.png"))).problem();
        assertTrue(missing.contains("does not exist"), missing);
        assertFalse(Files.exists(dir.resolve("nope")), "no folder is created");
        // a folder nobody can create files in, even root: /proc/self
        String proc = assertThrows(InvalidSettingException.class, () -> AtomicFiles.check("out", Path.of("/proc/self/o.json"))).problem();
        assertTrue(proc.contains("cannot create files"), proc);
        assertEquals(List.of("plain.txt"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void filesGetTheUmaskMode() throws Exception {
        // a file created the ordinary way gets 0666 & ~umask; ours must get the same, not createTempFile's 0600
        Path plain = Files.createFile(dir.resolve("plain"));
        Path out = dir.resolve("o.json");
        write(out, "new");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
        assertTrue(Files.getPosixFilePermissions(out).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                == Files.getPosixFilePermissions(plain).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
        // a replaced file keeps its mode
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-r-----"));
        write(out, "newer");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        assertEquals("newer", Files.readString(out));
    }

    @Test
    void staleTempFilesAreCleanedUp() throws Exception {
        long dead = deadPid();
        FileTime old = FileTime.from(Instant.now().minusSeconds(3600));
        Path stale1 = stale(".o.json.fksteer-tmp-" + dead + "-0123456789abcdef", old);
        Path stale2 = stale(".o.json.fksteer-tmp-" + dead + "-fedcba9876543210", old);
        // kept: another target's temp, names that only look like ours, one written after this process started
        Path other = stale(".p.json.fksteer-tmp-" + dead + "-0123456789abcdef", old);
        Path lookalike = stale(".o.json.fksteer-tmp-" + dead + "-xyz", old);
        Path prefixOfOther = stale(".o.json.bak.fksteer-tmp-" + dead + "-0123456789abcdef", old);
        Path recent = stale(".o.json.fksteer-tmp-" + dead + "-00000000000000aa", FileTime.from(Instant.now().plusSeconds(60)));
        write(dir.resolve("o.json"), "new");
        assertFalse(Files.exists(stale1));
        assertFalse(Files.exists(stale2));
        for (Path kept : List.of(other, lookalike, prefixOfOther, recent)) assertTrue(Files.exists(kept), kept.toString());
        assertEquals("new", Files.readString(dir.resolve("o.json")));
    }

    @Test
    void aLiveWritersTempFileIsKept() throws Exception {
        Process writer = new ProcessBuilder("sleep", "60").start();
        try {
            Thread.sleep(1100); // process start times are known to the second
            FileTime afterItStarted = FileTime.from(Instant.now());
            Path live = stale(".o.json.fksteer-tmp-" + writer.pid() + "-0123456789abcdef", afterItStarted);
            Path dead = stale(".o.json.fksteer-tmp-" + deadPid() + "-0123456789abcdef", afterItStarted);
            assertEquals(1, AtomicFiles.deleteStale(dir, "o.json", Instant.now().plusSeconds(60)));
            assertTrue(Files.exists(live), "the running writer's file stays");
            assertFalse(Files.exists(dead));
        } finally {
            writer.destroyForcibly().waitFor();
        }
    }

    private Path stale(String name, FileTime mtime) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "{ \"half");
        Files.setLastModifiedTime(p, mtime);
        return p;
    }

    /** The id of a process that has exited. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }

    @Test
    void aBatchCommitsAllOrNothing() throws Exception {
        Path a = dir.resolve("a.json"), b = dir.resolve("b.png");
        Files.writeString(a, "old a");
        try (AtomicFiles.Batch batch = new AtomicFiles.Batch()) {
            batch.run(() -> {
                Json.write(a, List.of(1, 2));
                assertEquals("old a", Files.readString(a), "nothing is in place before the commit");
                assertEquals(1, temps(dir).size());
                assertThrows(OutputException.class, () -> AtomicFiles.write(b, out -> {
                    out.write(new byte[100]);
                    throw new IOException("No space left on device");
                }));
                return null;
            });
            // the caller gives up on a failure: close without commit
        }
        assertEquals("old a", Files.readString(a));
        assertFalse(Files.exists(b));
        assertEquals(List.of(), temps(dir));

        try (AtomicFiles.Batch batch = new AtomicFiles.Batch()) {
            batch.write(a, out -> out.write("new a".getBytes(StandardCharsets.UTF_8)));
            batch.write(b, out -> out.write(new byte[] {1, 2, 3}));
            assertEquals(2, temps(dir).size());
            assertEquals(List.of(a.toRealPath(), dir.toRealPath().resolve("b.png")), batch.commit());
        }
        assertEquals("new a", Files.readString(a));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(b));
        assertEquals(List.of(), temps(dir));
    }

    @Test
    void fullDiskDuringAWriteLeavesTheOldFileAndNoTemp() throws Exception {
        Path p = dir.resolve("o.json");
        Files.writeString(p, "old");
        OutputException e = assertThrows(OutputException.class, () -> AtomicFiles.write(p, out -> {
            out.write(new byte[1 << 20]);
            throw new IOException("No space left on device");
        }));
        assertEquals("No space left on device", e.reason());
        assertEquals(p, e.target());
        assertEquals("cannot write " + p + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(p));
        assertEquals(List.of(), temps(dir));
    }
}
