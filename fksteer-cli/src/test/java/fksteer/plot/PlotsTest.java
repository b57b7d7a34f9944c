package fksteer.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** The scatter figures fit their axes to the data and the targets, count what they cut off, and draw weights and marks as they say. */
class PlotsTest {
    static final int SIZE = 240;

    static Plots.Rendered render(List<Panel> panels) {
        return Plots.render(null, List.of(new Plots.Row(null, panels)), SIZE, 12, null);
    }

    static float[] gaussian(int n, double mx, double my, double sd, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (mx + sd * rnd.nextGaussian());
            x[2 * i + 1] = (float) (my + sd * rnd.nextGaussian());
        }
        return x;
    }

    static long outside(Plots.Extent e, float[] x, int n) {
        long c = 0;
        for (int i = 0; i < n; i++) if (!e.contains(x[2 * i], x[2 * i + 1])) c++;
        return c;
    }

    @Test
    void axesFollowAMixtureFarFromTheOriginAndIncludeItsTarget() {
        int n = 2000;
        float[] x = gaussian(n, 10, -7, 0.5, 1);
        Panel p = Panel.of("far away", x, n, 2).withMarks(new Panel.Marks().point(13, -4));
        Plots.ScatterInfo info = render(List.of(p)).info();
        Plots.Extent e = info.extent();
        assertTrue(e.contains(13, -4), "the target is inside the axes: " + e);
        assertTrue(outside(e, x, n) <= 0.02 * n, "at most 2% of the points outside: " + outside(e, x, n));
        assertEquals(outside(e, x, n), info.outside(), "the caption counts exactly the points outside");
        assertFalse(new Plots.Extent(-3, 3, -3, 3).contains(10, -7), "the old fixed square would have been blank");
        assertEquals(e.xHi() - e.xLo(), e.yHi() - e.yLo(), 1e-9, "one scale on both axes");
    }

    @Test
    void farOutliersAreCountedNotFitted() {
        int n = 1000;
        float[] x = gaussian(n, 0, 0, 1, 2);
        for (int i = 0; i < 3; i++) {
            x[2 * i] = 100;
            x[2 * i + 1] = 100;
        }
        Plots.ScatterInfo info = render(List.of(Panel.of("outliers", x, n, 2))).info();
        assertTrue(info.extent().xHi() < 10, "three outliers do not stretch the axes: " + info.extent());
        assertEquals(outside(info.extent(), x, n), info.outside());
        assertTrue(info.outside() >= 3);
        assertTrue(info.caption().contains(info.outside() + " of " + n + " points lie outside the axes"), info.caption());
    }

    @Test
    void panelsOfAFigureShareAxesCoveringEveryPanel() {
        int n = 500;
        float[] a = gaussian(n, -5, 0, 0.3, 3), b = gaussian(n, 5, 2, 0.3, 4);
        Plots.ScatterInfo info = render(List.of(Panel.of("a", a, n, 2), Panel.of("b", b, n, 2))).info();
        assertTrue(outside(info.extent(), a, n) <= 0.02 * n && outside(info.extent(), b, n) <= 0.02 * n, info.extent().toString());
    }

    @Test
    void linesAndNonFinitePointsAreHandled() {
        float[] x = {0, 0, 1, 1, Float.NaN, 2, 0.5f, Float.POSITIVE_INFINITY};
        Panel p = Panel.of("lines", x, 4, 2).withMarks(new Panel.Marks().hLine(-8).vLine(6));
        Plots.ScatterInfo info = render(List.of(p)).info();
        assertTrue(info.extent().yLo() <= -8 && info.extent().xHi() >= 6, info.extent().toString());
        assertEquals(2, info.nonFinite());
        assertTrue(info.caption().contains("2 non-finite points are not drawn"), info.caption());
    }

    static Color at(BufferedImage img, double[] px) {
        return new Color(img.getRGB((int) Math.round(px[0]), (int) Math.round(px[1])));
    }

    @Test
    void targetsAreDrawnOnTopOfThePoints() {
        int n = 1600;
        float[] x = gaussian(n, 1, 1, 0.1, 5); // a dense cloud on the target, covering the star, and one beside it
        for (int i = 0; i < n; i += 2) x[2 * i] -= 2;
        Panel p = Panel.of("on target", x, n, 2).withMarks(new Panel.Marks().point(1, 1));
        Plots.Rendered r = render(List.of(p));
        double[] centre = Plots.pixel(r.info().extent(), SIZE, 0, Plots.NO_TITLE_HEAD, 1, 1);
        // the star's top tip, just inside its outline
        double[] tip = {centre[0], centre[1] - Plots.starRadius(SIZE - Plots.LEFT - Plots.RIGHT) + 1.5};
        assertEquals(Plots.TARGET, at(r.image(), tip), "the star's outline is drawn over the points");
        Color under = at(r.image(), centre);
        assertTrue(under.getBlue() > under.getRed() + 50, "the points on the target show through the outlined star: " + under);
        Color beside = at(r.image(), Plots.pixel(r.info().extent(), SIZE, 0, Plots.NO_TITLE_HEAD, -1, 1));
        assertTrue(beside.getBlue() > beside.getRed(), "the points beside it are drawn: " + beside);
    }

    @Test
    void weightedPointsAreDrawnWithWeightProportionalOpacity() {
        // three points: heavy, light and zero weight, far enough apart not to overlap (the zero-weight one in between, inside the axes)
        float[] x = {-2, 0, 0, 0, -1, 0};
        double[] lw = {Math.log(0.9), Math.log(0.1), Double.NEGATIVE_INFINITY};
        Panel p = Panel.of("weighted", x, 3, 2).withLogWeights(lw);
        assertTrue(p.weighted());
        Plots.Rendered r = render(List.of(p));
        Plots.Extent e = r.info().extent();
        Color heavy = at(r.image(), Plots.pixel(e, SIZE, 0, Plots.NO_TITLE_HEAD, -2, 0));
        Color light = at(r.image(), Plots.pixel(e, SIZE, 0, Plots.NO_TITLE_HEAD, 0, 0));
        Color zero = at(r.image(), Plots.pixel(e, SIZE, 0, Plots.NO_TITLE_HEAD, -1, 0));
        assertEquals(Color.WHITE, zero, "a zero-weight point is not drawn");
        assertTrue(heavy.getRed() < light.getRed() && light.getRed() < 255, "heavier is darker: " + heavy + " vs " + light);
        // opacity proportional to weight: 0.9 vs 0.1 of 3 points, capped at 1
        assertEquals(1.0, Plots.alpha(0.9, 3, true), 1e-12);
        assertEquals(0.8 * 3 * 0.1, Plots.alpha(0.1, 3, true), 1e-12);
        assertTrue(r.info().weighted());
        assertTrue(r.info().caption().contains("opacity is proportional to its weight"), r.info().caption());
        // equal weights are not "weighted"
        assertFalse(Panel.of("equal", x, 3, 2).withLogWeights(new double[] {-1, -1, -1}).weighted());
    }

    @Test
    void logAxesRefuseNonPositiveValues() {
        double[] x = {1, 10, 100};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plots.lineChart("t", "x", "y",
                List.of(new Plots.Series("flat", x, new double[] {0, 1, 2}, null)), true, true, 600, 400));
        assertTrue(e.getMessage().contains("log axis"), e.getMessage());
    }

    @Test
    void logAxisChartPlotsOnlyPositiveValuesWithinItsRange() {
        double[] x = {1, 10, 100};
        // standard errors larger than the means: the lower ends would be negative
        XYChart c = Plots.lineChart("a title that is rather long and would be clipped at the default title font size of the chart", "x",
                "y", List.of(new Plots.Series("a", x, new double[] {0.5, 5, 500}, new double[] {1, 1, 1000}),
                        new Plots.Series("b", x, new double[] {0.02, 0.03, 0.04}, new double[] {0.001, 0.001, 0.001})), true, true, 600, 400);
        double min = c.getStyler().getYAxisMin(), max = c.getStyler().getYAxisMax();
        assertTrue(min > 0 && min <= 0.019 && max >= 1500, min + " .. " + max);
        for (XYSeries s : c.getSeriesMap().values())
            for (double y : s.getYData()) assertTrue(y > 0 && y >= min && y <= max, s.getName() + " plots " + y);
        assertTrue(c.getStyler().getChartTitleFont().getSize() < 14, "the long title was shrunk to fit");
    }
}
