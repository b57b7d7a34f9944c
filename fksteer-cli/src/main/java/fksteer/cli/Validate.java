package fksteer.cli;

import fksteer.io.Models;
import fksteer.io.Safetensors;
import fksteer.kernel.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** One-line checks of CLI values; each names the flag and what is allowed. */
final class Validate {
    private Validate() {}

    static void positive(String flag, long v, long max) {
        if (v < 1 || v > max) throw new IllegalArgumentException(flag + " must be in [1, " + max + "], got " + v);
    }

    static void range(String flag, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new IllegalArgumentException(flag + " must be in [" + lo + ", " + hi + "], got " + v);
    }


    /** Most worker threads --threads accepts: far past any speed-up, and a bound on what a typo can start. */
    static final int MAX_THREADS = 256;

    /**
     * Applies --threads when given: refused outside [1, 256]; above the available cores it runs, since
     * results do not depend on the thread count, but says on stderr that it will only be slower.
     */
    static void threads(Integer threads, String command, PrintWriter err) {
        if (threads == null) return;
        positive("--threads", threads, MAX_THREADS);
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            err.println(command + ": warning: --threads " + threads + " is more than the " + cores
                    + " available cores; results are the same, it is only slower");
            err.flush();
        }
        Parallel.setThreads(threads);
    }

    /** Seconds rounded to the 1 ms a wall clock resolves (0.7, not 0.7000000000000001). */
    static double seconds(double s) {
        return Math.round(s * 1000) / 1000.0;
    }

    /**
     * Whether --model is the checkerboard, so that checkerboard-only statistics (onSupportFraction)
     * mean something: the shipped {@code checkerboard}, or a safetensors file that {@code fksteer train
     * --dataset checkerboard} wrote (its metadata says so).
     */
    static boolean isCheckerboard(String model) {
        if (model.equalsIgnoreCase(Models.CHECKERBOARD)) return true;
        if (!model.toLowerCase(Locale.ROOT).endsWith(".safetensors")) return false;
        return "checkerboard".equalsIgnoreCase(Safetensors.read(Path.of(model)).metadata().get("dataset"));
    }
}
