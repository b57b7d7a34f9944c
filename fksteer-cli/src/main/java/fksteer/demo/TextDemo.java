package fksteer.demo;

import fksteer.cli.ProgressBar;
import fksteer.eval.Afinn;
import fksteer.eval.Distinct;
import fksteer.io.AtomicFiles;
import fksteer.io.BadInputException;
import fksteer.io.Json;
import fksteer.onnx.OnnxModel;
import fksteer.onnx.OnnxOptions;
import fksteer.process.Condition;
import fksteer.process.MaskedProcess;
import fksteer.resample.ResampleSchedule;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.SteerResult;
import fksteer.text.CharNGram;
import fksteer.text.TextRewards;
import fksteer.text.Vocabulary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's text experiment at small scale ({@code fksteer demo text}): the fortunes masked
 * diffusion model (MDLM) steered toward positive sentiment, and toward fluency, from short prompts.
 * For each prompt and seed, at equal NFE per output text: the unsteered base, best-of-N and FK with
 * k = 2, 4, 8 particles, each returning its highest-reward text. Judged by what was not steered with:
 * the AFINN-165 lexicon's positive rate (a different lexicon from VADER's), perplexity under the
 * character n-gram model, and distinct-2/3 diversity.
 */
public final class TextDemo {
    /** The particle counts compared. */
    public static final int[] SIZES = {2, 4, 8};
    /** The prompts every method completes (each a fixed prefix the model writes on from). */
    public static final List<String> PROMPTS = List.of("I ", "The ", "My ", "Life is ", "People ", "Love ", "Work ", "You ");

    /**
     * @param card     the model card (models/text/fortunes.json)
     * @param eval     held-out real quotations (data/text/heldout-eval.txt): the reference for perplexity and positive rate
     * @param seeds    runs per prompt and method
     * @param lambda   FK's tilt for the sentiment reward (the fluency reward's is lambda too)
     */
    public record Settings(Path card, Path eval, Path out, long seed, int seeds, int steps, double lambda, int threads, boolean quiet) {}

    private final Settings s;
    private PrintWriter progressTo = new PrintWriter(System.err, true);

    public TextDemo(Settings s) {
        this.s = s;
    }

    public TextDemo progressTo(PrintWriter w) {
        this.progressTo = w;
        return this;
    }

    /** The demo's FK: k particles, many:4 sampled x̂0 rewards (free on a masked process), resampling from 20% to 90% of the unmasking. */
    public static FkSteering fk(int k, int steps, double lambda) {
        return FkSteering.defaults(k, steps).withSampler(MaskedProcess.ANCESTRAL).withLambda(lambda).withIntermediate(Intermediate.MANY, 1, 4)
                .withSchedule(new ResampleSchedule(0.2, 0.9, 8, 0, 0.5)).withOutput(FkSteering.OutputPolicy.WEIGHTED);
    }

    /** One method's output texts, one per (prompt, seed), with its compute. */
    static final class Method {
        final String name, kind;
        final int k;
        final String[] texts;
        final double[] rewards;
        long nfe, rewardCalls;
        double seconds;

        Method(String name, String kind, int k, int runs) {
            this.name = name;
            this.kind = kind;
            this.k = k;
            this.texts = new String[runs];
            this.rewards = new double[runs];
        }
    }

