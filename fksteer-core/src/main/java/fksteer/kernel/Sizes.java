package fksteer.kernel;

import fksteer.io.InvalidSettingException;

/**
 * Array sizes computed in long and checked, so that no product of settings (particles x expansions x
 * dimension, say) can wrap around an int and silently run something else, and memory estimates in
 * bytes that saturate instead of overflowing.
 */
public final class Sizes {
    /** The longest array every JVM allocates (a few header words below Integer.MAX_VALUE). */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private Sizes() {}

    /**
     * The product of the factors as an array length.
     *
     * @param setting the setting to blame (its Java name, e.g. "expansions")
     * @param product what the factors are, e.g. "particles x expansions x dimension"
     * @throws InvalidSettingException when the product exceeds {@link #MAX_ARRAY}
     */
    public static int length(String setting, String product, long... factors) {
        long p = product(factors);
        if (p > MAX_ARRAY)
            throw new InvalidSettingException(setting, "is too large: " + product + " = " + (p == Long.MAX_VALUE ? "more than 2^63" : p)
                    + " values, more than one array holds (" + MAX_ARRAY + "); lower it");
        return (int) p;
    }

    /** The product of non-negative factors, or Long.MAX_VALUE when it overflows. */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) throw new IllegalArgumentException("negative size factor " + f);
            if (f == 0) return 0;
            if (p > Long.MAX_VALUE / f) return Long.MAX_VALUE;
            p *= f;
        }
        return p;
    }

    /** a + b for non-negative sizes, or Long.MAX_VALUE when it overflows. */
    public static long sum(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /**
     * Adds up a memory estimate in bytes, saturating at Long.MAX_VALUE: {@code new Bytes().floats(n, d)
     * .doubles(n).total()}.
     */
    public static final class Bytes {
        /** Bytes of one boxed Integer with its reference (compressed oops), as in sort orders of Integer[]. */
        public static final long BOXED_INT = 20;
        private long total;

        public Bytes add(long bytes) {
            total = Sizes.sum(total, bytes);
            return this;
        }

        public Bytes floats(long... dims) {
            return add(product(4, product(dims)));
        }

        public Bytes ints(long... dims) {
            return add(product(4, product(dims)));
        }

        public Bytes longs(long... dims) {
            return add(product(8, product(dims)));
        }

        public Bytes doubles(long... dims) {
            return add(product(8, product(dims)));
        }

        /** An Integer[] of this many distinct boxed values. */
        public Bytes boxedInts(long n) {
            return add(product(BOXED_INT, n));
        }

        /** The bytes added, as they are (for parts of an estimate). */
        public long sum() {
            return total;
        }

        /** The bytes added, plus 1/16 and 64 KiB for array headers, small objects and bookkeeping: a whole run's estimate. */
        public long total() {
            return Sizes.sum(Sizes.sum(total, total / 16), 64 << 10);
        }
    }
}
