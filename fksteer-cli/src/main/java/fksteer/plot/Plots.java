package fksteer.plot;

import fksteer.io.AtomicFiles;
import fksteer.reward.Reward;
import fksteer.steer.SteerResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG figures, written atomically: grids of scatter panels (axes fitted to the data and the targets,
 * shared by every panel of a figure; weighted points drawn with weight-proportional opacity; target marks
 * on top; a caption saying what was drawn and what fell outside the axes) and line charts (XChart).
 */
public final class Plots {
    /**
     * The axes cover, for every panel, the central 1 - 2 QUANTILE of its points' (weighted) mass in each
     * coordinate, plus every target mark; points beyond are counted and reported in the caption.
     */
    public static final double QUANTILE = 0.005;
    /** Opacity of a point of average weight (and of every point of an unweighted panel). */
    static final double BASE_ALPHA = 0.55;
    static final Color POINT = new Color(31, 119, 180), TARGET = new Color(214, 39, 40);
    static final int LEFT = 40, RIGHT = 10, TOP = 22, BOTTOM = 32;
    /** Height above the first row of a figure without a title. */
    static final int NO_TITLE_HEAD = 4;

    static {
        System.setProperty("java.awt.headless", "true");
        // encode in memory: ImageIO's default disk cache puts imageio*.tmp files in java.io.tmpdir, which a kill leaves behind
        ImageIO.setUseCache(false);
    }

    private Plots() {}

    /** The axis ranges of a scatter figure. */
    public record Extent(double xLo, double xHi, double yLo, double yHi) {
        public boolean contains(double x, double y) {
            return x >= xLo && x <= xHi && y >= yLo && y <= yHi;
        }

        public List<Double> toList() {
            return List.of(xLo, xHi, yLo, yHi);
        }
    }

