package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.io.Json;
import fksteer.process.Condition;
import fksteer.process.MaskedProcess;
import fksteer.steer.BestOfN;
import fksteer.steer.SteerResult;
import fksteer.text.CharNGram;
import fksteer.text.TextRewards;
import fksteer.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The shipped text model (models/text/fortunes.json, made by scripts/text/train_mdlm.py): its card,
 * PyTorch's logits through fksteer's feeding path and the quality of its unsteered samples (the paper's
 * text claim is TextDemoTest's, in the CLI module, with the demo's settings).
 */
class TextModelTest {
    static final Path DIR = Path.of("..", "models", "text"), CARD = DIR.resolve("fortunes.json");
    static final Path DATA = Path.of("..", "data", "text");
    /** The steps of the sampling checks (the demo's). */
    static final int STEPS = 64;

    @Test
    void theCardIsTheContract() {
        try (OnnxModel m = OnnxModel.load(CARD, OnnxOptions.defaults())) {
            ModelCard c = m.card();
            assertTrue(c.masked());
            assertEquals(128, c.size());
            Vocabulary v = c.vocab();
            assertEquals(97, v.size());
            assertEquals(96, v.mask());
            assertEquals(95, v.pad());
            for (int i = 0; i < 95; i++) assertEquals(String.valueOf((char) (0x20 + i)), v.tokens().get(i));
            assertFalse(m.tokenNetwork().timeConditioned(), "MDLM's network ignores time, so its output is cached");
            assertTrue(Files.size(DIR.resolve("fortunes.onnx")) <= 10L << 20, "the model is at most 10 MB");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** PyTorch's logits (models/text/golden/fortunes.json) through the card's int64 tokens input; 1e-4 absolute up to magnitude 1, relative above. */
    @Test
    void logitsEqualPyTorchs() throws Exception {
        JsonNode g = Json.MAPPER.readTree(DIR.resolve("golden").resolve("fortunes.json").toFile());
        try (OnnxModel m = OnnxModel.load(CARD, OnnxOptions.defaults())) {
            int L = m.card().size(), V = m.card().vocab().size(), n = g.get("inputs").size();
            int[] tokens = new int[n * L];
            for (int i = 0; i < n; i++) for (int l = 0; l < L; l++) tokens[i * L + l] = g.get("inputs").get(i).get(l).asInt();
            float[] out = new float[n * L * V];
            m.tokenNetwork().logits(tokens, n, 1f, out);
            JsonNode pos = g.get("positions");
            for (int i = 0; i < n; i++)
                for (int j = 0; j < pos.size(); j++)
                    for (int v = 0; v < V; v++) {
                        double want = g.get("logits").get(i).get(j).get(v).asDouble(), got = out[(i * L + pos.get(j).asInt()) * V + v];
                        assertTrue(Math.abs(want - got) <= 1e-4 * Math.max(1, Math.abs(want)),
                                String.format(Locale.ROOT, "sequence %d position %d token %d: torch %s, onnx %s", i, pos.get(j).asInt(), v, want, got));
                    }
        }
    }

    static List<String> texts(SteerResult r, Vocabulary v, int L) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < r.n(); i++) out.add(v.decode(r.tokens(), i * L, L));
        return out;
    }

    /**
     * Unsteered samples read like text: their perplexity under the character n-gram model fitted on held-out
     * quotations is within 1.5x of held-out real quotations' (the bar), and they are not copies of the
     * training set (at most a quarter are verbatim training quotations).
     */
    @Test
    void unsteeredSamplesReadLikeText() throws Exception {
        try (OnnxModel m = OnnxModel.load(CARD, OnnxOptions.defaults())) {
            CharNGram ngram = m.referenceModel();
            List<String> real = TextRewards.readTexts(DATA.resolve("heldout-eval.txt"), "heldout-eval: ");
            int n = 96, L = m.card().size();
            SteerResult r = new BestOfN(n, STEPS, MaskedProcess.ANCESTRAL, 1, false, 0).run(m.process(Condition.NONE), m.reward("sentiment"), 1);
            List<String> samples = texts(r, m.card().vocab(), L);
            double ratio = ngram.perplexity(samples) / ngram.perplexity(real);
            System.out.printf(Locale.ROOT, "unsteered perplexity %.3f, held-out %.3f, ratio %.3f%n", ngram.perplexity(samples), ngram.perplexity(real), ratio);
            assertTrue(ratio <= 1.5, String.format(Locale.ROOT, "unsteered samples' perplexity is %.2f x the held-out quotations'", ratio));
            java.util.Set<String> train = new java.util.HashSet<>(Files.readAllLines(DATA.resolve("train.txt")));
            long copies = samples.stream().filter(train::contains).count();
            assertTrue(copies <= n / 4, copies + " of " + n + " samples are verbatim training quotations");
            assertTrue(samples.stream().filter(String::isEmpty).count() <= n / 10, "empty samples");
        }
    }
}
