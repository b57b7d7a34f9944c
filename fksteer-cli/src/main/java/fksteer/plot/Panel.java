package fksteer.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * One scatter panel: points (n x 2, first two coordinates plotted) with optional marks: a target
 * point (red star), horizontal or vertical target lines (red), and a pivot (black dot).
 */
public record Panel(String title, float[] points, int n, int dim, List<double[]> targets, List<Double> hLines,
                    List<Double> vLines, double[] pivot) {

    public Panel {
        if (dim < 2) throw new IllegalArgumentException("plots need at least 2 dimensions, got " + dim);
        targets = List.copyOf(targets);
        hLines = List.copyOf(hLines);
        vLines = List.copyOf(vLines);
    }

    public static Panel of(String title, float[] points, int n, int dim) {
        return new Panel(title, points, n, dim, List.of(), List.of(), List.of(), null);
    }

    public Panel withMarks(Marks m) {
        return new Panel(title, points, n, dim, m.targets, m.hLines, m.vLines, pivot);
    }

    public Panel withPivot(double[] p) {
        return new Panel(title, points, n, dim, targets, hLines, vLines, p);
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