    public Map<String, Object> run() throws IOException {
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(s.card)) throw new BadInputException("--model: " + s.card + " is missing (models/text/fortunes.json in the checkout)");
        List<String> real = TextRewards.readTexts(s.eval, "--eval " + s.eval + ": ");
        OnnxOptions opts = OnnxOptions.defaults().withThreads(Math.min(OnnxOptions.MAX_THREADS, s.threads));
        Map<String, Object> summary = new LinkedHashMap<>();
        try (OnnxModel model = OnnxModel.load(s.card, opts)) {
            if (!model.card().masked()) throw new BadInputException("--model: " + s.card + " is not a masked (text) model's card");
            MaskedProcess base = (MaskedProcess) model.process(Condition.NONE);
            Vocabulary vocab = model.card().vocab();
            CharNGram ngram = model.referenceModel();
            summary.put("reference", reference(real, ngram));
            List<Map<String, Object>> experiments = new ArrayList<>();
            StringBuilder samples = new StringBuilder("# fksteer demo text: sample outputs\n\n");
            for (String spec : List.of("sentiment", "perplexity")) {
                Reward reward = model.reward(spec);
                List<Method> methods = steer(base, vocab, reward, spec);
                experiments.add(evaluate(spec, methods, ngram));
                samples.append(samplesSection(spec, methods));
            }
            summary.put("experiments", experiments);
            summary.put("settings", Map.of("model", s.card.toString(), "steps", s.steps, "seeds", s.seeds, "lambda", s.lambda, "seed", s.seed,
                    "prompts", PROMPTS, "fk", "many:4 sampled x0-hat rewards, diff potential, resampling at 8 steps in [0.2, 0.9] when ESS/k < 0.5; "
                            + "each method returns its highest-reward text"));
            summary.put("wallSeconds", (System.nanoTime() - t0) / 1e9);
            Json.write(s.out.resolve("summary.json"), summary);
            AtomicFiles.writeBytes(s.out.resolve("samples.md"), samples.toString().getBytes(StandardCharsets.UTF_8));
            AtomicFiles.writeBytes(s.out.resolve("report.md"), Report.finiteText(s.out.resolve("report.md"), report(summary)));
        }
        return summary;
    }

    /** Held-out real quotations: their perplexity, AFINN positive rate and diversity. */
    static Map<String, Object> reference(List<String> real, CharNGram ngram) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("texts", real.size());
        m.put("perplexity", ngram.perplexity(real));
        long pos = real.stream().filter(Afinn::positive).count();
        m.put("positiveRate", (double) pos / real.size());
        m.put("distinct2", Distinct.of(real, 2));
        m.put("distinct3", Distinct.of(real, 3));
        return m;
    }

    private List<Method> steer(MaskedProcess base, Vocabulary vocab, Reward reward, String spec) {
        int P = PROMPTS.size(), R = s.seeds, runs = P * R, maxN = SIZES[SIZES.length - 1], L = base.dim();
        List<Method> methods = new ArrayList<>();
        Method unsteered = new Method("base", "base", 1, runs);
        methods.add(unsteered);
        Method[] bon = new Method[SIZES.length], fk = new Method[SIZES.length];
        for (int i = 0; i < SIZES.length; i++) methods.add(bon[i] = new Method("best-of-" + SIZES[i], "best-of-n", SIZES[i], runs));
        for (int i = 0; i < SIZES.length; i++) methods.add(fk[i] = new Method("fk-" + SIZES[i], "fk", SIZES[i], runs));
        long stages = (long) P * (1 + (long) SIZES.length * R);
        try (ProgressBar bar = ProgressBar.open("demo text (" + spec + ")", stages, "runs", progressTo, s.quiet)) {
            long done = 0;
            for (int p = 0; p < P; p++) {
                MaskedProcess proc = base.withPrompt(vocab.encode(PROMPTS.get(p), "prompt"));
                // the base and best-of-N: maxN draws per seed in one batch; base = the first draw, best-of-k = the best of the first k
                long a = System.nanoTime();
                SteerResult all = new BestOfN(R * maxN, s.steps, MaskedProcess.ANCESTRAL, 1, false, 0).run(proc, reward,
                        Rng.subSeed(s.seed, "bon/" + spec + "/" + p));
                double sec = (System.nanoTime() - a) / 1e9;
                for (int r = 0; r < R; r++) {
                    int g = r * maxN, run = p * R + r;
                    set(unsteered, run, all, g, vocab, L);
                    for (int i = 0; i < SIZES.length; i++) set(bon[i], run, all, ImagesDemo.best(all.rewards(), g, g + SIZES[i]), vocab, L);
                }
                double perDraw = (double) all.nfe() / ((long) R * maxN);
                unsteered.nfe += Math.round(perDraw * R);
                unsteered.rewardCalls += R;
                unsteered.seconds += sec / maxN;
                for (int i = 0; i < SIZES.length; i++) {
                    bon[i].nfe += Math.round(perDraw * R * SIZES[i]);
                    bon[i].rewardCalls += (long) R * SIZES[i];
                    bon[i].seconds += sec * SIZES[i] / maxN;
                }
                bar.progress(++done, stages, "runs");
                for (int i = 0; i < SIZES.length; i++)
                    for (int r = 0; r < R; r++) {
                        a = System.nanoTime();
                        SteerResult res = fk(SIZES[i], s.steps, s.lambda).run(proc, reward, Rng.subSeed(s.seed, "fk/" + spec + "/" + p + "/" + r + "/" + SIZES[i]));
                        fk[i].seconds += (System.nanoTime() - a) / 1e9;
                        set(fk[i], p * R + r, res, ImagesDemo.best(res.rewards(), 0, res.n()), vocab, L);
                        fk[i].nfe += res.nfe();
                        fk[i].rewardCalls += res.rewardCalls();
                        bar.progress(++done, stages, "runs");
                    }
            }
            bar.finish();
        }
        return methods;
    }

    private static void set(Method m, int run, SteerResult res, int row, Vocabulary vocab, int L) {
        m.texts[run] = vocab.decode(res.tokens(), row * L, L);
        m.rewards[run] = res.rewards()[row];
    }

    /** The table of one experiment: per method, the judged positive rate, mean reward, perplexity, diversity and compute per text. */
    private Map<String, Object> evaluate(String spec, List<Method> methods, CharNGram ngram) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("reward", spec);
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, boolean[]> positive = new LinkedHashMap<>();
        for (Method m : methods) {
            int n = m.texts.length;
            boolean[] pos = new boolean[n];
            int c = 0;
            double r = 0;
            for (int i = 0; i < n; i++) {
                pos[i] = Afinn.positive(m.texts[i]);
                if (pos[i]) c++;
                r += m.rewards[i];
            }
            positive.put(m.name, pos);
            double rate = (double) c / n;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("method", m.name);
            row.put("k", m.k);
            row.put("positiveRate", rate);
            row.put("positiveRateSe", Math.sqrt(rate * (1 - rate) / n));
            row.put("meanReward", r / n);
            row.put("perplexity", ngram.perplexity(List.of(m.texts)));
            row.put("distinct2", Distinct.of(List.of(m.texts), 2));
            row.put("distinct3", Distinct.of(List.of(m.texts), 3));
            row.put("nfePerText", (double) m.nfe / n);
            row.put("rewardCallsPerText", (double) m.rewardCalls / n);
            row.put("secondsPerText", m.seconds / n);
            rows.add(row);
        }
        e.put("methods", rows);
        Map<String, Object> cmp = new LinkedHashMap<>();
        for (int k : SIZES) cmp.put("fk-" + k + " vs best-of-" + k, ImagesDemo.paired(positive.get("fk-" + k), positive.get("best-of-" + k)));
        e.put("pairedPositiveRate", cmp);
        return e;
    }

    private String samplesSection(String spec, List<Method> methods) {
        StringBuilder b = new StringBuilder("## Steered toward " + spec + "\n\n");
        int R = s.seeds;
        for (int p = 0; p < PROMPTS.size(); p++) {
            b.append("### Prompt \"").append(PROMPTS.get(p)).append("\" (seed 0)\n\n");
            for (Method m : methods) b.append("- **").append(m.name).append("**: ").append(escape(m.texts[p * R])).append('\n');
            b.append('\n');
        }
        return b.toString();
    }

    private static String escape(String t) {
        return t.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`").replace("<", "&lt;");
    }

    @SuppressWarnings("unchecked")
    private String report(Map<String, Object> summary) {
        Map<String, Object> ref = (Map<String, Object>) summary.get("reference");
        StringBuilder b = new StringBuilder("# fksteer demo text: steering a masked diffusion language model\n\n");
        b.append(String.format(Locale.ROOT, "The fortunes MDLM (%s), %d ancestral steps, %d prompts × %d seeds per method, FK λ = %s, seed %d. "
                        + "Every method returns one text per prompt and seed, its highest-reward one; NFE per text is counted exactly "
                        + "(MDLM's cache skips sequences that did not change).%n%n", s.card, s.steps, PROMPTS.size(), s.seeds, Report.f(s.lambda), s.seed));
        b.append(String.format(Locale.ROOT, "Held-out real quotations (%d): perplexity %.2f, AFINN positive rate %.3f, distinct-2 %.3f, distinct-3 %.3f.%n%n",
                (Integer) ref.get("texts"), (Double) ref.get("perplexity"), (Double) ref.get("positiveRate"), (Double) ref.get("distinct2"),
                (Double) ref.get("distinct3")));
        for (Map<String, Object> e : (List<Map<String, Object>>) summary.get("experiments")) {
            b.append("## Steered toward ").append(e.get("reward")).append("\n\n");
            b.append("| method | AFINN positive rate | mean reward | perplexity | distinct-2 | distinct-3 | NFE / text | reward calls / text | s / text |\n");
            b.append("|---|---|---|---|---|---|---|---|---|\n");
            for (Map<String, Object> r : (List<Map<String, Object>>) e.get("methods"))
                b.append(String.format(Locale.ROOT, "| %s | %.3f ± %.3f | %.4f | %.2f | %.3f | %.3f | %.0f | %.1f | %.2f |%n", r.get("method"), r.get("positiveRate"),
                        r.get("positiveRateSe"), r.get("meanReward"), r.get("perplexity"), r.get("distinct2"), r.get("distinct3"), r.get("nfePerText"),
                        r.get("rewardCallsPerText"), r.get("secondsPerText")));
            b.append("\nFK against best-of-N at equal k, AFINN positive rate, paired over prompts and seeds:\n\n");
            List<String> holds = new ArrayList<>(), not = new ArrayList<>();
            for (Map.Entry<String, Object> c : ((Map<String, Object>) e.get("pairedPositiveRate")).entrySet()) {
                Map<String, Object> m = (Map<String, Object>) c.getValue();
                b.append(String.format(Locale.ROOT, "- %s: difference %+.3f ± %.3f (z %.2f, %d pairs)%n", c.getKey(), m.get("meanDifference"), m.get("se"),
                        m.get("z"), m.get("pairs")));
                (((Double) m.get("z")) > 2.33 ? holds : not).add(c.getKey().substring(0, c.getKey().indexOf(' ')).replace("fk-", "k = "));
            }
            b.append(String.format(Locale.ROOT, "%nThe paper's shape, FK well above best-of-N at equal k on the held-out judge (here: a paired z > 2.33), "
                    + "%s.%n%n", holds.isEmpty() ? "does not hold at any k" : "holds at " + String.join(", ", holds)
                    + (not.isEmpty() ? " and not at " + String.join(", ", not) : "")));
        }
        b.append("Positive rate: the share of output texts whose AFINN-165 score is > 0 (± one binomial standard error); AFINN is never "
                + "steered with. Perplexity: exp of the mean negative log-likelihood per character (end of text included) under the "
                + "character n-gram model fitted on data/text/heldout-ngram.txt. Distinct-n: distinct word n-grams / all word n-grams "
                + "over a method's texts. Sample texts: samples.md.\n");
        b.append(String.format(Locale.ROOT, "%nWall time: %.1f s.%n", (Double) summary.get("wallSeconds")));
        return b.toString();
    }
}
