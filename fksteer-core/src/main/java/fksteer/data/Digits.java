package fksteer.data;

import fksteer.io.BadInputException;
import fksteer.io.Quote;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Labelled greyscale digits in fksteer's compact file (data/mnist/digits.fkd.gz, written by
 * scripts/mnist/convert_mnist.py): gzip of the magic "FKDIGITS", count, rows and cols as little-endian
 * uint32, count label bytes (0..9), then count × rows × cols pixel bytes (0 = background, 255 = ink).
 *
 * <p>The split is the one the training script uses: within each class, in file order, image i is held
 * out when i % 5 == 4; the rest is the training split, whose even positions trained the reward
 * classifier and odd positions the judge.
 *
 * @param labels one label per image
 * @param pixels count × rows × cols bytes
 */
public record Digits(int count, int rows, int cols, byte[] labels, byte[] pixels) {

    public static final int CLASSES = 10;
    /** The largest file read (the 10,000 MNIST digits are 7.9 MB unpacked). */
    public static final long MAX_BYTES = 1L << 30;

    public Digits {
        if (count < 1 || rows < 1 || cols < 1 || (long) rows * cols > 1 << 20)
            throw new BadInputException("digits: count " + count + ", rows " + rows + " and cols " + cols + " must be >= 1 (at most 2^20 pixels per image)");
        if (labels.length != count || (long) pixels.length != (long) count * rows * cols)
            throw new BadInputException("digits: " + labels.length + " labels and " + pixels.length + " pixel bytes do not fit " + count + " images of " + rows + "x" + cols);
        for (int i = 0; i < count; i++)
            if (labels[i] < 0 || labels[i] >= CLASSES) throw new BadInputException("digits: label " + labels[i] + " of image " + i + " is not in 0..9");
    }

    /** Reads a digit file; any defect is one line naming the file. */
    public static Digits read(Path file) {
        String where = "digits file " + Quote.of(file.toString(), 0, 300) + ": ";
        byte[] raw;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[1 << 16];
            for (int r; (r = in.read(chunk)) > 0; ) {
                if (buf.size() + (long) r > MAX_BYTES) throw new BadInputException(where + "unpacks to more than " + MAX_BYTES + " bytes");
                buf.write(chunk, 0, r);
            }
            raw = buf.toByteArray();
        } catch (java.util.zip.ZipException e) {
            throw new BadInputException(where + "is not a gzip file (" + e.getMessage() + ")");
        } catch (java.io.EOFException e) {
            throw new BadInputException(where + "is truncated");
        } catch (IOException e) {
            throw new BadInputException(where + "cannot be read: " + e.getMessage());
        }
        if (raw.length < 20 || !new String(raw, 0, 8, java.nio.charset.StandardCharsets.ISO_8859_1).equals("FKDIGITS"))
            throw new BadInputException(where + "does not start with FKDIGITS (make it with scripts/mnist/convert_mnist.py)");
        ByteBuffer h = ByteBuffer.wrap(raw, 8, 12).order(ByteOrder.LITTLE_ENDIAN);
        long count = Integer.toUnsignedLong(h.getInt()), rows = Integer.toUnsignedLong(h.getInt()), cols = Integer.toUnsignedLong(h.getInt());
        long need = 20 + count + count * rows * cols;
        if (count < 1 || rows < 1 || cols < 1 || rows * cols > 1 << 20 || need != raw.length)
            throw new BadInputException(where + "header says " + count + " images of " + rows + "x" + cols + " (" + need + " bytes), but the file unpacks to "
                    + raw.length + " bytes");
        int n = (int) count;
        return new Digits(n, (int) rows, (int) cols, Arrays.copyOfRange(raw, 20, 20 + n), Arrays.copyOfRange(raw, 20 + n, raw.length));
    }

    public int size() {
        return rows * cols;
    }

    public int label(int i) {
        return labels[i];
    }

    /** Image i scaled to [-1, 1] (pixel p -> 2p/255 - 1, the models' convention) into out[off ..]. */
    public void unit(int i, float[] out, int off) {
        int s = size();
        for (int j = 0; j < s; j++) out[off + j] = (pixels[i * s + j] & 0xff) * (2f / 255f) - 1f;
    }

    /** The images of the given indices in [-1, 1], flat. */
    public float[] unit(int[] idx) {
        float[] out = new float[Math.multiplyExact(idx.length, size())];
        for (int k = 0; k < idx.length; k++) unit(idx[k], out, k * size());
        return out;
    }

    /** Which part of the data an image belongs to. */
    public enum Part {
        /** everything but the held-out fifth */
        TRAIN,
        /** never trained on: i % 5 == 4 within each class */
        HELD_OUT,
        /** the training split's even positions: the reward classifier's data */
        REWARD_HALF,
        /** the training split's odd positions: the judge's data */
        JUDGE_HALF
    }

    /** Indices (ascending) of the images of one part, of class c or of every class (c = -1). */
    public int[] indices(Part part, int c) {
        int[] seen = new int[CLASSES], trainSeen = new int[CLASSES];
        int[] out = new int[count];
        int m = 0;
        for (int i = 0; i < count; i++) {
            int l = labels[i];
            int pos = seen[l]++;
            boolean held = pos % 5 == 4;
            boolean in = switch (part) {
                case TRAIN -> !held;
                case HELD_OUT -> held;
                case REWARD_HALF -> !held && trainSeen[l] % 2 == 0;
                case JUDGE_HALF -> !held && trainSeen[l] % 2 == 1;
            };
            if (!held) trainSeen[l]++;
            if (in && (c < 0 || l == c)) out[m++] = i;
        }
        return Arrays.copyOf(out, m);
    }

    /** Images per class. */
    public int[] counts() {
        int[] k = new int[CLASSES];
        for (int i = 0; i < count; i++) k[labels[i]]++;
        return k;
    }
}
