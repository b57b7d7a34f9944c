package fksteer.cli;

import fksteer.steer.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The CLI's progress report on stderr, fed by the library's {@link ProgressListener} calls.
 *
 * <p>Where it draws is decided on <em>stderr</em> being a terminal. Java cannot test that
 * ({@code System.console()} is about stdin and stdout), so the {@code ./fksteer} launcher tests
 * {@code [ -t 2 ]} and passes {@code -Dfksteer.stderrTty=true}; run without the launcher, the JVM
 * assumes stderr is not a terminal unless that property is given.
 * <ul>
 *   <li>terminal: one bar redrawn in place at most ten times a second ({@code \r}, the line, then
 *       {@code ESC [K} to clear what a longer earlier line left), with rate and ETA, and a newline at
 *       the end;</li>
 *   <li>not a terminal (a log file, a pipe, CI): for long work a plain line every 10 s while it lasts,
 *       and one when it ends; work done within 10 s prints nothing, so a quick command's log holds only
 *       its result (and an error stays one line);</li>
 *   <li>either way a daemon thread keeps the report alive when the work reports coarsely (a demo stage
 *       of 20 s): a plain line at least every 10 s, a terminal redraw at least every second;</li>
 *   <li>{@code --quiet}: nothing.</li>
 * </ul>
 * A call that does not draw only reads the clock: it allocates nothing, so steps can report freely.
 * Use it as {@code try (ProgressBar bar = ...) { work(bar); bar.finish(); }}: a run that fails leaves
 * no half bar in front of its one-line error.
 */
public final class ProgressBar implements ProgressListener, AutoCloseable {
    /** Shortest time between redraws on a terminal. */
    static final long REDRAW_NANOS = 100_000_000L;
    /** Longest time between plain lines when stderr is not a terminal. */
    static final long LINE_NANOS = 10_000_000_000L;
    /** Longest time between redraws on a terminal while work goes on. */
    static final long TICK_NANOS = 1_000_000_000L;
    private static final int BAR = 20;

    enum Mode { OFF, TERMINAL, LINES }

    private final String label;
    private final PrintWriter err;
    private final Mode mode;
    private final LongSupplier clock;
    private final int columns;
    private final long opened, lineNanos;
    // read by the ticker thread; volatile stores allocate nothing
    private volatile long lastOutput, stageStart, stageStartDone, done, total = 1;
    private volatile String stage = "";
    private volatile String valueName, note;
    private volatile double value;
    private volatile boolean reported, finished, printedLine;
    private Thread ticker;

    ProgressBar(String label, PrintWriter err, Mode mode, LongSupplier clock, int columns) {
        this(label, err, mode, clock, columns, LINE_NANOS);
    }

    ProgressBar(String label, PrintWriter err, Mode mode, LongSupplier clock, int columns, long lineNanos) {
        this.lineNanos = lineNanos;
        this.label = label;
        this.err = err;
        this.mode = mode;
        this.clock = clock;
        this.columns = columns > 0 ? Math.max(40, columns) : 80;
        this.opened = clock.getAsLong();
        this.stageStart = opened;
        this.lastOutput = mode == Mode.TERMINAL ? opened - REDRAW_NANOS : opened;
    }

    /** A bar on err, drawn as the launcher says stderr is (a terminal or not); nothing when quiet. */
    public static ProgressBar open(String label, PrintWriter err, boolean quiet) {
        Mode mode = quiet ? Mode.OFF : stderrIsTerminal() ? Mode.TERMINAL : Mode.LINES;
        return new ProgressBar(label, err, mode, System::nanoTime, Integer.getInteger("fksteer.columns", 80)).startTicker();
    }

    /** Starts the thread that reports when the work has not for a while (a line each lineNanos, or a redraw each second). */
    ProgressBar startTicker() {
        if (mode == Mode.OFF) return this;
        long period = mode == Mode.TERMINAL ? TICK_NANOS : lineNanos;
        ticker = Thread.ofPlatform().daemon().name("fksteer-progress").start(() -> {
            while (!finished) {
                long wait = Math.max(1_000_000L, lastOutput + period - clock.getAsLong());
                try {
                    Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                } catch (InterruptedException e) {
                    return;
                }
                synchronized (this) {
                    long now = clock.getAsLong();
                    if (!finished && reported && now - lastOutput >= period) {
                        lastOutput = now;
                        emit(now, false);
                    }
                }
            }
        });
        return this;
    }

    private void stopTicker() {
        if (ticker != null) ticker.interrupt();
    }

    /** A bar for work counted by the caller: {@code total} units named {@code unit} ("stages", "runs"); see {@link #update}. */
    public static ProgressBar open(String label, long total, String unit, PrintWriter err, boolean quiet) {
        ProgressBar b = open(label, err, quiet);
        b.total = Math.max(1, total);
        b.stage = unit;
        b.reported = true; // 0 of a known total is a state worth reporting while the first unit runs
        return b;
    }

    /** What the launcher found: {@code -Dfksteer.stderrTty=true} when stderr is a terminal. */
    public static boolean stderrIsTerminal() {
        return Boolean.getBoolean("fksteer.stderrTty");
    }

    /** A number shown after the rate, e.g. the training loss; formatted only when drawn. */
    public void value(String name, double v) {
        valueName = name;
        value = v;
    }

    /** A short text shown at the end of the line, e.g. which target a stage is on. */
    public void note(String text) {
        note = text;
    }

    /** {@code done} units of the total and unit given to {@link #open(String, long, String, PrintWriter, boolean)}, with a note. */
    public void update(long done, String note) {
        note(note);
        progress(done, total, stage);
    }

    @Override
    public void progress(long done, long total, String stage) {
        if (mode == Mode.OFF) return;
        long now = clock.getAsLong();
        if (!stage.equals(this.stage) || Math.max(1, total) != this.total) {
            boolean first = !reported; // the first stage is timed from when the bar opened
            this.stage = stage;
            this.total = Math.max(1, total);
            stageStart = first ? opened : now;
            stageStartDone = first ? 0 : done;
        }
        this.done = done;
        if (!reported) reported = true;
        if (mode == Mode.TERMINAL ? now - lastOutput >= REDRAW_NANOS : now - lastOutput >= lineNanos) {
            synchronized (this) {
                if (finished) return;
                lastOutput = now;
                emit(now, false);
            }
        }
    }

    /** The work is done: the final state, on its own line (without a terminal, only after long work). */
    public synchronized void finish() {
        if (mode == Mode.OFF || finished) return;
        finished = true;
        stopTicker();
        if (reported && (mode == Mode.TERMINAL || printedLine)) emit(clock.getAsLong(), true);
    }

    /** Without {@link #finish()} (the work failed): clears a drawn bar so an error line starts clean. */
    @Override
    public synchronized void close() {
        if (mode == Mode.TERMINAL && !finished && reported) {
            err.print("\r\033[K");
            err.flush();
        }
        finished = true;
        stopTicker();
    }

    private void emit(long now, boolean last) {
        if (mode == Mode.TERMINAL) {
            String line = terminalLine(now);
            err.print("\r" + (line.length() < columns ? line : line.substring(0, columns - 1)) + "\033[K" + (last ? "\n" : ""));
        } else {
            err.print(plainLine(now) + System.lineSeparator());
            printedLine = true;
        }
        err.flush();
    }

    String terminalLine(long now) {
        double f = Math.min(1.0, (double) done / total);
        int fill = (int) (BAR * f);
        StringBuilder b = new StringBuilder(96);
        b.append(label).append(" [").append("#".repeat(fill)).append(".".repeat(BAR - fill)).append("] ");
        b.append(String.format(Locale.ROOT, "%3d%% %d/%d %s", (int) (100 * f), done, total, stage));
        appendTail(b, now);
        return b.toString();
    }

    String plainLine(long now) {
        double f = Math.min(1.0, (double) done / total);
        StringBuilder b = new StringBuilder(96);
        b.append(label).append(": ").append(String.format(Locale.ROOT, "%d%% (%d/%d %s)", (int) (100 * f), done, total, stage));
        if (done < total) b.append(", ").append(duration((now - opened) / 1e9)).append(" elapsed");
        appendTail(b, now);
        return b.toString();
    }

    /** Rate and ETA while running, rate and total time when done; then the value and the note. */
    private void appendTail(StringBuilder b, long now) {
        double secs = (now - stageStart) / 1e9;
        long units = done - stageStartDone;
        double rate = units > 0 && secs > 0 ? units / secs : 0;
        if (rate > 0) b.append(", ").append(String.format(Locale.ROOT, rate >= 100 ? "%.0f %s/s" : rate >= 10 ? "%.1f %s/s" : "%.2f %s/s", rate, stage));
        if (done < total) b.append(", ETA ").append(rate > 0 ? duration((total - done) / rate) : "--");
        else b.append(", in ").append(duration((now - opened) / 1e9));
        if (valueName != null) b.append(", ").append(valueName).append(' ').append(String.format(Locale.ROOT, "%.4g", value));
        if (note != null && !note.isEmpty()) b.append(", ").append(note);
    }

    /** 0.4s, 7s, 3m05s, 2h07m. */
    static String duration(double secs) {
        if (secs < 9.95) return String.format(Locale.ROOT, "%.1fs", secs);
        long s = Math.round(secs);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
