package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.Safetensors;
import fksteer.process.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped MNIST models (models/mnist, made by scripts/mnist/train_mnist.py) load through their
 * cards and give PyTorch's golden outputs (models/mnist/golden) through fksteer's feeding path: the
 * two diffusion UNets (int64 timestep index, the conditional one's class with null id 10), the reward
 * classifier as onnx:FILE:class=C (log-softmax of its logits), and the judge's logits and features.
 * Convolutions in ONNX Runtime and PyTorch add in different orders, so the tolerance is 1e-4 (absolute
 * up to magnitude 1, relative above), ten times GoldenTest's for the small MLP fixtures.
 */
class MnistModelsTest {
    static final Path DIR = Path.of("..", "models", "mnist");
    static final double TOL = 1e-4;
    static final Shape IMAGE = Shape.of(1, 28, 28);

    static Safetensors.Contents golden(String name) {
        Path p = DIR.resolve("golden").resolve(name + ".safetensors");
        assertTrue(Files.isRegularFile(p), p + " is missing: run scripts/mnist/train_mnist.py golden");
        return Safetensors.read(p);
    }

    static void close(float[] want, float[] got, int from, int len, String what) {
        for (int i = 0; i < len; i++) {
            double w = want[from + i], g = got[i];
            assertTrue(Math.abs(w - g) <= TOL * Math.max(1, Math.abs(w)), what + " entry " + i + ": torch " + w + ", onnx " + g);
        }
    }

    static void unet(String card, String name) {
        try (OnnxModel m = OnnxModel.load(DIR.resolve(card), OnnxOptions.defaults())) {
            assertEquals(IMAGE, m.card().shape());
            Safetensors.Contents c = golden(name);
            float[] x = c.tensors().get("x").data(), t = c.tensors().get("t").data(), out = c.tensors().get("out").data();
            float[] y = c.tensors().containsKey("y") ? c.tensors().get("y").data() : null;
            int d = IMAGE.size(), n = t.length;
            assertEquals(n * d, x.length);
            float[] row = new float[d], got = new float[d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * d, row, 0, d);
                int[] label = y == null ? null : new int[] {y[i] == m.card().nullClass() ? -1 : (int) y[i]};
                m.network().predict(row, 1, t[i], label, null, got);
                close(out, got, i * d, d, name + " row " + i);
            }
        }
    }

    @Test
    void baseModel() {
        unet("base.json", "base");
    }

    @Test
    void conditionalModelWithItsNullClass() {
        unet("conditional.json", "conditional");
    }

    @Test
    void conditionalHasAtLeastTwiceTheBaseParameters() throws Exception {
        // the ONNX files hold the weights as float32 initialisers: their sizes track the parameter counts
        long base = Files.size(DIR.resolve("base.onnx")), cond = Files.size(DIR.resolve("conditional.onnx"));
        assertTrue(cond >= 2 * base, "conditional.onnx " + cond + " bytes, base.onnx " + base);
    }

    @Test
    void classifierRewardIsTheLogSoftmaxOfItsLogits() {
        Safetensors.Contents c = golden("classifier");
        float[] x = c.tensors().get("x").data(), logits = c.tensors().get("out").data();
        int n = x.length / IMAGE.size();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (int cls = 0; cls < 10; cls++) {
                var r = OnnxRewards.parse("onnx:" + DIR.resolve("classifier.onnx") + ":class=" + cls, IMAGE, OnnxOptions.defaults(), opened);
                double[] got = new double[n];
                r.evaluate(x, n, got);
                for (int i = 0; i < n; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int k = 0; k < 10; k++) max = Math.max(max, logits[i * 10 + k]);
                    for (int k = 0; k < 10; k++) sum += Math.exp(logits[i * 10 + k] - max);
                    double want = logits[i * 10 + cls] - max - Math.log(sum);
                    assertEquals(want, got[i], TOL * Math.max(1, Math.abs(want)), "row " + i + " class " + cls);
                }
            }
        } finally {
            OnnxRewards.closeAll(opened);
        }
    }

    @Test
    void judgeLogitsAndFeatures() {
        for (String name : new String[] {"judge", "judge-features"}) {
            Safetensors.Contents c = golden(name);
            float[] x = c.tensors().get("x").data(), out = c.tensors().get("out").data();
            int n = x.length / IMAGE.size();
            try (OnnxDecoder g = OnnxDecoder.open(DIR.resolve(name + ".onnx"), IMAGE, "models", OnnxOptions.defaults())) {
                assertEquals(out.length / n, g.outputShape().size());
                float[] got = new float[out.length];
                g.decode(x, n, got);
                close(out, got, 0, out.length, name);
            }
        }
    }
}
