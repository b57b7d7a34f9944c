package fksteer.plot;

import fksteer.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG figures: rows of scatter panels on [-3, 3]^2 and simple line charts, written atomically. */
public final class Plots {
    public static final double LO = -3, HI = 3;

    static {
        System.setProperty("java.awt.headless", "true");
        // encode in memory: ImageIO's default disk cache puts imageio*.tmp files in java.io.tmpdir, which a kill leaves behind
        ImageIO.setUseCache(false);
    }

    private Plots() {}

    /** Panels side by side in one row (wrapping after `perRow`), each size x size pixels. */
    public static void panels(Path out, String title, List<Panel> panels, int size, int perRow) throws IOException {
        write(out, render(title, panels, size, perRow));
    }

    /** The image {@link #panels} writes. */
    public static BufferedImage render(String title, List<Panel> panels, int size, int perRow) {
        int cols = Math.min(perRow, panels.size()), rows = (panels.size() + perRow - 1) / perRow;
        int head = title == null ? 0 : 30;
        BufferedImage img = new BufferedImage(cols * size, rows * size + head, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        if (title != null) {
            g.setColor(Color.BLACK);
            g.setFont(g.getFont().deriveFont(16f));
            g.drawString(title, 10, 21);
        }
        for (int i = 0; i < panels.size(); i++) {
            BufferedImage p = BitmapEncoder.getBufferedImage(chart(panels.get(i), size));
            g.drawImage(p, (i % perRow) * size, head + (i / perRow) * size, null);
        }
        g.dispose();
        return img;
    }

    static XYChart chart(Panel p, int size) {
        XYChart c = new XYChartBuilder().width(size).height(size).title(p.title()).build();
        Styler st = c.getStyler();
        st.setLegendVisible(false);
        st.setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesVisible(false);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(3);
        c.getStyler().setXAxisMin(LO).setXAxisMax(HI).setYAxisMin(LO).setYAxisMax(HI);
        c.getStyler().setAxisTickLabelsFont(c.getStyler().getAxisTickLabelsFont().deriveFont(9f));
        int n = Math.max(p.n(), 0);
        double[] xs = new double[Math.max(n, 1)], ys = new double[Math.max(n, 1)];
        int m = 0;
        for (int i = 0; i < n; i++) {
            double x = p.points()[i * p.dim()], y = p.points()[i * p.dim() + 1];
            if (Double.isFinite(x) && Double.isFinite(y)) {
                xs[m] = x;
                ys[m] = y;
                m++;
            }
        }
        if (m == 0) {
            xs = new double[] {Double.NaN};
            ys = new double[] {Double.NaN};
            m = 1;
        }
        XYSeries s = c.addSeries("samples", java.util.Arrays.copyOf(xs, m), java.util.Arrays.copyOf(ys, m));
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(new Color(31, 119, 180, 140));
        int k = 0;
        for (double y : p.hLines()) line(c, "h" + k++, new double[] {LO, HI}, new double[] {y, y});
        for (double x : p.vLines()) line(c, "v" + k++, new double[] {x, x}, new double[] {LO, HI});
        for (double[] t : p.targets()) {
            XYSeries ts = c.addSeries("t" + k++, new double[] {t[0]}, new double[] {t[1]});
            ts.setMarker(SeriesMarkers.DIAMOND);
            ts.setMarkerColor(Color.RED);
            ts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        if (p.pivot() != null) {
            XYSeries ps = c.addSeries("pivot", new double[] {p.pivot()[0]}, new double[] {p.pivot()[1]});
            ps.setMarker(SeriesMarkers.SQUARE);
            ps.setMarkerColor(Color.BLACK);
        }
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y) {
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Color.RED);
    }

    /** A line chart of named series over a shared or per-series x axis, with optional error bars. */
    public static void lines(Path out, String title, String xLabel, String yLabel, List<Series> series, boolean logX,
                             int width, int height) throws IOException {
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setXAxisLogarithmic(logX);
        for (Series s : series) {
            XYSeries xs = s.err == null ? c.addSeries(s.name, s.x, s.y) : c.addSeries(s.name, s.x, s.y, s.err);
            xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        write(out, BitmapEncoder.getBufferedImage(c));
    }

    /** One line series. err may be null. */
    public record Series(String name, double[] x, double[] y, double[] err) {}

    /** Images stacked vertically into one PNG. */
    public static void stack(Path out, List<BufferedImage> images) throws IOException {
        int w = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(1);
        int h = images.stream().mapToInt(BufferedImage::getHeight).sum();
        BufferedImage img = new BufferedImage(w, Math.max(h, 1), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int y = 0;
        for (BufferedImage b : images) {
            g.drawImage(b, 0, y, null);
            y += b.getHeight();
        }
        g.dispose();
        write(out, img);
    }

    public static void write(Path out, BufferedImage img) throws IOException {
        AtomicFiles.write(out, o -> {
            if (!ImageIO.write(img, "png", o)) throw new IOException("no PNG writer");
        });
    }
}
