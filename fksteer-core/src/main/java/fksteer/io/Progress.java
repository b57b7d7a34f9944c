package fksteer.io;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A small progress bar on stderr. On a terminal it redraws in place at most ten times a second; when
 * stderr is not a terminal (CI, pipes) it prints one line when the stage ends.
 */
public final class Progress implements AutoCloseable {
    private final String label;
    private final long total;
    private final PrintStream err = System.err;
    private final boolean tty = System.console() != null || Boolean.getBoolean("fksteer.progress");
    private final boolean quiet;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;
    private String extra = "";

    public Progress(String label, long total, boolean quiet) {
        this.label = label;
        this.total = Math.max(1, total);
        this.quiet = quiet;
    }

    public void update(long done, String extra) {
        this.done = done;
        this.extra = extra == null ? "" : extra;
        if (quiet || !tty) return;
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && done < total) return;
        lastDraw = now;
        err.print("\r" + line());
        err.flush();
    }

    private String line() {
        int width = 30, fill = (int) (width * Math.min(1.0, (double) done / total));
        double secs = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, "%-22s [%s%s] %3d%% %6.1fs %s", label, "#".repeat(fill), ".".repeat(width - fill),
                (int) (100.0 * done / total), secs, extra);
    }

    @Override
    public void close() {
        if (quiet) return;
        if (tty) err.print("\r" + line() + "\n");
        else err.println(line());
        err.flush();
    }
}
