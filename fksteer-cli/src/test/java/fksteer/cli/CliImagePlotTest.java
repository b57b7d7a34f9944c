package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.process.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --plot for image-shaped samples: sample and steer on the [1, 28, 28] conv card draw the output samples
 * as a grid whose tiles hold exactly the written samples' pixels (over the card's dataRange [-1, 1]);
 * shapes that are neither points nor images, a decoder whose output is not an image, --trajectory-plot
 * on images and too many images are each one line naming the flag, exit 2.
 */
class CliImagePlotTest {
    @TempDir
    Path dir;

    static final String CONV = "conv.card.json";
    /** A reward of the conv card's 784 dimensions: -|x|^2. */
    static final String QUADRATIC = "quadratic:" + "0,".repeat(783) + "0";

    Path fixture(String name) throws IOException {
        Path p = dir.resolve(name);
        if (!Files.exists(p)) Files.copy(CliOnnxTest.FIXTURES.resolve(name), p);
        return p;
    }

    Path card() throws IOException {
        fixture("conv.onnx");
        return fixture(CONV);
    }

    /** The level ImageGrid draws value v at over [-1, 1]: round(255 (v + 1) / 2), halves up, clamped. */
    static int level(double v) {
        if (v <= -1) return 0;
        if (v >= 1) return 255;
        return (int) Math.floor(255 * ((v + 1) / 2) + 0.5);
    }

    /**
     * Checks that the grid holds the n samples of json as 28 x 28 grey tiles at scale 4, one row, each in a
     * cell `cell` pixels wide and 8 apart from x = 10; returns the top of the tiles.
     */
    static int assertTiles(BufferedImage img, JsonNode samples, int n, int cell) {
        int scale = 4, side = 28 * scale;
        // the top of the tiles: the first y at which tile 0 holds sample 0 (it depends on how many lines the title takes)
        int top = -1;
        for (int y = 0; y < 120 && top < 0; y++) if (tileMatches(img, samples.get(0), 10 + (cell - side) / 2, y, scale)) top = y;
        assertTrue(top >= 10, "tile 0 holds sample 0's pixels somewhere near the top");
        for (int i = 0; i < n; i++) {
            int x0 = 10 + i * (cell + 8) + (cell - side) / 2;
            assertTrue(tileMatches(img, samples.get(i), x0, top, scale), "tile " + i + " at x = " + x0 + " holds sample " + i);
            if (i + 1 < n && !samples.get(i).equals(samples.get(i + 1))) // resampling may leave copies of one sample side by side
                assertFalse(tileMatches(img, samples.get(i + 1), x0, top, scale), "tile " + i + " is not sample " + (i + 1));
        }
        return top;
    }

    static boolean tileMatches(BufferedImage img, JsonNode sample, int x0, int y0, int scale) {
        if (x0 + 28 * scale > img.getWidth() || y0 + 28 * scale > img.getHeight()) return false;
        for (int p = 0; p < 784; p++) {
            int g = level(sample.get(p).asDouble()), want = g << 16 | g << 8 | g;
            int x = x0 + (p % 28) * scale, y = y0 + (p / 28) * scale;
            for (int dy = 0; dy < scale; dy++)
                for (int dx = 0; dx < scale; dx++)
                    if ((img.getRGB(x + dx, y + dy) & 0xFFFFFF) != want) return false;
        }
        return true;
    }

    @Test
    void steerDrawsFourImagesWithCaptions() throws Exception {
        Path out = dir.resolve("o.json"), png = dir.resolve("o.png");
        CliTest.Run r = CliOnnxTest.run("steer", "--model", card().toString(), "--method", "fk", "--reward", QUADRATIC, "--particles", "4",
                "--steps", "5", "--seed", "1", "--quiet", "--out", out.toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliOnnxTest.JSON.readTree(out.toFile());
        assertEquals(4, j.get("samples").size());
        BufferedImage img = ImageIO.read(png.toFile());
        // four cells of max(28 x 4, 84) = 112 pixels with captions, 8 apart, 10 on each side
        assertEquals(10 + 4 * 112 + 3 * 8 + 10, img.getWidth());
        int top = assertTiles(img, j.get("samples"), 4, 112);
        assertEquals(70, top, "the 1570-character title is cut to three lines (10 + 3 x 20 pixels)");
        int below = top + 112;
        assertTrue(img.getHeight() >= below + 16 + 12 + 16 && img.getHeight() <= below + 16 + 12 + 16 * 4,
                "one row of tiles, their captions and a footer: " + img.getHeight());
        boolean caption = false;
        for (int y = below; y < below + 16; y++) for (int x = 10; x < 122; x++) caption |= (img.getRGB(x, y) & 0xFFFFFF) != 0xFFFFFF;
        assertTrue(caption, "a caption under tile 0");
    }

    @Test
    void sampleDrawsFourImagesWithoutCaptions() throws Exception {
        Path out = dir.resolve("o.json"), png = dir.resolve("o.png");
        CliTest.Run r = CliOnnxTest.run("sample", "--model", card().toString(), "--particles", "4", "--steps", "5", "--seed", "2", "--quiet",
                "--out", out.toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = CliOnnxTest.JSON.readTree(out.toFile());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(10 + 4 * 112 + 3 * 8 + 10, img.getWidth());
        assertEquals(30, assertTiles(img, j.get("samples"), 4, 112), "a one-line title");
        assertTrue(img.getHeight() >= 30 + 112 + 12 + 16 && img.getHeight() <= 30 + 112 + 12 + 16 * 4, "one row and a footer: " + img.getHeight());
    }

    void refused(String flag, String detail, String... args) {
        CliTest.Run r = CliOnnxTest.run(args);
        String err = r.err().strip();
        assertEquals(2, r.code(), err + r.out());
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(flag) && err.contains(detail), "names " + flag + " and says " + detail + ": " + err);
        assertFalse(Files.exists(dir.resolve("o.json")) || Files.exists(dir.resolve("o.png")), "no output");
    }

    @Test
    void whatCannotBeDrawnIsOneLine() throws Exception {
        fixture("mixture-vp.onnx");
        fixture("decoder.onnx");
        String o = dir.resolve("o.json").toString(), p = dir.resolve("o.png").toString();
        // the decoder of this card turns [2] latents into [3]: neither points nor an image
        refused("--plot", "decoder turns into [3]", "steer", "--model", fixture("mixture-vp-decoded.card.json").toString(), "--method", "fk",
                "--reward", "point:0,0,0", "--particles", "8", "--steps", "4", "--out", o, "--plot", p);
        refused("--plot", "decoder turns into [3]", "sample", "--model", dir.resolve("mixture-vp-decoded.card.json").toString(), "--condition", "1",
                "--particles", "8", "--steps", "4", "--out", o, "--plot", p);
        refused("--trajectory-plot", "[1, 28, 28] (--plot draws them as images)", "sample", "--model", card().toString(), "--particles", "4",
                "--steps", "4", "--out", o, "--trajectory-plot", p);
        refused("--particles", "--plot draws at most 1024 images (one per output sample), and this run gives 1025", "steer", "--model",
                card().toString(), "--method", "best-of-n", "--reward", QUADRATIC, "--particles", "1025", "--steps", "4", "--out", o, "--plot", p);
        refused("--particles", "at most 1024 images", "sample", "--model", card().toString(), "--particles", "2000", "--steps", "4",
                "--out", o, "--plot", p);
    }

    static void refusedShape(String want, Shape samples, Shape decoded, boolean images) {
        String flag = images ? "--plot" : "--trajectory-plot";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxFlags.drawn(flag, samples, decoded, images));
        assertTrue(e.getMessage().startsWith(flag) && e.getMessage().contains(want), e.getMessage());
    }

