package fksteer.cli;

/** One-line checks of CLI values; each names the flag and what is allowed. */
final class Validate {
    private Validate() {}

    static void positive(String flag, long v, long max) {
        if (v < 1 || v > max) throw new IllegalArgumentException(flag + " must be in [1, " + max + "], got " + v);
    }

    static void range(String flag, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) throw new IllegalArgumentException(flag + " must be in [" + lo + ", " + hi + "], got " + v);
    }
}
