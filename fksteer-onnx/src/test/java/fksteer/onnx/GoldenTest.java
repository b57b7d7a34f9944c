package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.Models;
import fksteer.io.Safetensors;
import fksteer.model.MlpFlow;
import fksteer.process.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX Runtime, fed through fksteer's own path (card, time mapping, class mapping, batching, direct
 * buffers), reproduces PyTorch's outputs that make_fixtures.py stored beside each graph: every value
 * within 1e-5 (absolute up to magnitude 1, relative above). The golden rows have different times, so
 * denoisers run them one row per call (a Denoiser call shares one time); a second pass runs all rows
 * of one time together in batches of 3 to cross chunk boundaries.
 */
class GoldenTest {
    static final double TOL = 1e-5;

    static void close(float[] want, float[] got, int from, int len, String what) {
        for (int i = 0; i < len; i++) {
            double w = want[from + i], g = got[i];
            assertTrue(Math.abs(w - g) <= TOL * Math.max(1, Math.abs(w)), what + " entry " + i + ": torch " + w + ", onnx " + g);
        }
    }

    /** Runs a denoiser golden: rows one at a time, at time fed / timeScale, labels (null id = -1). */
    static void denoiser(String card, String golden, String sample, String time, String label) {
        try (OnnxModel m = Fixtures.model(card)) {
            Safetensors.Contents c = Fixtures.golden(golden);
            float[] x = c.tensors().get(sample).data(), out = c.tensors().get("out").data(), t = c.tensors().get(time).data();
            int d = m.card().size(), n = x.length / d;
            float[] y = label == null ? null : c.tensors().get(label).data();
            float[] row = new float[d], got = new float[d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * d, row, 0, d);
                float ti = (float) (t[t.length == 1 ? 0 : i] / m.card().timeScale());
                int[] l = y == null ? null : new int[] {y[i] == m.card().nullClass() ? -1 : (int) y[i]};
                m.network().predict(row, 1, ti, l, null, got);
                close(out, got, i * d, d, golden + " row " + i);
            }
        }
    }

    @Test
    void vpMixtureWithInt64TimeAndClass() {
        denoiser("mixture-vp.card.json", "mixture-vp", "x", "t", "y");
    }

    @Test
    void flowMixtureWithRank2Time() {
        denoiser("mixture-flow.card.json", "mixture-flow", "x", "t", null);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void sd3MixtureWithScalarScaledTime(int k) {
        denoiser("mixture-sd3.card.json", "mixture-sd3." + k, "hidden_states", "timestep", null);
    }

    @Test
    void convolutionalNetwork() {
        denoiser("conv.card.json", "conv", "x", "t", null);
    }

    @Test
    void checkerboardMlpMatchesTorchAndTheNativeMlp() {
        denoiser("checkerboard-mlp.card.json", "checkerboard-mlp", "x", "t", null);
        // the same weights natively: fksteer's Mlp against ONNX Runtime, row by row
        Safetensors.Contents c = Fixtures.golden("checkerboard-mlp");
        float[] x = c.tensors().get("x").data(), t = c.tensors().get("t").data(), out = c.tensors().get("out").data();
        MlpFlow f = new MlpFlow(Models.checkerboardMlp());
        float[] got = new float[2];
        for (int i = 0; i < t.length; i++) {
            f.velocity(new float[] {x[2 * i], x[2 * i + 1]}, 1, t[i], got);
            close(out, got, 2 * i, 2, "native mlp row " + i);
        }
    }

    @Test
    void batchesOfThreeGiveTheSameRowsAsOneAtATime() {
        // many rows at one time through chunks of 3 (so 7 rows make chunks 3, 3, 1) equal the rows run alone
        OnnxOptions o = OnnxOptions.defaults().withMaxBatch(3);
        try (OnnxModel m = OnnxModel.load(Fixtures.file("mixture-vp.card.json"), o); OnnxModel one = Fixtures.model("mixture-vp.card.json")) {
            float[] x = Fixtures.golden("mixture-vp").tensors().get("x").data();
            int n = x.length / 2;
            int[] labels = {0, 1, -1, 0, 1, -1, -1};
            float[] batched = new float[2 * n], single = new float[2];
            m.network().predict(x, n, 500f, labels, null, batched);
            for (int i = 0; i < n; i++) {
                one.network().predict(new float[] {x[2 * i], x[2 * i + 1]}, 1, 500f, new int[] {labels[i]}, null, single);
                assertEquals(single[0], batched[2 * i]);
                assertEquals(single[1], batched[2 * i + 1]);
            }
        }
    }

    @Test
    void classifierScalarScorerAndDecoder() {
        OnnxOptions o = OnnxOptions.defaults().withMaxBatch(4);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Safetensors.Contents c = Fixtures.golden("classifier");
            float[] x = c.tensors().get("x").data(), out = c.tensors().get("out").data();
            int n = x.length / 2;
            for (int cls = 0; cls < 2; cls++) {
                var r = OnnxRewards.parse("onnx:" + Fixtures.file("classifier.onnx") + ":class=" + cls, Shape.of(2), o, opened);
                double[] got = new double[n];
                r.evaluate(x, n, got);
                // the graph gives log p(c | x) already normalised, so log-softmax leaves it as it is
                for (int i = 0; i < n; i++)
                    assertEquals(out[2 * i + cls], got[i], TOL * Math.max(1, Math.abs(out[2 * i + cls])), "classifier row " + i + " class " + cls);
            }
            Safetensors.Contents s = Fixtures.golden("scorer");
            float[] xs = s.tensors().get("x").data(), os = s.tensors().get("out").data();
            var scorer = OnnxRewards.parse("onnx:" + Fixtures.file("scorer.onnx"), Shape.of(2), o, opened);
            double[] got = new double[os.length];
            scorer.evaluate(xs, os.length, got);
            for (int i = 0; i < os.length; i++) assertEquals(os[i], got[i], TOL * Math.max(1, Math.abs(os[i])), "scorer row " + i);
            // r = -|x - (1, 0.5)|^2 in closed form, the built-in quadratic:1,0.5
            double[] builtin = new double[os.length];
            fksteer.reward.Rewards.parse("quadratic:1,0.5").evaluate(xs, os.length, builtin);
            for (int i = 0; i < os.length; i++) assertEquals(builtin[i], got[i], 1e-5 * Math.max(1, Math.abs(builtin[i])), "scorer vs quadratic row " + i);

            Safetensors.Contents dc = Fixtures.golden("decoder");
            float[] z = dc.tensors().get("latent").data(), px = dc.tensors().get("out").data();
            try (OnnxDecoder dec = new OnnxDecoder(Fixtures.file("decoder.onnx"), Shape.of(2), "test", o)) {
                assertEquals(Shape.of(3), dec.outputShape());
                float[] pixels = new float[px.length];
                dec.decode(z, z.length / 2, pixels);
                close(px, pixels, 0, px.length, "decoder");
            }
        } finally {
            for (AutoCloseable a : opened) {
                try {
                    a.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
