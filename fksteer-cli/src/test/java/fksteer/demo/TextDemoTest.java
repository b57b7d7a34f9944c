package fksteer.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.cli.CliTest;
import fksteer.eval.Afinn;
import fksteer.onnx.OnnxModel;
import fksteer.onnx.OnnxOptions;
import fksteer.process.Condition;
import fksteer.process.MaskedProcess;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.steer.BestOfN;
import fksteer.steer.SteerResult;
import fksteer.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The text experiment (issue 14): FK at k = 8 against best-of-8 at equal network evaluations, judged by
 * AFINN-165 (never steered with); and the steer command's text output.
 */
class TextDemoTest {
    static final Path CARD = Path.of("..", "models", "text", "fortunes.json");
    static final int STEPS = 64;

    /** One method's kept text per (prompt, seed) cell, with its reward and the run's NFE. */
    record Kept(String[] texts, double[] rewards, long nfe) {}

    /** Best-of-8 and FK-8 (the demo's settings) toward spec on the demo's prompts, seeds 0..seeds-1; each keeps its highest-reward text. */
    static Kept[] run(OnnxModel m, String spec, int seeds) {
        MaskedProcess base = (MaskedProcess) m.process(Condition.NONE);
        Reward r = m.reward(spec);
        Vocabulary v = m.card().vocab();
        int L = base.dim(), n = TextDemo.PROMPTS.size() * seeds, cell = 0, k = 8;
        String[][] texts = new String[2][n];
        double[][] rewards = new double[2][n];
        long[] nfe = new long[2];
        for (String prompt : TextDemo.PROMPTS) {
            MaskedProcess p = base.withPrompt(v.encode(prompt, "prompt"));
            for (int s = 0; s < seeds; s++, cell++) {
                SteerResult[] res = {TextDemo.fk(k, STEPS, 10).run(p, r, Rng.subSeed(s, "test-fk/" + spec + "/" + prompt)),
                        new BestOfN(k, STEPS, MaskedProcess.ANCESTRAL, 1, false, 0).run(p, r, Rng.subSeed(s, "test-bon/" + spec + "/" + prompt))};
                for (int j = 0; j < 2; j++) {
                    int b = ImagesDemo.best(res[j].rewards(), 0, res[j].n());
                    texts[j][cell] = v.decode(res[j].tokens(), b * L, L);
                    rewards[j][cell] = res[j].rewards()[b];
                    nfe[j] += res[j].nfe();
                }
            }
        }
        return new Kept[] {new Kept(texts[0], rewards[0], nfe[0]), new Kept(texts[1], rewards[1], nfe[1])};
    }

    /** Paired z of a - b over cells. */
    static double z(double[] a, double[] b) {
        int n = a.length;
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            double d = a[i] - b[i];
            mean += d;
            sq += d * d;
        }
        mean /= n;
        double se = Math.sqrt((sq / n - mean * mean) / (n - 1));
        return se > 0 ? mean / se : 0;
    }

    /**
     * The claim: FK at k = 8 beats best-of-8 on the rate of positive texts judged by AFINN-165
     * (never steered with), paired over prompts and seeds. <b>It is not established for this model</b>: over
     * 8 prompts x 4 seeds (other seeds) both kept 13 of 32 positive (z 0.00); the demo's 24 pairs give
     * 0.333 against 0.292 (z 0.33); this test's 16 pairs give 8 against 3 (z 2.61). Pooled, 72 pairs, FK
     * is ahead by about 0.08, not significantly. The texts are too garbled for a second lexicon to agree
     * with the first often (models/text/README.md). What holds, asserted with stated significance
     * (one-sided p < 0.01, z > 2.33, paired over 8 prompts x 2 seeds, fixed seeds, at equal NFE):
     * <ul>
     *   <li>toward fluency (the n-gram perplexity reward), FK-8's kept text has a higher reward than best-of-8's;</li>
     *   <li>toward sentiment, FK-8 is not worse than best-of-8 on the held-out AFINN judge (z > -2.33), and
     *       the numbers are printed.</li>
     * </ul>
     */
    @Test
    void fkAtEightAgainstBestOfEightAtEqualNfe() {
        int seeds = 2;
        try (OnnxModel m = OnnxModel.load(CARD, OnnxOptions.defaults().withThreads(2))) {
            Kept[] fluency = run(m, "perplexity", seeds);
            double zf = z(fluency[0].rewards(), fluency[1].rewards());
            String mf = String.format(Locale.ROOT, "fluency: FK-8 mean reward %.4f, best-of-8 %.4f, paired z %.2f; NFE %d vs %d",
                    mean(fluency[0].rewards()), mean(fluency[1].rewards()), zf, fluency[0].nfe(), fluency[1].nfe());
            System.out.println(mf);
            assertTrue(fluency[0].nfe() <= fluency[1].nfe() * 1.01, "equal NFE (the cache may differ by a few): " + mf);
            assertTrue(zf > 2.33, mf);

            Kept[] sentiment = run(m, "sentiment", seeds);
            int n = sentiment[0].texts().length;
            boolean[] a = new boolean[n], b = new boolean[n];
            for (int i = 0; i < n; i++) {
                a[i] = Afinn.positive(sentiment[0].texts()[i]);
                b[i] = Afinn.positive(sentiment[1].texts()[i]);
            }
            var cmp = ImagesDemo.paired(a, b);
            String ms = String.format(Locale.ROOT, "sentiment: AFINN positive FK-8 %d/%d, best-of-8 %d/%d, paired difference %.3f +- %.3f (z %.2f); "
                    + "VADER FK-8 %.4f, best-of-8 %.4f", count(a), n, count(b), n, cmp.get("meanDifference"), cmp.get("se"), cmp.get("z"),
                    mean(sentiment[0].rewards()), mean(sentiment[1].rewards()));
            System.out.println(ms);
            assertTrue((Double) cmp.get("z") > -2.33, ms);
        }
    }

    static double mean(double[] a) {
        return java.util.Arrays.stream(a).average().orElse(Double.NaN);
    }

    static int count(boolean[] a) {
        int c = 0;
        for (boolean x : a) c += x ? 1 : 0;
        return c;
    }

    /** `fksteer steer` on the text model writes the decoded texts with their weights and rewards, the same bits on 1 and 2 threads. */
    @Test
    void steerWritesTexts(@TempDir Path dir) throws Exception {
        String[] a = {"steer", "--model", CARD.toString(), "--method", "fk", "--reward", "sentiment", "--particles", "8", "--steps", "16",
                "--prompt", "Life is ", "--quiet", "--seed", "3"};
        JsonNode[] out = new JsonNode[2];
        for (int t = 1; t <= 2; t++) {
            Path o = dir.resolve("o" + t + ".json");
            CliTest.Run r = CliTest.run(concat(a, "--threads", String.valueOf(t), "--out", o.toString()));
            assertEquals(0, r.code(), r.err());
            out[t - 1] = new ObjectMapper().readTree(Files.readString(o));
        }
        JsonNode j = out[0];
        assertEquals(8, j.get("texts").size());
        assertEquals(8, j.get("logWeights").size());
        assertEquals(8, j.get("rewards").size());
        for (JsonNode t : j.get("texts")) assertTrue(t.asText().startsWith("Life is "), "the prompt starts every text: " + t);
        for (int i = 0; i < 8; i++) assertEquals(j.get("texts").get(i), out[1].get("texts").get(i), "the same text on 1 and 2 threads");
        assertEquals(j.get("logWeights"), out[1].get("logWeights"));
        assertEquals("masked", j.get("config").get("process").asText());
        assertEquals("ancestral", j.get("config").get("sampler").asText());
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
