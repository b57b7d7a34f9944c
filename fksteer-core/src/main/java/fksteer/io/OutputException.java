package fksteer.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An output file could not be written. Names the file the caller asked for (never a temp file) and
 * the reason in one line, e.g. {@code cannot write out.json: No space left on device}.
 */
public class OutputException extends IOException {
    private final transient Path target;
    private final String reason;

    public OutputException(Path target, String reason, Throwable cause) {
        super("cannot write " + target + ": " + reason, cause);
        this.target = target;
        this.reason = reason;
    }

    public OutputException(Path target, String reason) {
        this(target, reason, null);
    }

    /** The path as the caller gave it. */
    public Path target() {
        return target;
    }

    /** Why, in a few words ("No space left on device", "it is a directory"). */
    public String reason() {
        return reason;
    }
}