    /**
     * What a scatter figure drew: its axes, how many finite points it was given, how many of those lie
     * outside the axes (in points drawn: weighted points too light to see are not counted), how many
     * points were not finite, and whether any panel was weighted.
     */
    public record ScatterInfo(Extent extent, int panels, long points, long outside, long nonFinite, boolean weighted,
                              List<double[]> targets, List<Double> hLines, List<Double> vLines, String caption) {
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("extent", extent.toList());
            m.put("panels", panels);
            m.put("points", points);
            m.put("pointsOutsideAxes", outside);
            m.put("nonFinitePoints", nonFinite);
            m.put("weighted", weighted);
            m.put("targets", targets);
            m.put("horizontalLines", hLines);
            m.put("verticalLines", vLines);
            m.put("caption", caption);
            return m;
        }
    }

    /** One labelled row of panels (label may be null). */
    public record Row(String label, List<Panel> panels) {
        public Row {
            panels = List.copyOf(panels);
        }
    }

    /** Panels in one unlabelled row (wrapping after `perRow`), each `size` pixels wide, with a caption. */
    public static ScatterInfo panels(Path out, String title, List<Panel> panels, int size, int perRow) throws IOException {
        return grid(out, title, List.of(new Row(null, panels)), size, perRow, null);
    }

    /** Labelled rows of panels sharing one pair of axes, each row wrapping after `perRow` panels, with a caption ending in `note`. */
    public static ScatterInfo grid(Path out, String title, List<Row> rows, int size, int perRow, String note) throws IOException {
        Rendered r = render(title, rows, size, perRow, note);
        write(out, r.image());
        return r.info();
    }

    /** The panels of a steering run's --plot: each snapshot, then the output with its weights when it is not the last snapshot. */
    public static List<Panel> runPanels(SteerResult res, Reward r) {
        Panel.Marks marks = Panel.Marks.of(r);
        List<Panel> panels = new ArrayList<>();
        for (SteerResult.Snapshot s : res.snapshots()) {
            Panel p = Panel.of(s.title(), s.points(), s.n(), res.d()).withMarks(marks);
            panels.add(s.pivot() == null ? p : p.withPivot(s.pivot()));
        }
        Panel output = Panel.of("output", res.samples(), res.n(), res.d()).withLogWeights(res.logWeights()).withMarks(marks);
        SteerResult.Snapshot last = res.snapshots().isEmpty() ? null : res.snapshots().get(res.snapshots().size() - 1);
        boolean sameAsLast = last != null && last.n() == res.n() && Arrays.equals(last.points(), res.samples()) && !output.weighted();
        if (output.weighted()) output = output.withTitle(String.format(Locale.ROOT, "output, ESS %.0f of %d", res.ess(), res.n()));
        if (!sameAsLast) panels.add(output);
        return panels;
    }

    record Rendered(BufferedImage image, ScatterInfo info) {}

    static Rendered render(String title, List<Row> rows, int size, int perRow, String note) {
        if (size < 120) throw new IllegalArgumentException("panels need at least 120 pixels, got " + size);
        if (perRow < 1) throw new IllegalArgumentException("perRow must be >= 1, got " + perRow);
        List<Panel> all = new ArrayList<>();
        List<String> where = new ArrayList<>();
        for (Row r : rows)
            for (Panel pn : r.panels()) {
                all.add(pn);
                where.add(rows.size() == 1 ? pn.title() : "row " + (rows.indexOf(r) + 1) + ", " + pn.title());
            }
        if (all.isEmpty()) throw new IllegalArgumentException("a figure needs at least one panel");
        Extent ext = fit(all);
        int side = size - LEFT - RIGHT, panelH = TOP + side + BOTTOM;
        int cols = rows.stream().mapToInt(r -> Math.min(perRow, r.panels().size())).max().orElse(1);
        int width = cols * size;

        // count what each panel draws, to write the caption before laying out the image
        long points = 0, outside = 0, nonFinite = 0;
        List<String> clipped = new ArrayList<>();
        long[] outsideOf = new long[all.size()];
        boolean anyWeighted = false, anyPivot = false, anyTarget = false, anyLine = false;
        int dim = 2;
        for (int p = 0; p < all.size(); p++) {
            Panel pn = all.get(p);
            dim = Math.max(dim, pn.dim());
            double[] w = pn.normalizedWeights();
            boolean weighted = pn.weighted();
            anyWeighted |= weighted;
            anyPivot |= pn.pivot() != null;
            anyTarget |= !pn.targets().isEmpty();
            anyLine |= !pn.hLines().isEmpty() || !pn.vLines().isEmpty();
            int m = finiteCount(pn);
            for (int i = 0; i < pn.n(); i++) {
                if (!pn.finite(i)) {
                    nonFinite++;
                    continue;
                }
                points++;
                if (alpha(w[i], m, weighted) >= 1 / 255.0 && !ext.contains(pn.x(i), pn.y(i))) outsideOf[p]++;
            }
            outside += outsideOf[p];
            if (outsideOf[p] > 0) clipped.add(String.format(Locale.ROOT, "%s: %d", where.get(p), outsideOf[p]));
        }
        List<double[]> targets = new ArrayList<>();
        for (Panel pn : all)
            for (double[] t : pn.targets())
                if (targets.stream().noneMatch(u -> Arrays.equals(u, t))) targets.add(t.clone());
        String caption = caption(ext, all.size(), dim, anyTarget, anyLine, anyPivot, anyWeighted, points, outside, nonFinite, clipped, note);

        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        Font titleFont = new Font(Font.SANS_SERIF, Font.PLAIN, 16), rowFont = new Font(Font.SANS_SERIF, Font.BOLD, 14),
                capFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        List<String> titleLines = title == null ? List.of() : wrap(title, pg.getFontMetrics(titleFont), width - 20);
        List<String> capLines = wrap(caption, pg.getFontMetrics(capFont), width - 20);
        pg.dispose();
        int head = titleLines.isEmpty() ? NO_TITLE_HEAD : 10 + 20 * titleLines.size();
        int height = head;
        for (Row r : rows) height += (r.label() == null ? 0 : 22) + panelH * ((r.panels().size() + perRow - 1) / perRow);
        height += 8 + 16 * capLines.size() + 6;

        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(titleFont);
        for (int i = 0; i < titleLines.size(); i++) g.drawString(titleLines.get(i), 10, 22 + 20 * i);
        int y = head, p = 0;
        for (Row r : rows) {
            if (r.label() != null) {
                g.setColor(Color.BLACK);
                g.setFont(rowFont);
                g.drawString(r.label(), 10, y + 16);
                y += 22;
            }
            for (int i = 0; i < r.panels().size(); i++, p++) {
                if (i > 0 && i % perRow == 0) y += panelH;
                drawPanel(g, r.panels().get(i), ext, (i % perRow) * size, y, side, outsideOf[p], dim);
            }
            y += panelH;
        }
        g.setColor(new Color(60, 60, 60));
        g.setFont(capFont);
        for (int i = 0; i < capLines.size(); i++) g.drawString(capLines.get(i), 10, y + 20 + 16 * i);
        g.dispose();
        List<Double> hl = all.stream().flatMap(q -> q.hLines().stream()).distinct().toList();
        List<Double> vl = all.stream().flatMap(q -> q.vLines().stream()).distinct().toList();
        return new Rendered(img, new ScatterInfo(ext, all.size(), points, outside, nonFinite, anyWeighted, targets, hl, vl, caption));
    }

    static String caption(Extent e, int panels, int dim, boolean target, boolean line, boolean pivot, boolean weighted, long points, long outside,
                          long nonFinite, List<String> clipped, String note) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Axes%s: %s in [%s, %s], %s in [%s, %s], fitted to the central %s%% of each panel's points "
                        + "and to every target.", panels > 1 ? " (shared by all panels)" : "", dim > 2 ? "x1" : "x", num(e.xLo()), num(e.xHi()),
                dim > 2 ? "x2" : "y", num(e.yLo()), num(e.yHi()), num(100 * (1 - 2 * QUANTILE))));
        if (dim > 2) b.append(" The first two of ").append(dim).append(" coordinates are shown.");
        List<String> marks = new ArrayList<>();
        if (target) marks.add("red star (outline, drawn over the points): target point");
        if (line) marks.add("red line: target line");
        if (pivot) marks.add("black square: pivot");
        if (!marks.isEmpty()) b.append(' ').append(capitalize(String.join("; ", marks))).append('.');
        b.append(weighted ? " Weighted panels: each point's opacity is proportional to its weight (a point of average weight is drawn "
                + "as in an unweighted panel; heavier points saturate, near-zero weights vanish)." : " Every point has equal weight.");
        if (outside > 0) {
            b.append(String.format(Locale.ROOT, " %d of %d points lie outside the axes (", outside, points));
            b.append(String.join(", ", clipped.size() > 4 ? clipped.subList(0, 4) : clipped));
            b.append(clipped.size() > 4 ? ", ...)." : ").");
        } else {
            b.append(" No point lies outside the axes.");
        }
        if (nonFinite > 0) b.append(' ').append(nonFinite).append(" non-finite points are not drawn.");
        if (note != null && !note.isBlank()) b.append(' ').append(note.strip());
        return b.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static int finiteCount(Panel p) {
        int m = 0;
        for (int i = 0; i < p.n(); i++) if (p.finite(i)) m++;
        return m;
    }

    /** Opacity of a point of normalised weight w among m finite points. */
    static double alpha(double w, int m, boolean weighted) {
        double base = m > 300 ? BASE_ALPHA : 0.8;
        return weighted ? Math.min(1, base * m * w) : base;
    }

    /**
     * Axes for panels drawn together: the union over panels of the weighted [QUANTILE, 1 - QUANTILE]
     * range of each coordinate, every target point, pivot and line; made square about its centre (so both
     * axes have one scale) and widened by 6% on each side. [-3, 3]^2 when there is nothing to fit.
     */
    public static Extent fit(List<Panel> panels) {
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, ylo = xlo, yhi = xhi;
        for (Panel p : panels) {
            double[] w = p.normalizedWeights();
            double[] qx = quantiles(p, w, 0), qy = quantiles(p, w, 1);
            if (qx != null) {
                xlo = Math.min(xlo, qx[0]);
                xhi = Math.max(xhi, qx[1]);
                ylo = Math.min(ylo, qy[0]);
                yhi = Math.max(yhi, qy[1]);
            }
            List<double[]> marks = new ArrayList<>(p.targets());
            if (p.pivot() != null) marks.add(p.pivot());
            for (double[] t : marks) {
                if (!Double.isFinite(t[0]) || !Double.isFinite(t[1])) continue;
                xlo = Math.min(xlo, t[0]);
                xhi = Math.max(xhi, t[0]);
                ylo = Math.min(ylo, t[1]);
                yhi = Math.max(yhi, t[1]);
            }
            for (double h : p.hLines()) if (Double.isFinite(h)) {
                ylo = Math.min(ylo, h);
                yhi = Math.max(yhi, h);
            }
            for (double v : p.vLines()) if (Double.isFinite(v)) {
                xlo = Math.min(xlo, v);
                xhi = Math.max(xhi, v);
            }
        }
        // a line alone fixes one coordinate: the other comes from the points, or a default half-width
        if (!(xhi >= xlo) && !(yhi >= ylo)) return new Extent(-3, 3, -3, 3);
        if (!(xhi >= xlo)) {
            xlo = 0;
            xhi = 0;
        }
        if (!(yhi >= ylo)) {
            ylo = 0;
            yhi = 0;
        }
        double cx = (xlo + xhi) / 2, cy = (ylo + yhi) / 2;
        double half = Math.max(xhi - xlo, yhi - ylo) / 2;
        half = Math.max(half * 1.06 + 0.02 * Math.max(half, Math.max(Math.abs(cx), Math.abs(cy))), 0.25);
        return new Extent(cx - half, cx + half, cy - half, cy + half);
    }

    /** The weighted QUANTILE and 1 - QUANTILE of coordinate k over a panel's finite points of positive weight, or null. */
    static double[] quantiles(Panel p, double[] w, int k) {
        int m = 0;
        Integer[] idx = new Integer[p.n()];
        for (int i = 0; i < p.n(); i++) if (p.finite(i) && w[i] > 0) idx[m++] = i;
        if (m == 0) return null;
        Integer[] ids = Arrays.copyOf(idx, m);
        Arrays.sort(ids, (a, b) -> Float.compare(p.points()[a * p.dim() + k], p.points()[b * p.dim() + k]));
        double total = 0;
        for (int i : ids) total += w[i];
        double lo = Double.NaN, hi = Double.NaN, acc = 0;
        for (int i : ids) {
            acc += w[i];
            double v = p.points()[i * p.dim() + k];
            if (Double.isNaN(lo) && acc >= QUANTILE * total) lo = v;
            if (acc >= (1 - QUANTILE) * total) {
                hi = v;
                break;
            }
        }
        if (Double.isNaN(hi)) hi = p.points()[ids[m - 1] * p.dim() + k];
        return new double[] {lo, hi};
    }

    private static void drawPanel(Graphics2D g0, Panel p, Extent e, int x0, int y0, int side, long outside, int dim) {
        Graphics2D g = (Graphics2D) g0.create();
        g.translate(x0, y0);
        int px = LEFT, py = TOP;
        double sx = side / (e.xHi() - e.xLo()), sy = side / (e.yHi() - e.yLo());
        // title
        g.setColor(Color.BLACK);
        Font tf = new Font(Font.SANS_SERIF, Font.BOLD, 13);
        FontMetrics tm = g.getFontMetrics(tf);
        String title = p.title() == null ? "" : p.title();
        while (tf.getSize() > 9 && tm.stringWidth(title) > side + LEFT - 4) {
            tf = tf.deriveFont((float) tf.getSize() - 1);
            tm = g.getFontMetrics(tf);
        }
        g.setFont(tf);
        g.drawString(title, px + (side - tm.stringWidth(title)) / 2f, TOP - 6);
        // ticks and axis labels
        Font tick = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
        g.setFont(tick);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(new Color(90, 90, 90));
        for (double v : ticks(e.xLo(), e.xHi())) {
            float X = (float) (px + (v - e.xLo()) * sx);
            g.draw(new Line2D.Float(X, py + side, X, py + side + 4));
            String s = tickLabel(v, e.xHi() - e.xLo());
            g.drawString(s, X - fm.stringWidth(s) / 2f, py + side + 15);
        }
        for (double v : ticks(e.yLo(), e.yHi())) {
            float Y = (float) (py + side - (v - e.yLo()) * sy);
            g.draw(new Line2D.Float(px - 4, Y, px, Y));
            String s = tickLabel(v, e.yHi() - e.yLo());
            g.drawString(s, px - 6 - fm.stringWidth(s), Y + 4);
        }
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 11));
        String xl = dim > 2 ? "x1" : "x", yl = dim > 2 ? "x2" : "y";
        g.drawString(xl, px + side / 2f - 3, py + side + 28);
        g.drawString(yl, 2, py + side / 2f + 4);
        // points, clipped to the plot area; lighter points first so heavy ones end on top
        Graphics2D c = (Graphics2D) g.create();
        c.clip(new Rectangle2D.Float(px, py, side, side));
        double[] w = p.normalizedWeights();
        boolean weighted = p.weighted();
        int m = finiteCount(p);
        Integer[] order = new Integer[p.n()];
        for (int i = 0; i < p.n(); i++) order[i] = i;
        if (weighted) Arrays.sort(order, (a, b) -> Double.compare(w[a], w[b]));
        double d = (m > 4000 ? 2.6 : m > 1000 ? 3.2 : m > 200 ? 3.8 : m > 20 ? 5 : 7) * Math.max(1, side / 170.0);
        for (int i : order) {
            if (!p.finite(i)) continue;
            double a = alpha(w[i], m, weighted);
            if (a < 1 / 255.0) continue;
            c.setColor(new Color(POINT.getRed(), POINT.getGreen(), POINT.getBlue(), (int) Math.round(255 * a)));
            double X = px + (p.x(i) - e.xLo()) * sx, Y = py + side - (p.y(i) - e.yLo()) * sy;
            c.fill(new Ellipse2D.Double(X - d / 2, Y - d / 2, d, d));
        }
        // marks on top: lines, pivot, targets
        c.setStroke(new BasicStroke(2f));
        c.setColor(TARGET);
        for (double h : p.hLines()) {
            double Y = py + side - (h - e.yLo()) * sy;
            c.draw(new Line2D.Double(px, Y, px + side, Y));
        }
        for (double v : p.vLines()) {
            double X = px + (v - e.xLo()) * sx;
            c.draw(new Line2D.Double(X, py, X, py + side));
        }
        if (p.pivot() != null) {
            double X = px + (p.pivot()[0] - e.xLo()) * sx, Y = py + side - (p.pivot()[1] - e.yLo()) * sy;
            Shape sq = new Rectangle2D.Double(X - 4.5, Y - 4.5, 9, 9);
            c.setColor(Color.BLACK);
            c.fill(sq);
            c.setColor(Color.WHITE);
            c.setStroke(new BasicStroke(1.2f));
            c.draw(sq);
        }
        // the star is an outline (red on a white halo) so that points sitting on the target stay visible through it
        double r = starRadius(side);
        for (double[] t : p.targets()) {
            Shape star = star(px + (t[0] - e.xLo()) * sx, py + side - (t[1] - e.yLo()) * sy, r);
            c.setColor(Color.WHITE);
            c.setStroke(new BasicStroke(4.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            c.draw(star);
            c.setColor(TARGET);
            c.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            c.draw(star);
        }
        if (outside > 0) {
            c.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            String s = outside + " outside";
            FontMetrics om = c.getFontMetrics();
            c.setColor(new Color(255, 255, 255, 200));
            c.fillRect(px + side - om.stringWidth(s) - 6, py + side - 15, om.stringWidth(s) + 4, 13);
            c.setColor(new Color(120, 0, 0));
            c.drawString(s, px + side - om.stringWidth(s) - 4, py + side - 5);
        }
        c.dispose();
        g.setColor(new Color(120, 120, 120));
        g.setStroke(new BasicStroke(1f));
        g.draw(new Rectangle2D.Float(px, py, side, side));
        g.dispose();
    }

    /** Where data point (x, y) lands in a panel whose top-left corner is at (x0, y0), for panels `size` pixels wide. */
    static double[] pixel(Extent e, int size, int x0, int y0, double x, double y) {
        int side = size - LEFT - RIGHT;
        return new double[] {x0 + LEFT + (x - e.xLo()) * side / (e.xHi() - e.xLo()), y0 + TOP + side - (y - e.yLo()) * side / (e.yHi() - e.yLo())};
    }

    static double starRadius(int side) {
        return Math.max(9, side / 18.0);
    }

    static Shape star(double cx, double cy, double r) {
        Path2D.Double s = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double rad = i % 2 == 0 ? r : r * 0.45, a = -Math.PI / 2 + i * Math.PI / 5;
            double x = cx + rad * Math.cos(a), y = cy + rad * Math.sin(a);
            if (i == 0) s.moveTo(x, y);
            else s.lineTo(x, y);
        }
        s.closePath();
        return s;
    }

    /** About five round tick values inside [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double step = niceStep((hi - lo) / 5);
        List<Double> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / mag;
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    }

    static String tickLabel(double v, double span) {
        double step = niceStep(span / 5);
        int dec = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + dec + "f", v);
    }

    /** v with two decimals (none from 100 on), trailing zeros dropped. */
    static String num(double v) {
        String s = String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : "%.2f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    /** Words of s in lines no wider than `width` pixels. */
    static List<String> wrap(String s, FontMetrics fm, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : s.split(" ")) {
            String next = cur.isEmpty() ? word : cur + " " + word;
            if (fm.stringWidth(next) > width && !cur.isEmpty()) {
                lines.add(cur.toString());
                cur = new StringBuilder(word);
            } else {
                cur = new StringBuilder(next);
            }
        }
        if (!cur.isEmpty()) lines.add(cur.toString());
        return lines;
    }

    // ---------------------------------------------------------------- line charts

    /** One line series with optional symmetric error bars (err may be null). */
    public record Series(String name, double[] x, double[] y, double[] err) {}

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44), new Color(148, 103, 189)};

    /**
     * A line chart of named series with optional error bars; the legend sits below the plot. With logY
     * every plotted value must be positive (otherwise IllegalArgumentException), and an error bar whose
     * lower end is not positive is drawn down to the bottom of the axis.
     */
    public static void lines(Path out, String title, String xLabel, String yLabel, List<Series> series, boolean logX, boolean logY,
                             int width, int height) throws IOException {
        write(out, BitmapEncoder.getBufferedImage(lineChart(title, xLabel, yLabel, series, logX, logY, width, height)));
    }

    static XYChart lineChart(String title, String xLabel, String yLabel, List<Series> series, boolean logX, boolean logY, int width,
                             int height) {
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY, xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            if (s.x().length != s.y().length || (s.err() != null && s.err().length != s.y().length))
                throw new IllegalArgumentException("series '" + s.name() + "': x, y and err differ in length");
            for (int i = 0; i < s.y().length; i++) {
                double x = s.x()[i], y = s.y()[i], e = s.err() == null ? 0 : s.err()[i];
                if (!Double.isFinite(x) || !Double.isFinite(y) || !(e >= 0) || !Double.isFinite(e))
                    throw new IllegalArgumentException("series '" + s.name() + "' has a non-finite value at " + i);
                if (logY && !(y > 0)) throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "series '%s' has y = %s at x = %s: a log axis needs positive values", s.name(), y, x));
                if (logX && !(x > 0)) throw new IllegalArgumentException("series '" + s.name() + "' has x <= 0 on a log axis");
                ymin = Math.min(ymin, logY && y - e <= 0 ? y : y - e);
                ymax = Math.max(ymax, y + e);
                xmin = Math.min(xmin, x);
                xmax = Math.max(xmax, x);
            }
        }
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        Styler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendBorderColor(Color.WHITE);
        c.getStyler().setXAxisLogarithmic(logX);
        c.getStyler().setYAxisLogarithmic(logY);
        // the title is shrunk until it fits the chart's width
        Font tf = st.getChartTitleFont();
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D pg = probe.createGraphics();
        while (tf.getSize() > 9 && pg.getFontMetrics(tf).stringWidth(title) > width - 24) tf = tf.deriveFont((float) tf.getSize() - 1);
        pg.dispose();
        st.setChartTitleFont(tf);
        double bottom = Double.NaN;
        if (logY && ymin < Double.POSITIVE_INFINITY) {
            bottom = Math.pow(10, Math.floor(Math.log10(ymin)));
            c.getStyler().setYAxisMin(bottom);
            c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(ymax))));
        }
        int k = 0;
        for (Series s : series) {
            Color col = PALETTE[k++ % PALETTE.length];
            XYSeries xs = c.addSeries(s.name(), s.x(), s.y());
            xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            xs.setMarker(SeriesMarkers.CIRCLE);
            xs.setLineColor(col);
            xs.setMarkerColor(col);
            xs.setLineStyle(k == 1 ? SeriesLines.SOLID : SeriesLines.DASH_DASH);
            if (s.err() == null) continue;
            for (int i = 0; i < s.y().length; i++) {
                double e = s.err()[i];
                if (!(e > 0)) continue;
                double lo = s.y()[i] - e, hi = s.y()[i] + e, x = s.x()[i];
                if (logY && lo < bottom) lo = bottom;
                double cap = logX ? 0.04 : 0.008 * (xmax - xmin);
                double xl = logX ? x / (1 + cap) : x - cap, xr = logX ? x * (1 + cap) : x + cap;
                errorSegment(c, s.name() + " err" + i, new double[] {x, x}, new double[] {lo, hi}, col);
                errorSegment(c, s.name() + " capHi" + i, new double[] {xl, xr}, new double[] {hi, hi}, col);
                if (!(logY && lo <= bottom)) errorSegment(c, s.name() + " capLo" + i, new double[] {xl, xr}, new double[] {lo, lo}, col);
            }
        }
        return c;
    }

    private static void errorSegment(XYChart c, String name, double[] x, double[] y, Color col) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(col);
        s.setLineWidth(1.2f);
        s.setLineStyle(SeriesLines.SOLID);
        s.setShowInLegend(false);
    }

    public static void write(Path out, BufferedImage img) throws IOException {
        AtomicFiles.write(out, o -> {
            if (!ImageIO.write(img, "png", o)) throw new IOException("no PNG writer");
        });
    }
}
