package fksteer.cli;

import fksteer.io.AtomicFiles;
import fksteer.io.InvalidSettingException;
import fksteer.io.OutputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A command's output files. Each is checked when it is declared, before any compute (exit 2 naming
 * the flag); all are written together by {@link #write}: every temp file first, then every rename,
 * so a failing {@code --plot} never leaves a new {@code --out} behind.
 */
public final class Outputs {
    /** A file or folder the user named: the setting ("out", "trajectoryPlot"), as given and as resolved. */
    private record Declared(String setting, Path given, Path real, boolean folder) {}

    private final List<Declared> declared = new ArrayList<>();
    private Path createdFolder;

    /**
     * Declares an output file (null: not asked for) that must end in ext (".json", ".png") and can be
     * written: in an existing, writable folder, not a folder, device or FIFO, not read-only, and not
     * the same file as another output. Returns p.
     */
    Path file(String setting, Path p, String ext) {
        if (p == null) return null;
        if (!p.toString().toLowerCase(Locale.ROOT).endsWith(ext))
            throw new InvalidSettingException(setting, "must name a " + ext + " file, got '" + p + "'");
        Path real = AtomicFiles.check(setting, p);
        for (Declared d : declared)
            if (d.real().equals(real) || d.folder() && real.startsWith(d.real()))
                throw new InvalidSettingException(setting, "'" + p + "' is the same file as " + Main.flag(d.setting()) + " '" + d.given() + "'");
        declared.add(new Declared(setting, p, real, false));
        return p;
    }

    /**
     * Declares an output folder: an existing writable folder, or a new one in an existing writable
     * folder, which is created now and removed again if the command fails before writing into it.
     * Returns the real folder (symbolic links followed).
     */
    public Path folder(String setting, Path p) throws IOException {
        Path real = AtomicFiles.checkFolder(setting, p);
        if (!Files.exists(real)) {
            Files.createDirectory(real);
            createdFolder = real;
        }
        declared.add(new Declared(setting, p, real, true));
        return real;
    }

    /**
     * Runs body, which computes and writes the outputs, with every file write joined into one batch,
     * and commits the batch when body returns. On any failure no new file is in place, no temp file
     * is left, and a folder this command created is removed if it is still empty. A write that fails
     * becomes a {@link CannotWriteException} naming the flag.
     */
    public <T> T write(ScopedValue.CallableOp<T, Exception> body) throws Exception {
        boolean ok = false;
        try (AtomicFiles.Batch batch = new AtomicFiles.Batch()) {
            T t = batch.run(body);
            batch.commit();
            ok = true;
            return t;
        } catch (OutputException e) {
            throw new CannotWriteException(settingOf(e.target()), e.target(), e.reason());
        } finally {
            if (!ok && createdFolder != null) {
                try (var s = Files.list(createdFolder)) {
                    if (s.findAny().isEmpty()) Files.deleteIfExists(createdFolder);
                } catch (IOException ignored) {
                    // the folder stays; it is empty or holds what was there
                }
            }
        }
    }

    private String settingOf(Path target) {
        Path abs = target.toAbsolutePath().normalize();
        for (Declared d : declared)
            if (!d.folder() && d.given().toAbsolutePath().normalize().equals(abs)) return d.setting();
        for (Declared d : declared)
            if (d.folder() && (abs.startsWith(d.given().toAbsolutePath().normalize()) || abs.startsWith(d.real()))) return d.setting();
        return null;
    }

    /** An output could not be written (disk full, folder gone): one line, exit code 1. */
    static final class CannotWriteException extends RuntimeException {
        CannotWriteException(String setting, Path file, String reason) {
            super("cannot write " + (setting == null ? "" : Main.flag(setting) + " ") + file + ": " + reason);
        }
    }
}
