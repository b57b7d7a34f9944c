package fksteer.process;

import fksteer.io.InvalidSettingException;
import java.util.Arrays;

/**
 * The declared shape of one particle ({@code [d]} for points, {@code [C, H, W]} for images,
 * {@code [L]} for token sequences); particles are stored flat, {@link #size()} entries each.
 */
public record Shape(int[] dims) {

    public Shape {
        InvalidSettingException.require(dims != null && dims.length >= 1, "shape", "needs at least one dimension");
        dims = dims.clone();
        long size = 1;
        for (int v : dims) {
            InvalidSettingException.require(v >= 1, "shape", "dimensions must be >= 1, got " + Arrays.toString(dims));
            size *= v;
            InvalidSettingException.require(size <= Integer.MAX_VALUE, "shape", Arrays.toString(dims) + " has more than 2^31 - 1 entries");
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Entries of one particle. */
    public int size() {
        int s = 1;
        for (int v : dims) s *= v;
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
