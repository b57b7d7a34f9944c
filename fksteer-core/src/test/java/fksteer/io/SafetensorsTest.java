package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    static float[] eval(MlpFlow f, float[] x, int n, float t) {
        float[] v = new float[n * f.dim()];
        f.velocity(x, n, t, v);
        return v;
    }

    @Test
    void saveThenLoadGivesIdenticalOutputs() throws Exception {
        Mlp m = Mlp.init(MlpFlow.architecture(2, 64, 3), 42);
        Path p = dir.resolve("m.safetensors");
        Models.saveMlp(m, p, Map.of("dataset", "test"));
        Mlp back = Models.loadMlp(p);
        float[] x = {0.1f, -2f, 1.5f, 0.3f, -0.7f, 2.2f};
        for (float t : new float[] {0f, 0.37f, 1f})
            assertArrayEquals(eval(new MlpFlow(m), x, 3, t), eval(new MlpFlow(back), x, 3, t));
        assertEquals("test", Safetensors.read(p).metadata().get("dataset"));
    }

    /**
     * A state_dict written by PyTorch (scripts/make_torch_fixture.py) loads unchanged and reproduces
     * PyTorch's outputs. Tolerance: both sides round each of ~4 layers' dot products (K <= 17 terms)
     * in float32 in different orders; (K + 2) * 2^-24 relative per layer, amplified by weights of norm
     * about 3 over 4 layers, stays below 1e-5 relative to the output scale.
     */
    @Test
    void pytorchFixtureLoadsAndMatchesPytorch() throws Exception {
        byte[] st;
        JsonNode ref;
        try (InputStream a = getClass().getResourceAsStream("/fixtures/torch_flow.safetensors");
             InputStream b = getClass().getResourceAsStream("/fixtures/torch_flow_outputs.json")) {
            st = a.readAllBytes();
            ref = new ObjectMapper().readTree(b);
        }
        Mlp m = Models.toMlp(Safetensors.parse(st, "torch_flow"), "torch_flow");
        assertArrayEquals(new int[] {3, 16, 16, 16, 2}, m.sizes());
        MlpFlow f = new MlpFlow(m);
        for (int i = 0; i < ref.get("t").size(); i++) {
            float t = (float) ref.get("t").get(i).asDouble();
            float[] x = {(float) ref.get("x").get(i).get(0).asDouble(), (float) ref.get("x").get(i).get(1).asDouble()};
            float[] v = eval(f, x, 1, t);
            for (int k = 0; k < 2; k++) {
                double want = ref.get("v").get(i).get(k).asDouble();
                assertEquals(want, v[k], 1e-5 * (1 + Math.abs(want)), "row " + i + " coord " + k);
            }
        }
    }

    @Test
    void truncatedFileGivesAClearError() throws Exception {
        Mlp m = Mlp.init(MlpFlow.architecture(2, 8, 2), 1);
        Path p = dir.resolve("m.safetensors");
        Models.saveMlp(m, p, null);
        byte[] all = Files.readAllBytes(p);
        for (int cut : new int[] {3, 20, all.length - 10}) {
            Path q = dir.resolve("cut" + cut + ".safetensors");
            Files.write(q, Arrays.copyOf(all, cut));
            BadInputException e = assertThrows(BadInputException.class, () -> Models.loadMlp(q));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"));
        }
    }

    @Test
    void corruptHeaderGivesAClearError() throws Exception {
        byte[] h = "{not json".getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[8 + h.length];
        f[0] = (byte) h.length;
        System.arraycopy(h, 0, f, 8, h.length);
        BadInputException e = assertThrows(BadInputException.class, () -> Safetensors.parse(f, "x"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    }

    @Test
    void mismatchedShapesAndNamesGiveClearErrors() throws Exception {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("net.0.weight", new Safetensors.Tensor(new long[] {4, 3}, new float[12]));
        t.put("net.0.bias", new Safetensors.Tensor(new long[] {4}, new float[4]));
        t.put("net.2.weight", new Safetensors.Tensor(new long[] {2, 5}, new float[10]));
        t.put("net.2.bias", new Safetensors.Tensor(new long[] {2}, new float[2]));
        Path p = dir.resolve("bad.safetensors");
        Safetensors.write(p, t, null);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.loadMlp(p));
        assertTrue(e.getMessage().contains("net.2.weight has 5 inputs"), e.getMessage());

        t.clear();
        t.put("encoder.weight", new Safetensors.Tensor(new long[] {2, 3}, new float[6]));
        Safetensors.write(p, t, null);
        e = assertThrows(BadInputException.class, () -> Models.loadMlp(p));
        assertTrue(e.getMessage().contains("unexpected tensor 'encoder.weight'"), e.getMessage());
    }

    @Test
    void atomicWriteLeavesNoTempFiles() throws Exception {
        Path p = dir.resolve("a.safetensors");
        Models.saveMlp(Mlp.init(MlpFlow.architecture(2, 8, 1), 1), p, null);
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    // ---- the format, exactly (issue 9)

    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    Path file(String name, String header, int dataBytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, Fuzz.file(header, new byte[dataBytes], true));
        return p;
    }

    /** Reading p fails with one line that names the file and contains every one of parts. */
    static String rejected(Path p, String... parts) {
        BadInputException e = assertThrows(BadInputException.class, () -> Safetensors.read(p));
        String m = e.getMessage();
        assertFalse(m.matches("(?s).*\\R.*"), "one line: " + m);
        assertTrue(m.contains(p.getFileName().toString()), "names the file: " + m);
        for (String part : parts) assertTrue(m.contains(part), "mentions " + part + ": " + m);
        return m;
    }

    @Test
    void overlappingOffsetsAreRejected() throws Exception {
        Path p = file("overlap.safetensors", "{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[4]", 8, 24) + "}", 24);
        rejected(p, "'b'", "overlap", "'a'");
    }

    @Test
    void shiftedOffsetsThatLeaveAHoleAreRejected() throws Exception {
        Path p = file("hole.safetensors", "{" + entry("a", "F32", "[4]", 4, 20) + "}", 20);
        rejected(p, "'a'", "hole");
        p = file("hole2.safetensors", "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 12, 20) + "}", 20);
        rejected(p, "'b'", "hole", "'a' ends at byte 8");
    }

    @Test
    void trailingBytesAfterTheDataAreRejected() throws Exception {
        Path p = file("trailing.safetensors", "{" + entry("a", "F32", "[4]", 0, 16) + "}", 20);
        rejected(p, "4 bytes follow", "'a'");
        rejected(file("empty.safetensors", "{}", 3), "3 bytes follow");
    }

    @Test
    void floatShapesAreRejected() throws Exception {
        rejected(file("f1.safetensors", "{" + entry("w", "F32", "[64.5]", 0, 256) + "}", 256), "'w'", "\"shape\"[0]", "64.5");
        rejected(file("f2.safetensors", "{" + entry("w", "F32", "[64.0]", 0, 256) + "}", 256), "'w'", "64.0");
        rejected(file("f3.safetensors", "{" + entry("w", "F32", "[64e0]", 0, 256) + "}", 256), "'w'", "integer");
    }

    @Test
    void stringShapesAreRejected() throws Exception {
        rejected(file("s.safetensors", "{" + entry("w", "F32", "[\"64\"]", 0, 256) + "}", 256), "'w'", "\"shape\"[0]", "string");
        rejected(file("s2.safetensors", "{" + entry("w", "F32", "\"64\"", 0, 256) + "}", 256), "'w'", "\"shape\"");
    }

    @Test
    void negativeShapesAreRejected() throws Exception {
        rejected(file("n.safetensors", "{" + entry("w", "F32", "[-4]", 0, 16) + "}", 16), "'w'", "-4");
    }

    @Test
    void shapesWhoseByteCountOverflowsAreRejected() throws Exception {
        // 2^32 * 2^32 * 16 overflows a long; 2^62 elements of 4 bytes overflow the byte count
        rejected(file("o1.safetensors", "{" + entry("w", "F32", "[4294967296,4294967296,16]", 0, 16) + "}", 16), "'w'", "more bytes");
        rejected(file("o2.safetensors", "{" + entry("w", "F32", "[" + (1L << 62) + "]", 0, 16) + "}", 16), "'w'", "more bytes");
        rejected(file("o3.safetensors", "{" + entry("w", "F32", "[99999999999999999999]", 0, 16) + "}", 16), "'w'", "99999999999999999999");
        // a byte count that fits but does not match the range
        rejected(file("o4.safetensors", "{" + entry("w", "F32", "[5]", 0, 16) + "}", 16), "'w'", "needs 20");
    }

    @Test
    void duplicateTensorNamesAreRejected() throws Exception {
        Path p = file("dup.safetensors", "{" + entry("w", "F32", "[2]", 0, 8) + "," + entry("w", "F32", "[2]", 8, 16) + "}", 16);
        rejected(p, "Duplicate", "'w'");
        // a duplicate field inside an entry, and a duplicate metadata key
        rejected(file("dup2.safetensors", "{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "Duplicate", "dtype");
        rejected(file("dup3.safetensors", "{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0), "Duplicate");
        // the same layer under two module prefixes is a duplicate too
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        t.put("net.0.weight", new Safetensors.Tensor(new long[] {1, 2}, new float[2]));
        t.put("net.0.bias", new Safetensors.Tensor(new long[] {1}, new float[1]));
        t.put("model.net.0.bias", new Safetensors.Tensor(new long[] {1}, new float[1]));
        Path q = dir.resolve("prefix.safetensors");
        Safetensors.write(q, t, null);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.loadMlp(q));
        assertTrue(e.getMessage().contains("'net.0.bias' and 'model.net.0.bias' are both net.0.bias"), e.getMessage());
    }

    @Test
    void metadataMustMapStringsToStrings() throws Exception {
        rejected(file("m1.safetensors", "{\"__metadata__\":{\"n\":1}}", 0), "__metadata__", "'n'", "string");
        rejected(file("m2.safetensors", "{\"__metadata__\":[\"a\"]}", 0), "__metadata__");
        rejected(file("m3.safetensors", "{\"__metadata__\":null}", 0), "__metadata__");
        Safetensors.Contents c = Safetensors.read(file("m4.safetensors", "{\"__metadata__\":{\"k\":\"v\",\"e\":\"\"}}", 0));
        assertEquals(Map.of("k", "v", "e", ""), c.metadata());
        assertTrue(c.tensors().isEmpty());
    }

    @Test
    void unknownAndNonFloatDtypesAreRejected() throws Exception {
        rejected(file("d1.safetensors", "{" + entry("w", "I64", "[2]", 0, 16) + "}", 16), "'w'", "I64", "not a floating-point type");
        rejected(file("d2.safetensors", "{" + entry("w", "F33", "[2]", 0, 8) + "}", 8), "'w'", "unknown dtype 'F33'");
        rejected(file("d3.safetensors", "{" + entry("w", "f32", "[2]", 0, 8) + "}", 8), "'w'", "unknown dtype 'f32'");
    }

    @Test
    void unknownOrMissingEntryFieldsAreRejected() throws Exception {
        rejected(file("u1.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"order\":\"C\"}}", 8), "'w'", "unknown field 'order'");
        rejected(file("u2.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "'w'", "missing \"data_offsets\"");
        rejected(file("u3.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}", 8), "'w'", "[begin, end]");
    }

    @Test
    void halfAndDoublePrecisionTensorsAreConvertedToFloat() throws Exception {
        float[] v = {0.5f, -2f, 1.25f, 0f};
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        StringBuilder h = new StringBuilder("{");
        long at = 0;
        for (String dt : new String[] {"F16", "BF16", "F64", "F32"}) {
            byte[] b = Fuzz.encode(v, dt);
            h.append(h.length() > 1 ? "," : "").append(entry(dt, dt, "[4]", at, at + b.length));
            at += b.length;
            data.writeBytes(b);
        }
        Path p = dir.resolve("dtypes.safetensors");
        Files.write(p, Fuzz.file(h.append('}').toString(), data.toByteArray(), true));
        Safetensors.Contents c = Safetensors.read(p);
        for (String dt : new String[] {"F16", "BF16", "F64", "F32"}) assertArrayEquals(v, c.tensors().get(dt).data(), dt);
        assertEquals(java.util.List.of("F16", "BF16", "F64", "F32"), java.util.List.copyOf(c.tensors().keySet()), "file order");
    }

    @Test
    void headerLengthBeyondTheFileOrTheLimitIsRejectedBeforeReading() throws Exception {
        for (long n : new long[] {90_000_000L, 100_000_001L, 1L << 40, -1L}) {
            byte[] f = new byte[100];
            java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(n);
            Path p = dir.resolve("len.safetensors");
            Files.write(p, f);
            rejected(p, "header length " + Long.toUnsignedString(n), n == 90_000_000L ? "only 92 bytes follow" : "limit of 100000000");
        }
    }

    @Test
    void headerMustBeUtf8Json() throws Exception {
        byte[] h = {'{', '"', 'w', (byte) 0xFF, '"', ':', '{', '}', '}'};
        byte[] f = new byte[8 + h.length];
        f[0] = (byte) h.length;
        System.arraycopy(h, 0, f, 8, h.length);
        Path p = dir.resolve("utf8.safetensors");
        Files.write(p, f);
        rejected(p, "not valid UTF-8", "header byte 3");
        rejected(file("brace.safetensors", " {}", 0), "must begin with '{'");
        rejected(file("trunc.safetensors", "{\"w\":{\"dtype\":\"F32\"", 0), "not valid JSON", "'w'");
    }

    @Test
    void headerMayBePaddedWithSpacesOnly() throws Exception {
        assertTrue(Safetensors.read(file("pad.safetensors", "{}      ", 0)).tensors().isEmpty());
        rejected(file("pad2.safetensors", "{}\n", 0), "after its JSON object", "space padding");
        rejected(file("pad3.safetensors", "{}{}", 0), "after its JSON object");
        rejected(file("pad4.safetensors", "{} x", 0), "after its JSON object");
    }

    @Test
    void largeSparseFilesAreRefusedFromTheirSizeWithoutBeingRead() throws Exception {
        for (long size : new long[] {3L << 29, 3L << 30}) { // 1.5 GB and 3 GB, sparse
            Path p = dir.resolve("sparse.safetensors");
            byte[] head = Fuzz.file("{" + entry("w", "F32", "[" + (size - 64) / 4 + "]", 0, size - 64) + "}", new byte[0], true);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.write(head);
                f.setLength(size);
            }
            long t0 = System.nanoTime();
            rejected(p, "is " + size + " bytes", "at most");
            assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "refused at once");
            Files.delete(p);
        }
    }

    @Test
    void fifoIsRefusedWithoutBlocking() throws Exception {
        for (String name : new String[] {"pipe.safetensors", "pipe.json"}) {
            Path p = dir.resolve(name);
            assertEquals(0, new ProcessBuilder("mkfifo", p.toString()).start().waitFor(), "mkfifo");
            BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> assertThrows(BadInputException.class, () -> Models.load(p.toString())));
            assertTrue(e.getMessage().contains("not a regular file") && e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void devicesAndDirectoriesAreRefused() throws Exception {
        Path zero = dir.resolve("zero.safetensors");
        Files.createSymbolicLink(zero, Path.of("/dev/zero"));
        BadInputException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(BadInputException.class, () -> Models.load(zero.toString())));
        assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        Files.delete(zero);
        e = assertThrows(BadInputException.class, () -> Models.load("/dev/zero"));
        assertTrue(e.getMessage().startsWith("model must be"), e.getMessage());
        Path d = Files.createDirectory(dir.resolve("d.safetensors"));
        e = assertThrows(BadInputException.class, () -> Models.load(d.toString()));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
    }

    // ---- magnitudes that overflow (issue 9, "finite or a clear error")

    static Mlp mlpWith(float[][] w, float[][] b, int... sizes) {
        return Mlp.fromTorch(sizes, w, b);
    }

    BadInputException loadRejected(Mlp m) throws Exception {
        Path p = dir.resolve("big.safetensors");
        Models.saveMlp(m, p, null);
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertFalse(e.getMessage().matches("(?s).*\\R.*"), e.getMessage());
        return e;
    }

    @Test
    void hugeBiasIsRejected() throws Exception {
        float[][] w = {new float[3 * 4], new float[4 * 2]}, b = {new float[4], new float[2]};
        b[0][1] = 1e30f;
        BadInputException e = loadRejected(mlpWith(w, b, 3, 4, 2));
        assertTrue(e.getMessage().contains("'net.0.bias' is too large") && e.getMessage().startsWith("model safetensors file"), e.getMessage());
    }

    @Test
    void weightsThatOverflowOnlyTogetherAreRejected() throws Exception {
        // each weight 1e12 is harmless alone, but three such layers can reach 1e36 on unit inputs
        float[][] w = {new float[3 * 2], new float[2 * 2], new float[2 * 2]}, b = {new float[2], new float[2], new float[2]};
        for (float[] a : w) java.util.Arrays.fill(a, 1e12f);
        BadInputException e = loadRejected(mlpWith(w, b, 3, 2, 2, 2));
        assertTrue(e.getMessage().contains("'net.4.weight' is too large"), e.getMessage());
    }

    @Test
    void weightsWhoseGradientsOverflowAreRejected() throws Exception {
        // 200 outputs each read x_1 with weight 1e29: every output stays below 1e30, but the
        // vector-Jacobian product of a unit cotangent sums them to 2e31 in the x_1 coordinate
        int d = 200;
        float[][] w = {new float[d * (d + 1)]}, b = {new float[d]};
        for (int j = 0; j < d; j++) w[0][j * (d + 1) + 1] = 1e29f;
        BadInputException e = loadRejected(mlpWith(w, b, d + 1, d));
        assertTrue(e.getMessage().contains("gradients"), e.getMessage());
    }

    @Test
    void largeButSafeWeightsLoadAndStayFinite() throws Exception {
        float[][] w = {new float[3 * 8], new float[8 * 8], new float[8 * 2]}, b = {new float[8], new float[8], new float[2]};
        for (float[] a : w) java.util.Arrays.fill(a, 1e6f);
        for (float[] a : b) java.util.Arrays.fill(a, 1e6f);
        Path p = dir.resolve("safe.safetensors");
        Models.saveMlp(mlpWith(w, b, 3, 8, 8, 2), p, null);
        MlpFlow f = (MlpFlow) Models.load(p.toString());
        float[] x = {1f, -1f, 0.3f, 0.9f};
        for (float t : new float[] {0f, 1f}) for (float v : eval(f, x, 2, t)) assertTrue(Float.isFinite(v) && Math.abs(v) > 1e12, "v = " + v);
    }
}
