package fksteer.cli;

import fksteer.steer.SteeringMethod;
import fksteer.io.InvalidSettingException;
import fksteer.solver.Sampler;
import java.util.Locale;

/**
 * Refuses a run that will not fit in the Java heap before it starts, instead of letting it die of
 * OutOfMemoryError (or thrash in the collector) minutes in.
 *
 * <p>A {@link Footprint} gives a run's peak heap for a number of particles. The estimates here are
 * the CLI's own and deliberately conservative: the per-particle arrays each method allocates, read
 * off its code, times the model's dimension, plus what the plots hold; for {@code steer}, the
 * library's own estimate of each method ({@code SteeringMethod.estimatedBytes}). The JSON output is
 * streamed and needs no memory of its own.
 */
final class Memory {
    /** The share of the free heap a run may plan to fill: the collector needs the rest to work in. */
    static final double USABLE = 0.6;
    /** Heap besides the per-particle arrays: JIT, Jackson, XChart's fonts and images, small buffers. */
    static final long BASE = 48L << 20;
    /** XChart's copies of one panel's points (x and y as doubles, twice). */
    static final long PLOT_BYTES_PER_POINT = 48;

    private Memory() {}

    /** Peak heap in bytes of a run with this many particles. */
    @FunctionalInterface
    interface Footprint {
        long bytes(long particles);
    }

    /**
     * Per-particle array counts: floats per coordinate (4·d bytes each), then doubles, ints and
     * longs per particle, plus other bytes per particle (boxed indices, plot copies).
     */
    record Arrays(double floatsPerCoord, double doubles, double ints, double longs, double otherBytes) {
        Footprint at(int d) {
            return k -> total(k, 4 * floatsPerCoord * d + 8 * doubles + 4 * ints + 8 * longs + otherBytes);
        }
    }

    private static long total(long k, double perParticle) {
        double b = BASE + (double) k * perParticle;
        return b >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(b);
    }

    /** Scratch arrays (n x d floats) an integrator of this sampler holds. */
    static int integratorArrays(Sampler s) {
        return s.kind() == Sampler.Kind.RK4 ? 5 : 3;
    }

    /** fksteer sample: the points, the integrator, the step streams, the trajectory snapshots and plots. */
    static Footprint sample(Sampler s, int d, boolean plot, boolean trajectory) {
        double floats = 1 + integratorArrays(s) + (trajectory ? 9 : 0);
        double longs = 2; // step streams, and the initial noise's streams while it is drawn
        double other = plot || trajectory ? PLOT_BYTES_PER_POINT : 0;
        return new Arrays(floats, 0, 0, longs, other).at(d);
    }

    /**
     * fksteer steer: the method's own estimate of its arrays ({@link SteeringMethod#estimatedBytes}, per
     * particle, since every method's arrays grow linearly in them), plus what the command adds: the
     * written weights (two doubles a particle) and the plot's copies of the points.
     */
    static Footprint steer(SteeringMethod m, int particles, int d, boolean plot) {
        double perParticle = (double) m.estimatedBytes(d) / particles + 8 * 2 + (plot ? PLOT_BYTES_PER_POINT : 0);
        return k -> total(k, perParticle);
    }

    /** footprint, plus bytesPerParticle more for each particle (an image plot's share of its figure). */
    static Footprint plus(Footprint footprint, double bytesPerParticle) {
        return k -> {
            double b = (double) footprint.bytes(k) + (double) k * bytesPerParticle;
            return b >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(b);
        };
    }

    /**
     * Throws (exit 2, naming --particles) unless footprint fits in USABLE of the heap that is still
     * free, with the estimate and how to raise the heap or lower --particles.
     */
    static void require(int particles, Footprint footprint) {
        require("particles", particles, footprint);
    }

    /** Refuses a run whose footprint at count (the value of setting: particles, or train's batch) does not fit the heap. */
    static void require(String setting, int count, Footprint footprint) {
        require(setting, count, footprint, Runtime.getRuntime().maxMemory(), Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
    }

    static void require(int particles, Footprint footprint, long maxHeap, long usedHeap) {
        require("particles", particles, footprint, maxHeap, usedHeap);
    }

    static void require(String setting, int particles, Footprint footprint, long maxHeap, long usedHeap) {
        long need = footprint.bytes(particles);
        double allowed = USABLE * Math.max(0, maxHeap - usedHeap);
        if (need <= allowed) return;
        long perParticle = Math.max(1, (need - footprint.bytes(0)) / Math.max(1, particles));
        long fit = (long) Math.max(0, (allowed - footprint.bytes(0)) / perParticle);
        long xmxGb = (long) Math.ceil((need / USABLE + usedHeap) / (1L << 30));
        String lower = fit >= 1 ? "or lower " + Main.flag(setting) + " to about " + round2(fit) : "or use a smaller model";
        throw new InvalidSettingException(setting, String.format(Locale.ROOT,
                "%d needs about %s of memory, more than this Java heap can give it (%s max, %s in use); "
                        + "raise the heap with FKSTEER_JVM_OPTS=-Xmx%dg %s",
                particles, size(need), size(maxHeap), size(usedHeap), Math.max(1, xmxGb), lower));
    }

    /**
     * fksteer train: the trainer's own estimate ({@link fksteer.train.FlowMatchingTrainer#estimatedBytes}) at a
     * batch of k rows (at least one: the weights and Adam's moments are there whatever the batch).
     */
    static Footprint train(fksteer.train.TrainConfig c) {
        return k -> BASE + fksteer.train.FlowMatchingTrainer.estimatedBytes(new fksteer.train.TrainConfig(c.dataset(), c.steps(),
                (int) Math.max(1, Math.min(k, Integer.MAX_VALUE)), c.lr(), c.hidden(), c.layers(), c.seed(), c.cosine()));
    }

    /** Rounded down to two significant digits. */
    static long round2(long v) {
        long p = 1;
        while (v / p >= 100) p *= 10;
        return v / p * p;
    }

    static String size(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%d MB", Math.max(1, (bytes + (1L << 20) - 1) >> 20));
    }
}
