package fksteer.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Output files that a reader never sees half-written and that leave nothing behind when a run fails.
 *
 * <ul>
 *   <li><b>Where.</b> The target's symbolic links are followed to the file they name, so a link's
 *   target is replaced, never the link. The temp file lies beside that real target, named
 *   {@code .NAME.fksteer-tmp-PID-RANDOM}.</li>
 *   <li><b>What.</b> Only regular files are created or replaced. A directory, device, FIFO or socket
 *   at the target is refused ({@code --out /dev/null} never replaces the device), and so is a
 *   read-only file. Folders are never created: a target in a missing folder is refused.</li>
 *   <li><b>How.</b> The temp file is written, fsynced ({@link FileChannel#force}) and renamed over
 *   the target ({@code ATOMIC_MOVE}); then the folder is fsynced where the platform allows it.</li>
 *   <li><b>Mode.</b> A new file gets the umask's mode (0666 &amp; ~umask, as any file a shell
 *   creates). A replaced file keeps its permissions, as {@code cmd > file} would.</li>
 *   <li><b>Together.</b> A {@link Batch} writes all of its temp files first and renames them only
 *   when every one is written, so a failure leaves every old file as it was.</li>
 *   <li><b>Clean.</b> Temp files are deleted when a write fails, by a shutdown hook on
 *   SIGINT/SIGTERM, and, when a process was killed outright (kill -9), by the next write to the
 *   same target: only files of this exact pattern for this exact name, written before this process
 *   started, by a process that no longer runs.</li>
 * </ul>
 *
 * <p>{@link #write} inside {@link Batch#run} joins that batch; elsewhere it is a batch of one.
 */
public final class AtomicFiles {
    private static final String MARK = ".fksteer-tmp-";
    private static final Pattern TAIL = Pattern.compile("(\\d{1,19})-[0-9a-f]{16}");
    private static final int MAX_LINKS = 40;
    private static final long PID = ProcessHandle.current().pid();
    /** When this process began writing files; no temp file of a later date can be stale. */
    private static final Instant STARTED = Instant.now();
    private static final ScopedValue<Batch> CURRENT = ScopedValue.newInstance();

    /** Temp files of this process that exist (or are being created); guarded by LOCK. */
    private static final Object LOCK = new Object();
    private static final Set<Path> LIVE = new HashSet<>();
    private static boolean hookInstalled, shuttingDown;

    private AtomicFiles() {}

    @FunctionalInterface
    public interface Writer {
        /** Writes the whole content. Closing the stream is allowed and does not close the file. */
        void write(OutputStream out) throws IOException;
    }

    /** Writes target atomically: in the current {@link Batch} if there is one, else at once. */
    public static void write(Path target, Writer writer) throws IOException {
        if (CURRENT.isBound()) {
            CURRENT.get().write(target, writer);
            return;
        }
        try (Batch b = new Batch()) {
            b.write(target, writer);
            b.commit();
        }
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Checks, before any work is done, that target can be written: its folder exists and takes new
     * files (tried by creating and deleting a temp file there), and nothing but a writable regular
     * file is at the path. Returns the real target (symbolic links followed).
     *
     * @param setting the setting that names the file ("out", "plot"), for the message
     * @throws InvalidSettingException naming the setting and the problem
     */
    public static Path check(String setting, Path target) {
        try {
            Path real = resolve(target);
            refuseUnwritable(target, real);
            probe(target, real.getParent(), real.getFileName().toString());
            return real;
        } catch (OutputException e) {
            throw new InvalidSettingException(setting, "'" + target + "': " + e.reason());
        }
    }

    /**
     * Checks an output folder: it must be a writable folder, or not exist in a writable folder (then
     * the caller creates it). Returns the real folder (symbolic links followed).
     */
    public static Path checkFolder(String setting, Path folder) {
        Path abs = folder.toAbsolutePath();
        try {
            if (Files.exists(abs)) {
                Path real = abs.toRealPath();
                if (!Files.isDirectory(real)) throw new OutputException(folder, "it is not a folder");
                probe(folder, real, real.getFileName() == null ? "folder" : real.getFileName().toString());
                return real;
            }
            Path name = abs.getFileName();
            Path real = realFolder(folder, abs.getParent()).resolve(name);
            if (Files.isSymbolicLink(real)) throw new OutputException(folder, "it is a symbolic link to a folder that does not exist");
            probe(folder, real.getParent(), name.toString());
            return real;
        } catch (OutputException e) {
            throw new InvalidSettingException(setting, "'" + folder + "': " + e.reason());
        } catch (IOException e) {
            throw new InvalidSettingException(setting, "'" + folder + "': " + reason(e));
        }
    }

    /**
     * Files written together: every {@link #write} puts its content in a temp file at once, and
     * {@link #commit} renames them all over their targets. {@link #close} deletes whatever was not
     * committed, so a failure anywhere leaves the old files and no temp files.
     *
     * <p>Each rename is atomic; the set is not: if a rename itself fails partway (the temp files are
     * all written by then, so only a vanished folder or a shutdown can do that), the files renamed
     * before it stay new.
     */
    public static final class Batch implements AutoCloseable {
        private record Staged(Path target, Path real, Path tmp) {}

        private final Map<Path, Staged> staged = new LinkedHashMap<>();
        private boolean done;

        /** Runs body with every {@link AtomicFiles#write} in it (on this thread) joining this batch. */
        public <T, X extends Throwable> T run(ScopedValue.CallableOp<? extends T, X> body) throws X {
            return ScopedValue.where(CURRENT, this).call(body);
        }

        /** Writes target's content to a fsynced temp file beside it; {@link #commit} puts it in place. */
        public void write(Path target, Writer writer) throws IOException {
            if (done) throw new IllegalStateException("batch already committed or closed");
            Path real = resolve(target);
            refuseUnwritable(target, real);
            Path dir = real.getParent();
            String name = real.getFileName().toString();
            deleteStale(dir, name);
            Path tmp = createTemp(target, dir, name);
            Staged previous = staged.put(real, new Staged(target, real, tmp));
            if (previous != null) deleteTemp(previous.tmp());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                writer.write(new FilterOutputStream(os) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the file stays open until it is fsynced
                    }
                });
                os.flush();
                keepMode(real, tmp);
                ch.force(true);
            } catch (IOException e) {
                staged.remove(real);
                deleteTemp(tmp);
                throw e instanceof OutputException oe ? oe : new OutputException(target, reason(e), e);
            } catch (RuntimeException | Error e) {
                staged.remove(real);
                deleteTemp(tmp);
                throw e;
            }
        }

        /** Renames every temp file over its target, in the order written; returns the real targets. */
        public List<Path> commit() throws IOException {
            if (done) throw new IllegalStateException("batch already committed or closed");
            done = true;
            List<Path> written = new ArrayList<>();
            Set<Path> dirs = new LinkedHashSet<>();
            try {
                for (Staged s : staged.values()) {
                    synchronized (LOCK) {
                        if (shuttingDown) throw new OutputException(s.target(), "the process is shutting down");
                        refuseUnwritable(s.target(), s.real()); // again: something may have appeared there meanwhile
                        try {
                            Files.move(s.tmp(), s.real(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new OutputException(s.target(), reason(e), e);
                        }
                        LIVE.remove(s.tmp());
                    }
                    written.add(s.real());
                    dirs.add(s.real().getParent());
                }
            } finally {
                for (Staged s : staged.values()) if (!written.contains(s.real())) deleteTemp(s.tmp());
                staged.clear();
            }
            for (Path d : dirs) syncFolder(d);
            return written;
        }

        /** Deletes every temp file not yet committed. */
        @Override
        public void close() {
            done = true;
            for (Staged s : staged.values()) deleteTemp(s.tmp());
            staged.clear();
        }
    }

    // ------------------------------------------------------------------ paths

    /** The real file target names: its folder's real path plus its name, symbolic links followed. */
    static Path resolve(Path target) throws OutputException {
        Path p = target.toAbsolutePath();
        for (int hops = 0; ; hops++) {
            Path name = p.getFileName();
            if (name == null || name.toString().equals(".") || name.toString().equals(".."))
                throw new OutputException(target, "it is a folder; give a file name");
            Path dir = realFolder(target, p.getParent());
            p = dir.resolve(name);
            if (!Files.isSymbolicLink(p)) return p;
            if (hops >= MAX_LINKS) throw new OutputException(target, "too many levels of symbolic links");
            try {
                p = dir.resolve(Files.readSymbolicLink(p));
            } catch (IOException e) {
                throw new OutputException(target, reason(e), e);
            }
        }
    }

    private static Path realFolder(Path target, Path dir) throws OutputException {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            for (Path a = dir.getParent(); a != null; a = a.getParent()) {
                if (Files.isDirectory(a)) break;
                if (Files.exists(a)) throw new OutputException(target, "'" + a + "' is a file, not a folder");
            }
            if (e instanceof NoSuchFileException)
                throw new OutputException(target, "folder '" + dir + "' does not exist (create it first)");
            throw new OutputException(target, "cannot reach folder '" + dir + "': " + reason(e), e);
        }
        if (!Files.isDirectory(real)) throw new OutputException(target, "'" + dir + "' is a file, not a folder");
        return real;
    }

    /** Refuses anything at real but a writable regular file (an absent file is fine). */
    private static void refuseUnwritable(Path target, Path real) throws OutputException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new OutputException(target, reason(e), e);
        }
        if (a.isDirectory()) throw new OutputException(target, "it is a folder; give a file name");
        if (a.isSymbolicLink()) throw new OutputException(target, "it became a symbolic link while being written");
        if (!a.isRegularFile())
            throw new OutputException(target, "it is a device, FIFO or socket, not a regular file; only regular files are replaced");
        if (!Files.isWritable(real)) throw new OutputException(target, "it is read-only");
    }

    /** Creates and deletes a temp file in dir, to learn before any work whether files can be made there. */
    private static void probe(Path target, Path dir, String name) throws OutputException {
        deleteTemp(createTemp(target, dir, name));
    }

    // ------------------------------------------------------------------ temp files

    private static Path createTemp(Path target, Path dir, String name) throws OutputException {
        synchronized (LOCK) {
            if (shuttingDown) throw new OutputException(target, "the process is shutting down");
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::deleteAllTemps, "fksteer-temp-cleanup"));
                hookInstalled = true;
            }
            for (int attempt = 0; ; attempt++) {
                Path tmp = dir.resolve("." + name + MARK + PID + "-" + String.format("%016x", ThreadLocalRandom.current().nextLong()));
                LIVE.add(tmp);
                try {
                    // no file attributes: the file gets 0666 & ~umask, unlike createTempFile's 0600
                    Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                    return tmp;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    LIVE.remove(tmp);
                    if (attempt > 8) throw new OutputException(target, "cannot create a temp file in '" + dir + "'", e);
                } catch (IOException e) {
                    LIVE.remove(tmp);
                    String why = e instanceof AccessDeniedException ? "permission denied" : reason(e);
                    throw new OutputException(target, "cannot create files in folder '" + dir + "': " + why, e);
                }
            }
        }
    }

    private static void deleteTemp(Path tmp) {
        synchronized (LOCK) {
            try {
                Files.deleteIfExists(tmp);
                LIVE.remove(tmp);
            } catch (IOException e) {
                // stays in LIVE: the shutdown hook tries again
            }
        }
    }

    private static void deleteAllTemps() {
        synchronized (LOCK) {
            shuttingDown = true;
            for (Path p : LIVE) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // nothing more to do while the JVM exits
                }
            }
            LIVE.clear();
        }
    }

    /**
     * Deletes temp files for dir/name left by killed processes: our exact pattern, a regular file,
     * last written before this process started, by a process id that is gone (or now belongs to a
     * process started after the file was written).
     */
    static int deleteStale(Path dir, String name) {
        return deleteStale(dir, name, STARTED);
    }

    /** As {@link #deleteStale(Path, String)}, counting as stale only files written before startedAt. */
    static int deleteStale(Path dir, String name, Instant startedAt) {
        String prefix = "." + name + MARK;
        int deleted = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : ds) {
                Matcher m = TAIL.matcher(p.getFileName().toString().substring(prefix.length()));
                if (!m.matches()) continue;
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == PID) continue; // our own: deleted by this process
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    continue;
                }
                Instant written = a.lastModifiedTime().toInstant();
                if (!a.isRegularFile() || !written.isBefore(startedAt)) continue;
                Optional<ProcessHandle> h = ProcessHandle.of(pid);
                boolean writerMayLive = h.isPresent() && h.get().isAlive()
                        && h.get().info().startInstant().map(s -> !s.isAfter(written)).orElse(true);
                if (writerMayLive) continue;
                try {
                    if (Files.deleteIfExists(p)) deleted++;
                } catch (IOException e) {
                    // not ours to insist on
                }
            }
        } catch (IOException e) {
            // the cleanup is a courtesy; the write itself reports real problems
        }
        return deleted;
    }

    // ------------------------------------------------------------------ details

    /** A replaced file keeps its permission bits. */
    private static void keepMode(Path real, Path tmp) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(real, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return;
        }
        Files.setPosixFilePermissions(tmp, perms);
    }

    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not every platform can open or sync a folder; the renames are done either way
        }
    }

    /** The reason of an I/O failure without the file name ("No space left on device"), from its root I/O cause. */
    static String reason(IOException e) {
        if (e instanceof OutputException oe) return oe.reason();
        // ImageIO and others wrap the system's error: "I/O error writing PNG file!" caused by "No space left on device"
        for (int depth = 0; e.getCause() instanceof IOException cause && depth < 8; depth++) e = cause;
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof AccessDeniedException) return "permission denied";
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
