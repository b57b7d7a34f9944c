package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import java.io.InputStream;
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
}