    @Test
    void pointsImagesAndDecodedImagesAreTold() {
        assertEquals(OnnxFlags.Drawn.POINTS, OnnxFlags.drawn("--plot", Shape.of(2), null, true));
        assertEquals(OnnxFlags.Drawn.POINTS, OnnxFlags.drawn("--trajectory-plot", Shape.of(5), null, false));
        assertEquals(OnnxFlags.Drawn.IMAGES, OnnxFlags.drawn("--plot", Shape.of(1, 28, 28), null, true));
        assertEquals(OnnxFlags.Drawn.IMAGES, OnnxFlags.drawn("--plot", Shape.of(3, 8, 8), null, true));
        assertEquals(OnnxFlags.Drawn.DECODED_IMAGES, OnnxFlags.drawn("--plot", Shape.of(4, 8, 8), Shape.of(3, 64, 64), true));
        assertEquals(OnnxFlags.Drawn.DECODED_IMAGES, OnnxFlags.drawn("--plot", Shape.of(2), Shape.of(1, 5, 5), true));
        refusedShape("have shape [4, 8, 8]", Shape.of(4, 8, 8), null, true);
        refusedShape("have shape [28, 28]", Shape.of(28, 28), null, true);
        refusedShape("have shape [1, 1, 28, 28]", Shape.of(1, 1, 28, 28), null, true);
        refusedShape("decoder turns into [2, 64, 64]", Shape.of(4, 8, 8), Shape.of(2, 64, 64), true);
        refusedShape("decoder turns into [3, 64, 64]", Shape.of(4, 8, 8), Shape.of(3, 64, 64), false);
        refusedShape("have shape [3, 8, 8] (--plot draws them as images)", Shape.of(3, 8, 8), null, false);
    }

    @Test
    void theGridIsSizedAndCheckedBeforeTheRun() {
        ImagePlot mnist = ImagePlot.of(new int[] {1, 28, 28}, false, 4, true, "t");
        assertEquals(List.of(4, 4), List.of(mnist.columns(), mnist.scale()), "4 columns for 4 images; 28 x 4 = 112");
        assertEquals(8, ImagePlot.of(new int[] {1, 28, 28}, false, 20, true, "t").columns());
        assertEquals(32, ImagePlot.of(new int[] {1, 28, 28}, false, 1024, true, "t").columns(), "32 rows of 32");
        assertEquals(1, ImagePlot.of(new int[] {3, 64, 64}, false, 4, true, "t").scale());
        assertEquals(16, ImagePlot.of(new int[] {3, 2, 3}, false, 4, true, "t").scale(), "at most 16");
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> ImagePlot.of(new int[] {3, 512, 512}, false, 1024, true, "t"));
        assertTrue(big.getMessage().startsWith("--plot: the image grid would be") && big.getMessage().contains("use fewer --particles or no --plot"),
                big.getMessage());
        assertEquals("r -1.23 w 0.41", ImagePlot.caption(-1.2345, 0.4129));
        assertEquals("r -784 w 0.25", ImagePlot.caption(-784, 0.25));
        assertEquals(List.of(-1.5, 2.0), toList(ImagePlot.minMax(new float[] {0, -1.5f, Float.NaN, 2})));
        assertEquals(List.of(2.5, 3.5), toList(ImagePlot.minMax(new float[] {3, 3})), "a constant image is drawn over value +- 0.5");
    }

    static List<Double> toList(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double x : v) l.add(x);
        return l;
    }
}
