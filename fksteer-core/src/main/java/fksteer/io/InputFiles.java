package fksteer.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Checks on an input file made before it is opened: it exists, is a regular file, and is not too large. */
public final class InputFiles {
    private InputFiles() {}

    /**
     * The size of the regular file p, from its attributes alone (following links). A directory, FIFO,
     * device or socket is refused without being opened: opening a FIFO for reading would block until a
     * writer came, and a device such as /dev/zero never ends.
     *
     * @param where the message prefix naming the file, e.g. "safetensors file m.safetensors: "
     * @param what what the file should be, e.g. "a .safetensors file"
     * @param max the largest size accepted, in bytes
     */
    public static long regularFileSize(Path p, String where, String what, long max) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BadInputException(where + "file not found");
        } catch (IOException | SecurityException e) {
            throw new BadInputException(where + "cannot read its attributes: " + Quote.of(String.valueOf(e.getMessage())));
        }
        if (a.isDirectory()) throw new BadInputException(where + "is a directory; expected " + what);
        if (!a.isRegularFile())
            throw new BadInputException(where + "is not a regular file (a FIFO, device or socket); expected " + what);
        if (a.size() > max)
            throw new BadInputException(where + "is " + a.size() + " bytes; " + what + " may be at most " + max + " bytes");
        return a.size();
    }
}
