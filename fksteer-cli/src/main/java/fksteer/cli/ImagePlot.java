package fksteer.cli;

import fksteer.plot.ImageGrid;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * --plot for image-shaped samples ({@code sample} and {@code steer}): the output samples in output
 * order as a grid of images ({@link ImageGrid}), checked before the run so that a figure too large to
 * draw is refused before any work, not after it.
 *
 * <p>Range: samples that are images are drawn over the card's "dataRange" (black at its low end, white
 * at its high end). Images from a card's decoder are drawn over the smallest to the largest decoded
 * value of the images drawn, since "dataRange" is the range of the samples (latents), not of what the
 * decoder makes of them; the figure's footer states the range used.
 *
 * @param shape   one image's shape, [C, H, W]
 * @param decoded whether the images are the decoder's output
 * @param n       how many images (output samples)
 * @param columns images to a row
 * @param scale   the magnification of each image pixel
 */
record ImagePlot(int[] shape, boolean decoded, int n, int columns, int scale) {
    /** The most images --plot draws: one per output sample. */
    static final int MAX_IMAGES = 1024;
    /** The side, in figure pixels, that a tile is magnified toward (28 x 28 images at 4x). */
    static final int TILE = 112;
    /** Images to a row: 8, or the square root of the count when that is more (32 rows of 32 for 1024). */
    static final int MIN_COLUMNS = 8;

    /** The plot of n images of shape, refused (one line naming --plot and --particles) when there are too many or the figure is too large. */
    static ImagePlot of(int[] shape, boolean decoded, int n, boolean captions, String title) {
        if (n > MAX_IMAGES)
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--plot draws at most %d images (one per output sample), and this run "
                    + "gives %d; use fewer --particles or no --plot", MAX_IMAGES, n));
        int columns = Math.min(n, Math.max(MIN_COLUMNS, (int) Math.ceil(Math.sqrt(n))));
        int scale = Math.clamp(TILE / Math.max(shape[1], shape[2]), 1, ImageGrid.MAX_SCALE);
        try {
            ImageGrid.requireFits(shape, n, columns, captions, title, scale);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--plot: " + e.getMessage() + "; use fewer --particles or no --plot");
        }
        return new ImagePlot(shape.clone(), decoded, n, columns, scale);
    }

    /** Heap for the figure, per image: its cell of 32-bit pixels, twice (the image, and the PNG encoder's buffers), rounded up. */
    double bytesPerImage() {
        return 2.0 * 4 * (Math.max(shape[2] * scale, 96) + 8) * (shape[1] * scale + 24);
    }

    /**
     * Draws images (n rows of C·H·W floats) over range, or over their own smallest to largest value when
     * range is null (decoded images; see minMax).
     */
    void write(Path out, String title, float[] images, double[] range, List<String> captions) throws IOException {
        double lo, hi;
        if (range != null) {
            lo = range[0];
            hi = range[1];
        } else {
            double[] mm = minMax(images);
            lo = mm[0];
            hi = mm[1];
        }
        ImageGrid.write(out, title, shape, lo, hi, images, n, columns, captions, scale);
    }

    /**
     * The finite min and max of v, widened to value ± max(0.5, |value| / 1000) when they are equal; [-1, 1]
     * when none is finite.
     */
    static double[] minMax(float[] v) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++)
            if (Float.isFinite(v[i])) {
                lo = Math.min(lo, v[i]);
                hi = Math.max(hi, v[i]);
            }
        if (lo > hi) return new double[] {-1, 1};
        if (!(hi > lo)) {
            double pad = Math.max(0.5, Math.abs(lo) / 1000);
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    /** A steered sample's caption: its reward and normalised weight, "r -1.23 w 0.41". */
    static String caption(double reward, double weight) {
        return String.format(Locale.ROOT, "r %.3g w %.2g", reward, weight);
    }
}
