package fksteer.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * One scatter panel: points (n x dim, the first two coordinates plotted), optionally with log-weights
 * (drawn with weight-proportional opacity), and marks: target points (red stars), horizontal or
 * vertical target lines (red) and a pivot (black square). Marks are drawn on top of the points.
 *
 * @param logWeights one log-weight per point (any normalisation), or null for equal weights
 */
public record Panel(String title, float[] points, int n, int dim, double[] logWeights, List<double[]> targets, List<Double> hLines,
                    List<Double> vLines, double[] pivot) {

    public Panel {
        if (dim < 2) throw new IllegalArgumentException("plots need at least 2 dimensions, got " + dim);
        if (n < 0 || points.length < (long) n * dim)
            throw new IllegalArgumentException("panel '" + title + "': " + n + " points of dimension " + dim + " need " + (long) n * dim
                    + " values, got " + points.length);
        if (logWeights != null && logWeights.length < n)
            throw new IllegalArgumentException("panel '" + title + "': " + n + " points but " + logWeights.length + " weights");
        targets = List.copyOf(targets);
        hLines = List.copyOf(hLines);
        vLines = List.copyOf(vLines);
    }

    public static Panel of(String title, float[] points, int n, int dim) {
        return new Panel(title, points, n, dim, null, List.of(), List.of(), List.of(), null);
    }

    public Panel withMarks(Marks m) {
        return new Panel(title, points, n, dim, logWeights, m.targets, m.hLines, m.vLines, pivot);
    }

    public Panel withPivot(double[] p) {
        return new Panel(title, points, n, dim, logWeights, targets, hLines, vLines, p);
    }

    /** The same points drawn with opacity proportional to exp(logWeights[i]); null for equal weights. */
    public Panel withLogWeights(double[] lw) {
        return new Panel(title, points, n, dim, lw, targets, hLines, vLines, pivot);
    }

    public Panel withTitle(String t) {
        return new Panel(t, points, n, dim, logWeights, targets, hLines, vLines, pivot);
    }

    /** Whether the weights differ between points (null weights, or all equal, are unweighted). */
    public boolean weighted() {
        if (logWeights == null) return false;
        double first = Double.NaN;
        for (int i = 0; i < n; i++) {
            if (!finite(i)) continue;
            if (Double.isNaN(first)) first = logWeights[i];
            else if (logWeights[i] != first) return true;
        }
        return false;
    }

    double x(int i) {
        return points[i * dim];
    }

    double y(int i) {
        return points[i * dim + 1];
    }

    boolean finite(int i) {
        return Float.isFinite(points[i * dim]) && Float.isFinite(points[i * dim + 1]);
    }

    /**
     * Each point's weight normalised to sum 1 over the finite points (0 for non-finite points and for
     * NaN or -inf log-weights); equal weights when the panel has none.
     */
    double[] normalizedWeights() {
        double[] w = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++)
            if (finite(i) && logWeights != null && !Double.isNaN(logWeights[i])) max = Math.max(max, logWeights[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!finite(i)) continue;
            if (logWeights == null) w[i] = 1;
            else if (max == Double.NEGATIVE_INFINITY || Double.isNaN(logWeights[i])) w[i] = 0;
            else if (max == Double.POSITIVE_INFINITY) w[i] = logWeights[i] == max ? 1 : 0;
            else w[i] = Math.exp(logWeights[i] - max);
            sum += w[i];
        }
        if (sum > 0) for (int i = 0; i < n; i++) w[i] /= sum;
        return w;
    }

    /** Target marks drawn on every panel of a figure. */
    public static final class Marks {
        final List<double[]> targets = new ArrayList<>();
        final List<Double> hLines = new ArrayList<>(), vLines = new ArrayList<>();

        /** The target a reward marks: its point, or its horizontal or vertical line. */
        public static Marks of(fksteer.reward.Reward r) {
            Marks m = new Marks();
            if (r.targetPoint() != null) m.point(r.targetPoint()[0], r.targetPoint()[1]);
            if (!Double.isNaN(r.horizontalLine())) m.hLine(r.horizontalLine());
            if (!Double.isNaN(r.verticalLine())) m.vLine(r.verticalLine());
            return m;
        }

        public Marks point(double x, double y) {
            targets.add(new double[] {x, y});
            return this;
        }

        public Marks hLine(double y) {
            hLines.add(y);
            return this;
        }

        public Marks vLine(double x) {
            vLines.add(x);
            return this;
        }
    }
}
