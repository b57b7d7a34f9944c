package fksteer.process;

import fksteer.io.InvalidSettingException;
import java.util.Arrays;

/**
 * What a conditional model is conditioned on, per run or per particle: a class label or a vector
 * (labels stored one per particle; vectors width entries per particle), and an optional
 * classifier-free guidance scale w: out = u + w (c - u), with c and u the conditional and
 * unconditional outputs evaluated in one doubled batch (both halves count as network evaluations).
 * At w = 1 it is the conditional output; w = 0 the unconditional one.
 *
 * @param labels  one label for the run (length 1) or one per particle; null for a vector condition or none
 * @param vectors one vector (width entries) or one per particle, flat; null for a label or none
 * @param width   entries of a vector condition (0 otherwise)
 * @param cfg     the guidance scale, or NaN for no classifier-free guidance (conditional output only)
 */
public record Condition(int[] labels, float[] vectors, int width, double cfg) {

    /** No condition: the model's unconditional output. */
    public static final Condition NONE = new Condition(null, null, 0, Double.NaN);

    public Condition {
        labels = labels == null ? null : labels.clone();
        vectors = vectors == null ? null : vectors.clone();
        InvalidSettingException.require(labels == null || vectors == null, "condition", "is either a class label or a vector, not both");
        if (labels != null) {
            InvalidSettingException.require(labels.length >= 1, "condition", "needs at least one label");
            for (int c : labels) InvalidSettingException.require(c >= 0, "condition", "class labels must be >= 0, got " + c);
        }
        if (vectors != null) {
            InvalidSettingException.require(width >= 1 && vectors.length >= width && vectors.length % width == 0, "condition",
                    "vectors must hold a whole number of rows of " + width + " entries");
            for (float v : vectors) InvalidSettingException.require(Float.isFinite(v), "condition", "vectors must be finite, got " + v);
        } else InvalidSettingException.require(width == 0, "condition", "width is for vector conditions only");
        InvalidSettingException.require(Double.isNaN(cfg) || (cfg >= 0 && Double.isFinite(cfg)), "cfg",
                "must be a finite number >= 0, got " + cfg);
        InvalidSettingException.require(Double.isNaN(cfg) || labels != null || vectors != null, "cfg", "needs a condition (--condition)",
                "condition");
    }

    /** Every particle conditioned on class c. */
    public static Condition label(int c) {
        return new Condition(new int[] {c}, null, 0, Double.NaN);
    }

    /** Particle i conditioned on class labels[i]. */
    public static Condition labels(int... perParticle) {
        return new Condition(perParticle, null, 0, Double.NaN);
    }

    /** Every particle conditioned on the vector v. */
    public static Condition vector(float[] v) {
        return new Condition(null, v, v.length, Double.NaN);
    }

    /** Particle i conditioned on row i of the flat rows (width entries each). */
    public static Condition vectors(float[] rows, int width) {
        return new Condition(null, rows, width, Double.NaN);
    }

    /** The same condition with classifier-free guidance at scale w. */
    public Condition withCfg(double w) {
        return new Condition(labels, vectors, width, w);
    }

    public boolean none() {
        return labels == null && vectors == null;
    }

    public boolean guided() {
        return !Double.isNaN(cfg);
    }

    /** Rows of conditions given: 1 for a per-run condition. */
    public int rows() {
        return labels != null ? labels.length : vectors != null ? vectors.length / width : 0;
    }

    /**
     * Checks the condition against a model's classes and condition width and a run of n particles
     * (a per-particle condition needs exactly n rows; n = 0 where the run's particles are not known yet,
     * as when a process is bound, and only the labels and width are checked); one line naming condition
     * otherwise.
     */
    public void check(int classes, int conditionWidth, int n) {
        if (labels != null) {
            InvalidSettingException.require(classes > 0, "condition", "is a class label but the model takes no classes");
            for (int c : labels)
                InvalidSettingException.require(c < classes, "condition", "class " + c + " is not one of the model's classes 0.." + (classes - 1));
        }
        if (vectors != null)
            InvalidSettingException.require(conditionWidth == width, "condition", "has " + width + " entries but the model takes "
                    + (conditionWidth == 0 ? "no vector condition" : conditionWidth));
        int r = rows();
        InvalidSettingException.require(r <= 1 || n == 0 || r == n, "condition", "gives " + r + " per-particle rows for " + n + " particles");
    }

    /** Writes particle i's label (or 0 for a vector condition, -1 for none) into out[i], i < n. */
    public void fillLabels(int[] out, int n) {
        for (int i = 0; i < n; i++) out[i] = labels != null ? labels[labels.length == 1 ? 0 : i] : vectors != null ? 0 : -1;
    }

    /** Writes particle i's vector into row i of out, i < n (nothing for a label condition). */
    public void fillVectors(float[] out, int n) {
        if (vectors == null) return;
        for (int i = 0; i < n; i++) System.arraycopy(vectors, rows() == 1 ? 0 : i * width, out, i * width, width);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Condition c && Arrays.equals(labels, c.labels) && Arrays.equals(vectors, c.vectors) && width == c.width
                && Double.compare(cfg, c.cfg) == 0;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels) * 31 + Arrays.hashCode(vectors) + Double.hashCode(cfg);
    }
}
