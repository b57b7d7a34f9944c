package fksteer.process;

import fksteer.kernel.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of particles of one {@link Shape}, stored flat: continuous states in a {@code float[]}
 * (count × size) or discrete token states in an {@code int[]}, and every per-particle array that must
 * move with them when particles are resampled.
 *
 * <p>This is the one place that knows what moves together: the state is carried from construction;
 * a process's chain carries its cached model output and per-particle conditions; a method carries its
 * own (running rewards, potentials, lineages). {@link #permute} moves all of them, so a new
 * per-particle array cannot be forgotten by a resampling step. Registration and
 * {@link #reservePermute} allocate; permuting after that does not.
 */
public final class Particles {
    private final Shape shape;
    private final int size, capacity;
    private final float[] x;
    private final int[] tokens;
    private int count;
    private int[] labels;
    private float[] conditionVectors;
    private int conditionWidth;

    private final List<float[]> floatRows = new ArrayList<>();
    private final List<Integer> floatWidths = new ArrayList<>();
    private final List<double[]> doubles = new ArrayList<>();
    private final List<int[]> ints = new ArrayList<>();
    private final List<Integer> intWidths = new ArrayList<>();
    private float[] ftmp = new float[0];
    private double[] dtmp = new double[0];
    private int[] itmp = new int[0];
    private boolean scratchReady;

    private Particles(Shape shape, int capacity, boolean discrete) {
        this.shape = shape;
        this.size = shape.size();
        this.capacity = capacity;
        int len = Sizes.length("particles", "particles x particle size", capacity, size);
        this.x = discrete ? null : new float[len];
        this.tokens = discrete ? new int[len] : null;
        this.count = capacity;
        if (discrete) carry(tokens, size);
        else carry(x, size);
    }

    /** capacity particles of continuous state (all zero), count = capacity. */
    public static Particles continuous(Shape shape, int capacity) {
        return new Particles(shape, capacity, false);
    }

    /** capacity particles of token state (all zero), count = capacity. */
    public static Particles discrete(Shape shape, int capacity) {
        return new Particles(shape, capacity, true);
    }

    /** A zeroed batch of the same shape and kind with the given capacity, with conditions of the same width when these have them. */
    public Particles like(int capacity) {
        Particles p = new Particles(shape, capacity, tokens != null);
        if (labels != null) p.condition(Condition.NONE, conditionWidth);
        return p;
    }

    public Shape shape() {
        return shape;
    }

    /** Entries of one particle. */
    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Particles in use (the first count rows). */
    public int count() {
        return count;
    }

    public void count(int n) {
        if (n < 0 || n > capacity) throw new IllegalArgumentException("count " + n + " outside [0, " + capacity + "]");
        count = n;
    }

    public boolean discrete() {
        return tokens != null;
    }

    /** The continuous state, count × size. */
    public float[] floats() {
        if (x == null) throw new IllegalStateException("these particles are token sequences, not continuous states");
        return x;
    }

    /** The token state, count × size. */
    public int[] tokens() {
        if (tokens == null) throw new IllegalStateException("these particles are continuous states, not token sequences");
        return tokens;
    }

    /**
     * Gives every particle a condition (a class label, -1 for none, and a vector of width entries when
     * width > 0) that moves with it: filled from c for the first n particles. Call once, at set-up.
     */
    public void condition(Condition c, int width) {
        if (labels != null) throw new IllegalStateException("conditions already set");
        labels = new int[capacity];
        java.util.Arrays.fill(labels, -1);
        c.fillLabels(labels, capacity);
        carry(labels);
        if (width > 0) {
            conditionWidth = width;
            conditionVectors = new float[Sizes.length("condition", "particles x condition width", capacity, width)];
            c.fillVectors(conditionVectors, capacity);
            carry(conditionVectors, width);
        }
    }

    /** Each particle's class label (-1 = unconditional), or null when the particles carry no condition. */
    public int[] labels() {
        return labels;
    }

    /** Each particle's condition vector (capacity × width), or null. */
    public float[] conditionVectors() {
        return conditionVectors;
    }

    /** Registers rows of width entries per particle (capacity × width) to move with the particles. */
    public void carry(float[] rows, int width) {
        if (rows.length < (long) capacity * width) throw new IllegalArgumentException("carried rows shorter than capacity x width");
        floatRows.add(rows);
        floatWidths.add(width);
        scratchReady = false;
    }

    /** Registers one double per particle to move with the particles. */
    public void carry(double[] values) {
        if (values.length < capacity) throw new IllegalArgumentException("carried values shorter than capacity");
        doubles.add(values);
        scratchReady = false;
    }

    /** Registers one int per particle to move with the particles (lineages, class labels). */
    public void carry(int[] values) {
        carry(values, 1);
    }

    /** Registers int rows of width entries per particle (capacity × width) to move with the particles (token states, caches). */
    public void carry(int[] rows, int width) {
        if (rows.length < (long) capacity * width) throw new IllegalArgumentException("carried rows shorter than capacity x width");
        ints.add(rows);
        intWidths.add(width);
        scratchReady = false;
    }

    /**
     * Allocates the scratch {@link #permute} needs (one row set of the widest carried array), so that
     * resampling inside a step loop allocates nothing; permute calls it when it was not called since the
     * last registration. Batches never resampled never pay for it.
     */
    public void reservePermute() {
        if (scratchReady) return;
        int w = 1;
        for (int width : floatWidths) w = Math.max(w, width);
        if (ftmp.length < (long) capacity * w) ftmp = new float[Sizes.length("particles", "particles x carried width", capacity, w)];
        if (!doubles.isEmpty() && dtmp.length < capacity) dtmp = new double[capacity];
        int iw = 1;
        for (int width : intWidths) iw = Math.max(iw, width);
        if (!ints.isEmpty() && itmp.length < (long) capacity * iw) itmp = new int[Sizes.length("particles", "particles x carried width", capacity, iw)];
        scratchReady = true;
    }

    /** Carried int rows of width entries (token states). */
    private void permuteInts(int[] a, int width, int[] anc) {
        int n = anc.length;
        for (int i = 0; i < n; i++) System.arraycopy(a, anc[i] * width, itmp, i * width, width);
        System.arraycopy(itmp, 0, a, 0, n * width);
    }

    /**
     * Replaces particle i by particle anc[i] in the state and every carried array, for i < anc.length
     * (= count). Allocates nothing for float states and per-particle values.
     */
    public void permute(int[] anc) {
        int n = anc.length;
        if (n != count) throw new IllegalArgumentException(n + " ancestors for " + count + " particles");
        reservePermute();
        for (int r = 0; r < floatRows.size(); r++) {
            float[] a = floatRows.get(r);
            int w = floatWidths.get(r);
            for (int i = 0; i < n; i++) System.arraycopy(a, anc[i] * w, ftmp, i * w, w);
            System.arraycopy(ftmp, 0, a, 0, n * w);
        }
        for (double[] a : doubles) {
            for (int i = 0; i < n; i++) dtmp[i] = a[anc[i]];
            System.arraycopy(dtmp, 0, a, 0, n);
        }
        for (int r = 0; r < ints.size(); r++) permuteInts(ints.get(r), intWidths.get(r), anc);
    }

    /**
     * Copies the states (and conditions) of particles rows[0..m) of src into particles 0..m of this
     * batch (same shape and kind) and sets count = m: selection, as search over paths keeps its best
     * children. Other carried arrays are the caller's.
     */
    public void select(Particles src, int[] rows, int m) {
        if (!src.shape.equals(shape) || src.discrete() != discrete()) throw new IllegalArgumentException("particles of another shape or kind");
        for (int i = 0; i < m; i++) copyRow(src, rows[i], i);
        count(m);
    }

    /** A new batch (no carried arrays but the state and conditions) of rows[0..m) of this one, count = m. */
    public Particles subset(int[] rows, int m) {
        Particles p = like(Math.max(1, m));
        p.select(this, rows, m);
        return p;
    }

    /** Copies the state and condition of particle from of src into particle to of this batch. */
    public void copyRow(Particles src, int from, int to) {
        if (x != null) System.arraycopy(src.floats(), from * size, x, to * size, size);
        else System.arraycopy(src.tokens(), from * size, tokens, to * size, size);
        if (labels != null) labels[to] = src.labels == null ? -1 : src.labels[from];
        if (conditionVectors != null && src.conditionVectors != null)
            System.arraycopy(src.conditionVectors, from * conditionWidth, conditionVectors, to * conditionWidth, conditionWidth);
    }

    /** A copy of the first count particles' states (for snapshots and results). */
    public float[] floatsCopy() {
        return java.util.Arrays.copyOf(floats(), count * size);
    }
}
