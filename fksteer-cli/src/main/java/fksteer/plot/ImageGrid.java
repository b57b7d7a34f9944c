package fksteer.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * PNG grids of image-shaped samples ([C, H, W], C = 1 grey or 3 RGB, channel-major), written atomically
 * as {@link Plots#write} does: rows of tiles, each row with an optional label at its left, each tile
 * with an optional caption under it, a title on top and a footer saying how values map to pixels.
 *
 * <p>A value v becomes the 8-bit level round(255 (v - lo) / (hi - lo)), halves rounded up (so the
 * midpoint of [lo, hi] is 128), after clamping v to [lo, hi] (for display only; the footer counts the
 * values clamped). A NaN value is drawn {@link #NAN} (magenta; for RGB, a pixel with a NaN in any
 * channel), never as black, and the footer counts them. Each image pixel becomes a scale x scale block.
 *
 * <p>Layout, in figure pixels: {@link #MARGIN} around the figure; a title of at most
 * {@link #TITLE_LINES} lines; every tile sits in a cell {@code max(W·scale, MIN_CAPTION_CELL)} wide
 * (just W·scale when no tile of the figure has a caption), centred, with the caption's line
 * ({@link #CAPTION_H}) under it; cells {@link #GAP} apart. Labels take a column as wide as the widest label
 * (at most {@link #LABEL_MAX}) plus 12. The figure is at least {@link #MIN_WIDTH} wide, the grid at its left.
 */
public final class ImageGrid {
    static { // before any AWT class is touched, as Plots does
        System.setProperty("java.awt.headless", "true");
        ImageIO.setUseCache(false);
    }

    /** The largest figure drawn: 16384 pixels on a side and 2^27 pixels in all (512 MiB as 32-bit RGB; 16384 x 8192). */
    public static final int MAX_SIDE = 16384;
    public static final long MAX_PIXELS = 1L << 27;
    public static final int MAX_SCALE = 16;
    /** The colour of a NaN pixel. */
    public static final Color NAN = new Color(255, 0, 255);

    static final int MARGIN = 10, GAP = 8, CAPTION_H = 16, MIN_CAPTION_CELL = 84, TITLE_LINES = 3, LABEL_MAX = 240;
    /** The narrowest figure, so that the title and the footer have room; narrower grids sit at its left. */
    static final int MIN_WIDTH = 360;
    static final Color BACKGROUND = Color.WHITE, TEXT = new Color(60, 60, 60);
    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 16), LABEL_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14),
            CAPTION_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11), FOOTER_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private ImageGrid() {}

    /** One tile: n-th image's pixels (C*H*W floats, channel-major), and an optional caption under it (null = none). */
    public record Tile(float[] pixels, int offset, String caption) {
        public Tile {
            if (pixels == null) throw new IllegalArgumentException("a tile needs its pixels");
            if (offset < 0) throw new IllegalArgumentException("a tile's offset must be >= 0, got " + offset);
        }
    }

    /** One row: a label drawn at its left (null = none) and its tiles. */
    public record Row(String label, List<Tile> tiles) {
        public Row {
            if (tiles == null || tiles.isEmpty()) throw new IllegalArgumentException("a row needs at least one tile");
            if (tiles.stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException("a row's tiles may not be null");
            tiles = List.copyOf(tiles);
        }
    }

    /**
     * Renders rows of images to a PNG at `out` (written atomically, via Plots.write).
     * shape = [C, H, W] with C = 1 (grey) or 3 (RGB, channel-major planes); pixel value lo maps to 0 (black), hi to 255,
     * values outside [lo, hi] are clamped for display only; NaN is drawn as {@link #NAN} (magenta), never as black.
     * scale = integer nearest-neighbour magnification (1..16). title drawn at top (null = none).
     */
    public static void write(Path out, String title, int[] shape, double lo, double hi, List<Row> rows, int scale) throws IOException {
        if (out == null) throw new IllegalArgumentException("an image grid needs a file to write");
        Plots.write(out, render(title, shape, lo, hi, rows, scale));
    }

    /** Convenience: n images of a flat float[] (n rows of C*H*W), `columns` per row, captions may be null or length n. */
    public static void write(Path out, String title, int[] shape, double lo, double hi, float[] samples, int n, int columns, List<String> captions,
                             int scale) throws IOException {
        write(out, title, shape, lo, hi, rows(shape, samples, n, columns, captions), scale);
    }

    /**
     * Refuses (IllegalArgumentException, the message {@link #write} would give) a grid of n images of this shape,
     * `columns` to a row, with or without captions, under this title, at this scale, that is too large to draw;
     * for checking before the images exist. Also checks shape, n, columns and scale.
     */
    public static void requireFits(int[] shape, int n, int columns, boolean captions, String title, int scale) {
        checkShape(shape);
        checkScale(scale);
        checkCounts(n, columns);
        worstCase(shape, scale, (n - 1) / columns + 1, Math.min(n, columns), captions, 0, title).check();
    }

    /** The layout with the longest footer there can be (every count at its largest): never smaller than the figure drawn. */
    static Layout worstCase(int[] shape, int scale, int rows, int cols, boolean captions, long labelW, String title) {
        long width = figureWidth(shape, scale, cols, captions, labelW);
        String footer = footer(shape[0], -8.888e-300, -8.888e-300, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);
        return new Layout(shape, scale, rows, cols, captions, labelW, titleLines(title, width).size(), footerLines(width, footer).size());
    }

    // ---------------------------------------------------------------- validation

    static void checkShape(int[] shape) {
        if (shape == null || shape.length != 3)
            throw new IllegalArgumentException("an image's shape must be [C, H, W], got " + (shape == null ? "none" : Arrays.toString(shape)));
        if (shape[0] != 1 && shape[0] != 3)
            throw new IllegalArgumentException("an image's shape " + Arrays.toString(shape) + " needs C = 1 (grey) or 3 (RGB), got C = " + shape[0]);
        if (shape[1] < 1 || shape[2] < 1)
            throw new IllegalArgumentException("an image's shape " + Arrays.toString(shape) + " needs H >= 1 and W >= 1");
        if ((long) shape[1] * MAX_SCALE > Integer.MAX_VALUE || (long) shape[2] * MAX_SCALE > Integer.MAX_VALUE)
            throw new IllegalArgumentException("an image's shape " + Arrays.toString(shape) + " is too large to draw");
    }

    static void checkScale(int scale) {
        if (scale < 1 || scale > MAX_SCALE) throw new IllegalArgumentException("scale must be 1 to " + MAX_SCALE + ", got " + scale);
    }

    static void checkRange(double lo, double hi) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi) || !(lo < hi))
            throw new IllegalArgumentException("the pixel range needs finite lo < hi, got lo = " + lo + ", hi = " + hi);
    }

    static void checkCounts(int n, int columns) {
        if (n < 1) throw new IllegalArgumentException("an image grid needs n >= 1 images, got " + n);
        if (columns < 1) throw new IllegalArgumentException("an image grid needs columns >= 1, got " + columns);
    }

    /** The rows of the convenience form: n images of samples, `columns` to a row. */
    static List<Row> rows(int[] shape, float[] samples, int n, int columns, List<String> captions) {
        checkShape(shape);
        checkCounts(n, columns);
        if (samples == null) throw new IllegalArgumentException("an image grid needs its samples");
        long size = (long) shape[0] * shape[1] * shape[2];
        if ((long) n * size > samples.length)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%d images of shape %s need %d floats, but samples hold %d",
                    n, Arrays.toString(shape), (long) n * size, samples.length));
        if (captions != null && captions.size() != n)
            throw new IllegalArgumentException("captions must be null or one per image: " + n + " images, " + captions.size() + " captions");
        List<Row> rows = new ArrayList<>();
        for (int r = 0; (long) r * columns < n; r++) {
            List<Tile> tiles = new ArrayList<>();
            for (int i = r * columns, end = (int) Math.min(n, (r + 1L) * columns); i < end; i++)
                tiles.add(new Tile(samples, Math.toIntExact(i * size), captions == null ? null : captions.get(i)));
            rows.add(new Row(null, tiles));
        }
        return rows;
    }

    // ---------------------------------------------------------------- layout

    /** Where everything goes: sizes in figure pixels (long, so that an absurd figure is refused rather than overflowing). */
    record Layout(int tileW, int tileH, long cellW, long cellH, long labelW, long width, long height, long head) {
        Layout(int[] shape, int scale, int rows, int cols, boolean captions, long labelW, int titleLines, int footerLines) {
            this(shape[2] * scale, shape[1] * scale, cellWidth(shape, scale, captions), (long) shape[1] * scale + (captions ? CAPTION_H : 0), labelW,
                    figureWidth(shape, scale, cols, captions, labelW), headHeight(titleLines) + rows * ((long) shape[1] * scale + (captions ? CAPTION_H : 0))
                            + (long) (rows - 1) * GAP + footerHeight(footerLines), headHeight(titleLines));
        }

        /** Refuses a figure larger than MAX_SIDE on a side or MAX_PIXELS in all, naming what to reduce. */
        void check() {
            if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS)
                throw new IllegalArgumentException(String.format(Locale.ROOT, "the image grid would be %d x %d pixels, more than %d on a side or "
                        + "2^27 in all: draw fewer images, fewer to a row, or at a smaller scale", width, height, MAX_SIDE));
        }

        /** The left edge of the image of tile c of a row, in figure pixels. */
        int tileX(int c) {
            return (int) (MARGIN + labelW + c * (cellW + GAP) + (cellW - tileW) / 2);
        }

        /** The top edge of the images of row r, in figure pixels. */
        int tileY(int r) {
            return (int) (head + r * (cellH + GAP));
        }
    }

    static long cellWidth(int[] shape, int scale, boolean captions) {
        return Math.max((long) shape[2] * scale, captions ? MIN_CAPTION_CELL : 0);
    }

    /** The figure's width: margins, the label column, cols cells and the gaps between them; at least MIN_WIDTH. */
    static long figureWidth(int[] shape, int scale, int cols, boolean captions, long labelW) {
        return Math.max(MIN_WIDTH, 2L * MARGIN + labelW + cols * cellWidth(shape, scale, captions) + (long) (cols - 1) * GAP);
    }

    static long headHeight(int titleLines) {
        return titleLines == 0 ? MARGIN : 10 + 20L * titleLines;
    }

    static long footerHeight(int lines) {
        return 6 + 16L * lines + 6;
    }

    private static final Graphics2D PROBE = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();

    static synchronized FontMetrics metrics(Font f) {
        return PROBE.getFontMetrics(f);
    }

    /** The title in lines no wider than the figure's text width, at most TITLE_LINES, the last one cut with "..." if the rest does not fit. */
    static List<String> titleLines(String title, long width) {
        if (title == null || title.isBlank()) return List.of();
        return wrap(title.strip(), metrics(TITLE_FONT), (int) Math.min(Integer.MAX_VALUE, width - 2L * MARGIN), TITLE_LINES);
    }

    static List<String> footerLines(long width, String footer) {
        return wrap(footer, metrics(FOOTER_FONT), (int) Math.min(Integer.MAX_VALUE, width - 2L * MARGIN), Integer.MAX_VALUE);
    }

    /**
     * Words of s in lines no wider than `width` pixels (a word wider than a line is broken), at most maxLines;
     * when s needs more, the last line ends in "..." (cut until it fits).
     */
    static List<String> wrap(String s, FontMetrics fm, int width, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : s.split(" ")) {
            String next = cur.isEmpty() ? word : cur + " " + word;
            if (fm.stringWidth(next) <= width) {
                cur = new StringBuilder(next);
                continue;
            }
            if (!cur.isEmpty()) lines.add(cur.toString());
            cur = new StringBuilder();
            for (int k = 0; k < word.length(); k++) { // a word too wide for a line is broken where it must be
                if (!cur.isEmpty() && fm.stringWidth(cur.toString() + word.charAt(k)) > width) {
                    lines.add(cur.toString());
                    cur = new StringBuilder();
                }
                cur.append(word.charAt(k));
            }
        }
        if (!cur.isEmpty()) lines.add(cur.toString());
        if (lines.size() <= maxLines) return lines;
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines));
        kept.set(maxLines - 1, fit(kept.get(maxLines - 1) + "...", fm, width));
        return kept;
    }

    /** s, cut from the end (keeping a trailing "...") until it is at most width pixels wide. */
    static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String body = s.endsWith("...") ? s.substring(0, s.length() - 3) : s;
        while (!body.isEmpty() && fm.stringWidth(body + "...") > width) body = body.substring(0, body.length() - 1);
        return body + "...";
    }

    /** What the footer says: how values map to pixel levels, how many were clamped and how many are NaN. */
    static String footer(int channels, double lo, double hi, long values, long clamped, long nan) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, channels == 1
                        ? "Pixel values from %s (black) to %s (white)." : "Each channel's values from %s (0) to %s (255).",
                num(lo), num(hi)));
        b.append(clamped > 0 ? String.format(Locale.ROOT, " %d of %d values lie outside and are drawn at the nearest end.", clamped, values)
                : " No value lies outside.");
        if (nan > 0) b.append(String.format(Locale.ROOT, " Magenta: %d NaN %s.", nan, channels == 1 ? "values" : "pixels (a NaN in any channel)"));
        return b.toString();
    }

    /** v to four significant digits, trailing zeros dropped: -1, 0.5, 255, 1e-09, -1.235e+300. */
    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        int e = s.indexOf('e');
        String mant = e < 0 ? s : s.substring(0, e), exp = e < 0 ? "" : s.substring(e);
        if (mant.contains(".")) mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
        return mant.equals("-0") ? "0" + exp : mant + exp;
    }

    // ---------------------------------------------------------------- drawing

    /** The 8-bit level of value v: round(255 (v - lo) / (hi - lo)), halves up, v clamped to [lo, hi] first. NaN is the caller's. */
    static int level(double v, double lo, double hi) {
        if (v <= lo) return 0;
        if (v >= hi) return 255;
        return (int) Math.min(255, Math.floor(255 * ((v - lo) / (hi - lo)) + 0.5));
    }

    static BufferedImage render(String title, int[] shape, double lo, double hi, List<Row> rows, int scale) {
        checkShape(shape);
        checkRange(lo, hi);
        checkScale(scale);
        if (rows == null || rows.isEmpty()) throw new IllegalArgumentException("an image grid needs at least one row");
        if (rows.stream().anyMatch(java.util.Objects::isNull)) throw new IllegalArgumentException("an image grid's rows may not be null");
        int c = shape[0], h = shape[1], w = shape[2];
        long size = (long) c * h * w;
        int cols = 0;
        boolean captions = false, labels = false;
        long labelW = 0;
        FontMetrics lm = metrics(LABEL_FONT);
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            cols = Math.max(cols, row.tiles().size());
            if (row.label() != null) {
                labels = true;
                labelW = Math.max(labelW, Math.min(LABEL_MAX, lm.stringWidth(row.label())));
            }
            for (int t = 0; t < row.tiles().size(); t++) {
                Tile tile = row.tiles().get(t);
                captions |= tile.caption() != null;
                if (tile.offset() + size > tile.pixels().length)
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "row %d, tile %d: an image of shape %s needs %d floats from offset %d, "
                            + "but its pixels hold %d", r + 1, t + 1, Arrays.toString(shape), size, tile.offset(), tile.pixels().length));
            }
        }
        if (labels) labelW += 12;
        worstCase(shape, scale, rows.size(), cols, captions, labelW, title).check(); // before reading any pixel
        long width = figureWidth(shape, scale, cols, captions, labelW);
        // count what the footer reports, then lay out
        long values = 0, clamped = 0, nan = 0;
        for (Row row : rows)
            for (Tile tile : row.tiles()) {
                float[] px = tile.pixels();
                for (int i = tile.offset(), end = (int) (tile.offset() + size); i < end; i++) {
                    float v = px[i];
                    if (Float.isNaN(v)) continue;
                    values++;
                    if (v < lo || v > hi) clamped++;
                }
                if (c == 1) nan += size - countNonNaN(px, tile.offset(), (int) size);
                else for (int p = 0; p < h * w; p++) {
                    int o = tile.offset() + p;
                    if (Float.isNaN(px[o]) || Float.isNaN(px[o + h * w]) || Float.isNaN(px[o + 2 * h * w])) nan++;
                }
            }
        List<String> titleLines = titleLines(title, width);
        String footer = footer(c, lo, hi, values, clamped, nan);
        List<String> footerLines = footerLines(width, footer);
        Layout L = new Layout(shape, scale, rows.size(), cols, captions, labelW, titleLines.size(), footerLines.size());
        L.check();

        BufferedImage img = new BufferedImage((int) L.width(), (int) L.height(), BufferedImage.TYPE_INT_RGB);
        int[] buf = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        Arrays.fill(buf, BACKGROUND.getRGB() & 0xFFFFFF);
        int stride = (int) L.width(), plane = h * w, nanRgb = NAN.getRGB() & 0xFFFFFF;
        for (int r = 0; r < rows.size(); r++) {
            List<Tile> tiles = rows.get(r).tiles();
            for (int t = 0; t < tiles.size(); t++) {
                Tile tile = tiles.get(t);
                float[] px = tile.pixels();
                int x0 = L.tileX(t), y0 = L.tileY(r), o = tile.offset();
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int p = o + y * w + x, rgb;
                        if (c == 1) {
                            float v = px[p];
                            int g = level(v, lo, hi);
                            rgb = Float.isNaN(v) ? nanRgb : g << 16 | g << 8 | g;
                        } else {
                            float rv = px[p], gv = px[p + plane], bv = px[p + 2 * plane];
                            rgb = Float.isNaN(rv) || Float.isNaN(gv) || Float.isNaN(bv) ? nanRgb
                                    : level(rv, lo, hi) << 16 | level(gv, lo, hi) << 8 | level(bv, lo, hi);
                        }
                        for (int dy = 0; dy < scale; dy++) {
                            int row0 = (y0 + y * scale + dy) * stride + x0 + x * scale;
                            Arrays.fill(buf, row0, row0 + scale, rgb);
                        }
                    }
            }
        }

        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        for (int i = 0; i < titleLines.size(); i++) g.drawString(titleLines.get(i), MARGIN, 22 + 20 * i);
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            if (row.label() != null) {
                g.setColor(Color.BLACK);
                g.setFont(LABEL_FONT);
                g.drawString(fit(row.label(), lm, LABEL_MAX), MARGIN, L.tileY(r) + L.tileH() / 2 + 5);
            }
            g.setColor(TEXT);
            for (int t = 0; t < row.tiles().size(); t++) {
                String cap = row.tiles().get(t).caption();
                if (cap == null) continue;
                drawCaption(g, cap, MARGIN + labelW + t * (L.cellW() + GAP), L.tileY(r) + L.tileH(), (int) L.cellW());
            }
        }
        g.setColor(TEXT);
        g.setFont(FOOTER_FONT);
        long fy = L.height() - footerHeight(footerLines.size()) + 6;
        for (int i = 0; i < footerLines.size(); i++) g.drawString(footerLines.get(i), MARGIN, fy + 12 + 16 * i);
        g.dispose();
        return img;
    }

    private static int countNonNaN(float[] px, int from, int len) {
        int k = 0;
        for (int i = from; i < from + len; i++) if (!Float.isNaN(px[i])) k++;
        return k;
    }

    /** A caption centred under its tile, the font shrunk to 8 points and then the text cut to fit the cell. */
    private static void drawCaption(Graphics2D g, String cap, long cellX, int y, int cellW) {
        Font f = CAPTION_FONT;
        FontMetrics fm = g.getFontMetrics(f);
        while (f.getSize() > 8 && fm.stringWidth(cap) > cellW) {
            f = f.deriveFont((float) f.getSize() - 1);
            fm = g.getFontMetrics(f);
        }
        String s = fit(cap, fm, cellW);
        g.setFont(f);
        g.drawString(s, cellX + (cellW - fm.stringWidth(s)) / 2f, y + 12);
    }
}
