package fksteer.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image grids, read back from the PNG: values map to levels round(255 (v - lo) / (hi - lo)) with halves
 * rounded up (so the midpoint of [lo, hi] is 128), clamped at the ends; RGB planes are channel-major;
 * NaN is magenta; each image pixel is a scale x scale block at the position the layout documents; and
 * every bad input is one line saying what is wrong.
 */
class ImageGridTest {
    static final int WHITE = 0xFFFFFF, MAGENTA = 0xFF00FF;

    @TempDir
    Path dir;

    BufferedImage write(String title, int[] shape, double lo, double hi, List<ImageGrid.Row> rows, int scale) throws IOException {
        Path out = dir.resolve("g.png");
        ImageGrid.write(out, title, shape, lo, hi, rows, scale);
        BufferedImage img = ImageIO.read(out.toFile());
        assertTrue(img != null, "a PNG was written");
        return img;
    }

    static int rgb(BufferedImage img, int x, int y) {
        return img.getRGB(x, y) & 0xFFFFFF;
    }

    static int grey(int level) {
        return level << 16 | level << 8 | level;
    }

    static ImageGrid.Row row(float[]... images) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (float[] im : images) tiles.add(new ImageGrid.Tile(im, 0, null));
        return new ImageGrid.Row(null, tiles);
    }

    /** The top-left corner of tile (r, c) of a figure without title, labels or captions: MARGIN, then cells of W·scale and GAP. */
    static int[] corner(int r, int c, int h, int w, int scale) {
        return new int[] {ImageGrid.MARGIN + c * (w * scale + ImageGrid.GAP), ImageGrid.MARGIN + r * (h * scale + ImageGrid.GAP)};
    }

    @Test
    void greyLevelsMapLoToBlackHiToWhiteTheMidpointTo128AndClampTheRest() throws IOException {
        // one 2 x 4 image over [-1, 1]: lo, hi, mid, 0.5, below lo, above hi, -inf, +inf
        float[] im = {-1, 1, 0, 0.5f, -2, 7, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        BufferedImage img = write(null, new int[] {1, 2, 4}, -1, 1, List.of(row(im)), 1);
        int[] c = corner(0, 0, 2, 4, 1);
        int[] want = {0, 255, 128, 191, 0, 255, 0, 255}; // 255 * 0.75 = 191.25 -> 191; 127.5 -> 128 (halves up)
        for (int i = 0; i < 8; i++)
            assertEquals(grey(want[i]), rgb(img, c[0] + i % 4, c[1] + i / 4), "value " + im[i] + " at pixel " + i);
        assertEquals(WHITE, rgb(img, c[0] - 1, c[1]), "background left of the tile");
        assertEquals(WHITE, rgb(img, c[0] + 4, c[1]), "background right of the tile");
        assertEquals(WHITE, rgb(img, c[0], c[1] - 1), "background above the tile");
    }

    @Test
    void levelsRoundHalvesUpOverAnyRange() {
        assertEquals(128, ImageGrid.level(0.5, 0, 1));
        assertEquals(128, ImageGrid.level(127.5, 0, 255));
        assertEquals(127, ImageGrid.level(127.49, 0, 255));
        assertEquals(0, ImageGrid.level(-1e300, 0, 1));
        assertEquals(255, ImageGrid.level(1.0000001, 0, 1));
        assertEquals(3, ImageGrid.level(3, 0, 255));
    }

    @Test
    void rgbPlanesAreChannelMajor() throws IOException {
        // a 1 x 2 RGB image: planes R = [1, -1], G = [-1, 1], B = [-1, 0]
        float[] im = {1, -1, -1, 1, -1, 0};
        BufferedImage img = write(null, new int[] {3, 1, 2}, -1, 1, List.of(row(im)), 1);
        int[] c = corner(0, 0, 1, 2, 1);
        assertEquals(0xFF0000, rgb(img, c[0], c[1]), "pixel 0 is pure red");
        assertEquals(0x00FF80, rgb(img, c[0] + 1, c[1]), "pixel 1 is green 255, blue 128");
    }

    @Test
    void nanIsMagentaNotBlack() throws IOException {
        float[] grey = {Float.NaN, -1};
        float[] rgb = {0, 1, Float.NaN, 1, -1, 1}; // pixel 0 has a NaN in its green channel; pixel 1 is (255, 255, 255)
        BufferedImage g = write(null, new int[] {1, 1, 2}, -1, 1, List.of(row(grey)), 1);
        int[] c = corner(0, 0, 1, 2, 1);
        assertEquals(MAGENTA, rgb(g, c[0], c[1]), "NaN");
        assertEquals(0, rgb(g, c[0] + 1, c[1]), "lo is black");
        BufferedImage col = write(null, new int[] {3, 1, 2}, -1, 1, List.of(row(rgb)), 1);
        assertEquals(MAGENTA, rgb(col, c[0], c[1]), "a NaN in any channel");
        assertEquals(WHITE, rgb(col, c[0] + 1, c[1]));
        assertEquals(ImageGrid.NAN.getRGB() & 0xFFFFFF, MAGENTA);
    }

    @Test
    void scaleMagnifiesEachPixelIntoABlock() throws IOException {
        // a 2 x 2 image at scale 3: four 3 x 3 blocks of 0, 64, 128 and 191
        float[] im = {0, 64 / 255f, 0.5f, 0.75f};
        int[] want = {0, ImageGrid.level(im[1], 0, 1), 128, 191};
        BufferedImage img = write(null, new int[] {1, 2, 2}, 0, 1, List.of(row(im)), 3);
        int[] c = corner(0, 0, 2, 2, 3);
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++)
                assertEquals(grey(want[(y / 3) * 2 + x / 3]), rgb(img, c[0] + x, c[1] + y), "figure pixel (" + x + ", " + y + ") of the tile");
        for (int k = 0; k < 6; k++) {
            assertEquals(WHITE, rgb(img, c[0] + 6, c[1] + k), "the tile is 6 pixels wide");
            assertEquals(WHITE, rgb(img, c[0] + k, c[1] + 6), "the tile is 6 pixels high");
        }
    }

    @Test
    void theConvenienceFormLaysNImagesOutInRowsOfColumns() throws IOException {
        // five constant 3 x 2 images, 2 to a row, at scale 2: levels 10, 60, 110, 160, 210
        int n = 5, h = 3, w = 2, s = 2;
        float[] samples = new float[n * h * w];
        for (int i = 0; i < n; i++) Arrays.fill(samples, i * h * w, (i + 1) * h * w, 10 + 50 * i);
        Path out = dir.resolve("five.png");
        ImageGrid.write(out, null, new int[] {1, h, w}, 0, 255, samples, n, 2, null, s);
        BufferedImage img = ImageIO.read(out.toFile());
        for (int i = 0; i < n; i++) {
            int[] c = corner(i / 2, i % 2, h, w, s);
            for (int y = 0; y < h * s; y++)
                for (int x = 0; x < w * s; x++)
                    assertEquals(grey(10 + 50 * i), rgb(img, c[0] + x, c[1] + y), "image " + i + " at (" + x + ", " + y + ")");
        }
        int[] empty = corner(2, 1, h, w, s);
        assertEquals(WHITE, rgb(img, empty[0], empty[1]), "the last row has one image");
        assertEquals(ImageGrid.MIN_WIDTH, img.getWidth(), "a narrow grid is drawn at the minimum width");
        long rowsHeight = ImageGrid.MARGIN + 3L * h * s + 2L * ImageGrid.GAP;
        assertTrue(img.getHeight() > rowsHeight && img.getHeight() < rowsHeight + 120, "three rows and a footer: " + img.getHeight());
    }

    @Test
    void wideGridsAreAsWideAsTheirCells() throws IOException {
        float[] samples = new float[40 * 10 * 10];
        Path out = dir.resolve("wide.png");
        ImageGrid.write(out, null, new int[] {1, 10, 10}, 0, 1, samples, 40, 20, null, 2);
        assertEquals(2 * ImageGrid.MARGIN + 20 * 20 + 19 * ImageGrid.GAP, ImageIO.read(out.toFile()).getWidth());
    }

    @Test
    void aTitleMovesTheTilesDownByTwentyPixelsALine() throws IOException {
        float[] im = {0.25f};
        BufferedImage plain = write(null, new int[] {1, 1, 1}, 0, 1, List.of(row(im)), 4);
        BufferedImage titled = write("a title", new int[] {1, 1, 1}, 0, 1, List.of(row(im)), 4);
        int level = grey(ImageGrid.level(0.25, 0, 1));
        assertEquals(level, rgb(plain, ImageGrid.MARGIN, ImageGrid.MARGIN));
        assertEquals(level, rgb(titled, ImageGrid.MARGIN, 30), "10 + 20 pixels for one line of title");
        assertEquals(level, rgb(titled, ImageGrid.MARGIN + 3, 33));
        assertEquals(plain.getHeight() + 20, titled.getHeight());
    }

    @Test
    void aVeryLongTitleIsCutToThreeLines() {
        String title = "fk toward quadratic:" + "0,".repeat(783) + "0";
        List<String> lines = ImageGrid.titleLines(title, ImageGrid.MIN_WIDTH);
        assertEquals(ImageGrid.TITLE_LINES, lines.size(), lines.toString());
        assertTrue(lines.get(2).endsWith("..."), lines.get(2));
        assertEquals(List.of("short"), ImageGrid.titleLines("short", ImageGrid.MIN_WIDTH));
        assertEquals(List.of(), ImageGrid.titleLines(null, ImageGrid.MIN_WIDTH));
    }

    @Test
    void captionsWidenCellsAndLabelsTakeAColumn() throws IOException {
        // a blue 2 x 2 RGB image, with a caption, in a labelled row: its cell is MIN_CAPTION_CELL wide, the image centred in it
        float[] blue = {-1, -1, -1, -1, -1, -1, -1, -1, 1, 1, 1, 1};
        int s = 5;
        List<ImageGrid.Row> rows = List.of(new ImageGrid.Row("row A", List.of(new ImageGrid.Tile(blue, 0, "r -1.23 w 0.41"),
                new ImageGrid.Tile(blue, 0, null))));
        BufferedImage img = write(null, new int[] {3, 2, 2}, -1, 1, rows, s);
        long labelW = ImageGrid.metrics(ImageGrid.LABEL_FONT).stringWidth("row A") + 12;
        int x0 = (int) (ImageGrid.MARGIN + labelW + (ImageGrid.MIN_CAPTION_CELL - 2 * s) / 2), y0 = ImageGrid.MARGIN;
        assertEquals(0x0000FF, rgb(img, x0, y0), "the first image, centred in its cell after the label column");
        assertEquals(0x0000FF, rgb(img, x0 + 2 * s - 1, y0 + 2 * s - 1));
        assertEquals(WHITE, rgb(img, x0 - 1, y0));
        int x1 = x0 + ImageGrid.MIN_CAPTION_CELL + ImageGrid.GAP;
        assertEquals(0x0000FF, rgb(img, x1, y0), "the second image, one cell and a gap on");
        assertEquals(WHITE, rgb(img, x1 - 1, y0));
        boolean text = false;
        for (int y = y0 + 2 * s; y < y0 + 2 * s + ImageGrid.CAPTION_H; y++)
            for (int x = x0 - 30; x < x0 + 40; x++) text |= rgb(img, x, y) != WHITE;
        assertTrue(text, "the caption is drawn under the first image");
    }

    @Test
    void theFooterSaysWhatWasClampedAndWhatIsNaN() {
        String f = ImageGrid.footer(1, -1, 1, 10, 2, 1);
        assertTrue(f.contains("from -1 (black) to 1 (white)"), f);
        assertTrue(f.contains("2 of 10 values lie outside"), f);
        assertTrue(f.contains("Magenta: 1 NaN"), f);
        String g = ImageGrid.footer(3, 0, 0.001, 12, 0, 0);
        assertTrue(g.contains("from 0 (0) to 0.001 (255)") && g.contains("No value lies outside") && !g.contains("Magenta"), g);
        assertEquals("1e-09", ImageGrid.num(1e-9));
        assertEquals("-1.235e+300", ImageGrid.num(-1.23456e300));
    }

    @Test
    void itRunsHeadlessAndLeavesOnlyThePng() throws IOException {
        write("t", new int[] {1, 1, 1}, 0, 1, List.of(row(new float[] {0})), 1);
        assertEquals("true", System.getProperty("java.awt.headless"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("g.png"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
        }
    }

    static void refused(String want, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(want), "says " + want + ": " + x.getMessage());
        assertFalse(x.getMessage().contains("\n"), "one line: " + x.getMessage());
    }

    @Test
    void badInputsAreOneLineSayingWhatIsWrong() {
        Path out = dir.resolve("bad.png");
        float[] six = new float[6];
        List<ImageGrid.Row> ok = List.of(row(six));
        refused("must be [C, H, W], got [2, 3]", () -> ImageGrid.write(out, null, new int[] {2, 3}, 0, 1, ok, 1));
        refused("must be [C, H, W], got none", () -> ImageGrid.write(out, null, null, 0, 1, ok, 1));
        refused("C = 1 (grey) or 3 (RGB), got C = 2", () -> ImageGrid.write(out, null, new int[] {2, 1, 3}, 0, 1, ok, 1));
        refused("needs H >= 1 and W >= 1", () -> ImageGrid.write(out, null, new int[] {1, 0, 3}, 0, 1, ok, 1));
        refused("finite lo < hi, got lo = 1.0, hi = 1.0", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 1, 1, ok, 1));
        refused("finite lo < hi, got lo = NaN", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, Double.NaN, 1, ok, 1));
        refused("hi = Infinity", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, Double.POSITIVE_INFINITY, ok, 1));
        refused("scale must be 1 to 16, got 0", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, ok, 0));
        refused("scale must be 1 to 16, got 17", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, ok, 17));
        refused("row 1, tile 1: an image of shape [1, 2, 4] needs 8 floats from offset 0, but its pixels hold 6",
                () -> ImageGrid.write(out, null, new int[] {1, 2, 4}, 0, 1, ok, 1));
        refused("row 2, tile 1: an image of shape [3, 1, 2] needs 6 floats from offset 1",
                () -> ImageGrid.write(out, null, new int[] {3, 1, 2}, 0, 1,
                        List.of(row(six), new ImageGrid.Row(null, List.of(new ImageGrid.Tile(six, 1, null)))), 1));
        refused("offset must be >= 0, got -1", () -> new ImageGrid.Tile(six, -1, null));
        refused("a tile needs its pixels", () -> new ImageGrid.Tile(null, 0, null));
        refused("a row needs at least one tile", () -> new ImageGrid.Row("x", List.of()));
        refused("at least one row", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, List.of(), 1));
        // the convenience form
        refused("3 images of shape [1, 2, 3] need 18 floats, but samples hold 6",
                () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, six, 3, 2, null, 1));
        refused("captions must be null or one per image: 1 images, 2 captions",
                () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, six, 1, 2, List.of("a", "b"), 1));
        refused("n >= 1 images, got 0", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, six, 0, 2, null, 1));
        refused("columns >= 1, got 0", () -> ImageGrid.write(out, null, new int[] {1, 2, 3}, 0, 1, six, 1, 0, null, 1));
        assertFalse(Files.exists(out), "nothing was written");
    }

    @Test
    void anAbsurdlyLargeFigureIsRefusedNamingWhatToReduce() {
        Path out = dir.resolve("huge.png");
        // one 1000 x 1000 image, shared by 150 tiles, 15 to a row: 15132 x about 10100 pixels, each side allowed but 2^27 in all not
        float[] big = new float[1000 * 1000];
        List<ImageGrid.Row> rows = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            List<ImageGrid.Tile> tiles = new ArrayList<>();
            for (int c = 0; c < 15; c++) tiles.add(new ImageGrid.Tile(big, 0, null));
            rows.add(new ImageGrid.Row(null, tiles));
        }
        refused("draw fewer images, fewer to a row, or at a smaller scale", () -> ImageGrid.write(out, null, new int[] {1, 1000, 1000}, 0, 1, rows, 1));
        refused("would be 15132 x ", () -> ImageGrid.requireFits(new int[] {1, 1000, 1000}, 150, 15, false, null, 1));
        // too tall: 17 rows of 1000
        refused("more than 16384 on a side", () -> ImageGrid.requireFits(new int[] {1, 1000, 1000}, 17, 1, false, null, 1));
        // too wide at scale 16
        refused("would be 16404 x ", () -> ImageGrid.requireFits(new int[] {3, 1, 1024}, 1, 1, false, null, 16));
        ImageGrid.requireFits(new int[] {1, 28, 28}, 1024, 32, true, "fk toward point:0,0", 4); // MNIST at the CLI's largest: fits
        assertFalse(Files.exists(out));
    }
}
