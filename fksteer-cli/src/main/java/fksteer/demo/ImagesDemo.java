package fksteer.demo;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.cli.ProgressBar;
import fksteer.data.Digits;
import fksteer.eval.Frechet;
import fksteer.io.AtomicFiles;
import fksteer.io.BadInputException;
import fksteer.io.Json;
import fksteer.onnx.OnnxDecoder;
import fksteer.onnx.OnnxModel;
import fksteer.onnx.OnnxOptions;
import fksteer.plot.ImageGrid;
import fksteer.plot.Plots;
import fksteer.process.Condition;
import fksteer.process.Process;
import fksteer.process.Shape;
import fksteer.resample.ResampleSchedule;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.SteerResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fksteer demo images}: the paper's text-to-image experiment at small scale, on MNIST. The
 * "prompt" is a digit class c, the reward is the shipped classifier's log p(c | x), and a judge of a
 * different architecture, trained on other data, scores the outputs. For each class and seed, at equal
 * network evaluations: the unconditional base model unsteered, best-of-N, FK steering with k particles,
 * and the bigger class-conditional model at its CFG scale chosen on the training split.
 *
 * <p>Every method uses the same sampler (DDIM, η = 1) and number of steps. Best-of-N keeps the sample of
 * highest reward among N; FK keeps the final particle of highest reward (the paper's choice for images),
 * so both return one image per run and cost N × steps (k × steps) evaluations. Best-of-N's N samples
 * are the first N of 16 drawn per run, so best-of-2 ⊂ best-of-4 ⊂ ... share draws (each is still an
 * exact best-of-N).
 */
public final class ImagesDemo {
    static final int[] SIZES = {2, 4, 8, 16};
    static final int CLASSES = Digits.CLASSES;

    /**
     * @param models folder holding base.json, conditional.json, classifier.onnx, judge.onnx, judge-features.onnx and cfg-scale.json
     * @param data   the digit file (data/mnist/digits.fkd.gz)
     * @param seeds  runs per class and method (R)
     * @param steps  sampler steps of every run
     * @param lambda FK's tilt
     */
    public record Settings(Path models, Path data, Path out, long seed, int seeds, int steps, double lambda, int threads, boolean quiet) {
        public Settings {
            if (seeds < 2 || seeds > 1000) throw new IllegalArgumentException("--seeds must be in [2, 1000], got " + seeds);
            if (steps < 2 || steps > 1000) throw new IllegalArgumentException("--steps must be in [2, 1000] (the model's 1000 training steps), got " + steps);
            if (!(lambda > 0) || !Double.isFinite(lambda)) throw new IllegalArgumentException("--lambda must be a finite number > 0, got " + lambda);
        }
    }

    /** One method's outputs: one image per (class, seed). */
    static final class Method {
        final String name, family;
        final int size;
        final float[] images;           // [class][seed] rows
        final double[] rewards;         // classifier reward of each output, for its class
        long nfe, rewardCalls;          // summed over runs
        double seconds;

        Method(String name, String family, int size, int runs, int dim) {
            this.name = name;
            this.family = family;
            this.size = size;
            this.images = new float[runs * dim];
            this.rewards = new double[runs];
        }
    }

    private final Settings s;
    private java.io.PrintWriter progressTo = new java.io.PrintWriter(System.err, true);

    public ImagesDemo(Settings s) {
        this.s = s;
    }

    public ImagesDemo progressTo(java.io.PrintWriter err) {
        this.progressTo = err;
        return this;
    }

    /** The files the demo reads, each checked before anything runs (one line naming the missing one). */
    static Path need(Path folder, String name, String flag) {
        Path p = folder.resolve(name);
        if (!Files.isRegularFile(p))
            throw new BadInputException(flag + ": " + p + " is missing (run from the fksteer checkout, or point " + flag
                    + " at a folder made by scripts/mnist/train_mnist.py)");
        return p;
    }

    /** The conditional model's CFG scale, as scripts/mnist/train_mnist.py chose it on the training split. */
    static double cfgScale(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadInputException(file + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        JsonNode w = root == null ? null : root.get("scale");
        if (w == null || !w.isNumber() || !(w.asDouble() >= 0) || !Double.isFinite(w.asDouble()))
            throw new BadInputException(file + ": field \"scale\" must be a finite number >= 0");
        return w.asDouble();
    }

    public Map<String, Object> run() throws IOException {
        long t0 = System.nanoTime();
        Path baseCard = need(s.models, "base.json", "--models"), condCard = need(s.models, "conditional.json", "--models");
        Path clf = need(s.models, "classifier.onnx", "--models"), judgeFile = need(s.models, "judge.onnx", "--models");
        Path featFile = need(s.models, "judge-features.onnx", "--models");
        double cfg = cfgScale(need(s.models, "cfg-scale.json", "--models"));
        if (!Files.isRegularFile(s.data)) throw new BadInputException("--data: " + s.data + " is missing (data/mnist/digits.fkd.gz in the checkout)");
        Digits digits = Digits.read(s.data);
        OnnxOptions opts = OnnxOptions.defaults().withThreads(Math.min(OnnxOptions.MAX_THREADS, s.threads));
        Map<String, Object> summary = new LinkedHashMap<>();
        // every model opens before any sampling, so a bad file costs nothing
        try (OnnxModel base = OnnxModel.load(baseCard, opts); OnnxModel cond = OnnxModel.load(condCard, opts);
             OnnxDecoder judge = OnnxDecoder.open(judgeFile, base.card().shape(), "models", opts);
             OnnxDecoder feats = OnnxDecoder.open(featFile, base.card().shape(), "models", opts)) {
            Shape shape = base.card().shape();
            if (judge.outputShape().size() != CLASSES)
                throw new BadInputException(judgeFile + ": the judge must give " + CLASSES + " logits per image, it gives " + judge.outputShape());
            int dim = shape.size(), R = s.seeds;
            if (dim != digits.size()) throw new BadInputException("--data: images of " + digits.size() + " pixels, but the base model's are " + dim);
            Reward[] reward = new Reward[CLASSES];
            for (int c = 0; c < CLASSES; c++) reward[c] = base.reward("onnx:" + clf + ":class=" + c);
            Sampler ddim = SAMPLER;
            Process baseProcess = base.process(Condition.NONE);
            List<Method> methods = new ArrayList<>();
            Method unsteered = new Method("base", "base", 1, CLASSES * R, dim);
            methods.add(unsteered);
            Method[] bon = new Method[SIZES.length], fk = new Method[SIZES.length];
            for (int i = 0; i < SIZES.length; i++) methods.add(bon[i] = new Method("best-of-" + SIZES[i], "best-of-n", SIZES[i], CLASSES * R, dim));
            for (int i = 0; i < SIZES.length; i++) methods.add(fk[i] = new Method("fk-" + SIZES[i], "fk", SIZES[i], CLASSES * R, dim));
            Method conditional = new Method(String.format(Locale.ROOT, "conditional (cfg %s)", Report.f(cfg)), "conditional", 1, CLASSES * R, dim);
            methods.add(conditional);
            int maxN = SIZES[SIZES.length - 1];
            float[] pool = new float[CLASSES * R * maxN * dim];            // every unsteered draw, for the base model's quality check
            FkSteering fkBase = fk(2, s.steps, s.lambda);
            long stages = (long) CLASSES * (2 + (long) SIZES.length * R);
            try (ProgressBar bar = ProgressBar.open("demo images", stages, "runs", progressTo, s.quiet)) {
                long done = 0;
                for (int c = 0; c < CLASSES; c++) {
                    // best-of-N and the unsteered base: 16 draws per seed in one batch, groups of 16 per seed
                    long a = System.nanoTime();
                    SteerResult all = new BestOfN(R * maxN, s.steps, ddim, 1, false, 1.0).run(baseProcess, reward[c], Rng.subSeed(s.seed, "bon/" + c));
                    double sec = (System.nanoTime() - a) / 1e9;
                    System.arraycopy(all.samples(), 0, pool, c * R * maxN * dim, R * maxN * dim);
                    for (int r = 0; r < R; r++) {
                        int g = r * maxN, run = c * R + r;
                        copy(all.samples(), g, unsteered.images, run, dim);
                        unsteered.rewards[run] = all.rewards()[g];
                        for (int i = 0; i < SIZES.length; i++) {
                            int best = best(all.rewards(), g, g + SIZES[i]);
                            copy(all.samples(), best, bon[i].images, run, dim);
                            bon[i].rewards[run] = all.rewards()[best];
                        }
                    }
                    long perDraw = all.nfe() / ((long) R * maxN);
                    unsteered.nfe += perDraw * R;
                    unsteered.rewardCalls += R;
                    unsteered.seconds += sec / maxN;
                    for (int i = 0; i < SIZES.length; i++) {
                        bon[i].nfe += perDraw * R * SIZES[i];
                        bon[i].rewardCalls += (long) R * SIZES[i];
                        bon[i].seconds += sec * SIZES[i] / maxN;
                    }
                    bar.progress(++done, stages, "runs");
                    // FK: one run per seed and particle count
                    for (int i = 0; i < SIZES.length; i++)
                        for (int r = 0; r < R; r++) {
                            a = System.nanoTime();
                            SteerResult res = fkBase.withParticles(SIZES[i]).run(baseProcess, reward[c], Rng.subSeed(s.seed, "fk/" + c + "/" + r + "/" + SIZES[i]));
                            fk[i].seconds += (System.nanoTime() - a) / 1e9;
                            int best = best(res.rewards(), 0, res.n());
                            copy(res.samples(), best, fk[i].images, c * R + r, dim);
                            fk[i].rewards[c * R + r] = res.rewards()[best];
                            fk[i].nfe += res.nfe();
                            fk[i].rewardCalls += res.rewardCalls();
                            bar.progress(++done, stages, "runs");
                        }
                    // the conditional model with classifier-free guidance
                    a = System.nanoTime();
                    SteerResult cr = new BestOfN(R, s.steps, ddim, 1, false, 1.0)
                            .run(cond.process(cfg == 1 ? Condition.label(c) : Condition.label(c).withCfg(cfg)), reward[c],   // w = 1 is the conditional output: one pass
                                    Rng.subSeed(s.seed, "conditional/" + c));
                    conditional.seconds += (System.nanoTime() - a) / 1e9;
                    System.arraycopy(cr.samples(), 0, conditional.images, c * R * dim, R * dim);
                    System.arraycopy(cr.rewards(), 0, conditional.rewards, c * R, R);
                    conditional.nfe += cr.nfe();
                    conditional.rewardCalls += cr.rewardCalls();
                    bar.progress(++done, stages, "runs");
                }
                bar.finish();
            }
            summary = evaluate(methods, pool, digits, judge, feats, shape, cfg, (System.nanoTime() - t0) / 1e9);
        }
        return summary;
    }

    /** Every method's sampler: DDIM with η = 1 (the paper's image setting; FK needs a stochastic sampler). */
    public static final Sampler SAMPLER = new Sampler(Sampler.Kind.DDIM, 1.0);

    /** The demo's FK: k particles, the diff potential on the reward of x̂0, {@link #schedule()}, every particle returned with its weight. */
    public static FkSteering fk(int k, int steps, double lambda) {
        return FkSteering.defaults(k, steps).withSampler(SAMPLER).withLambda(lambda).withSchedule(schedule())
                .withOutput(FkSteering.OutputPolicy.WEIGHTED);
    }

    /** The index of the highest reward: the image FK and best-of-N return. */
    public static int best(double[] rewards, int from, int to) {
        int b = from;
        for (int j = from + 1; j < to; j++) if (rewards[j] > rewards[b]) b = j;
        return b;
    }

    /** The paper's image schedule scaled to our steps: resampling at 20%, 40%, 60%, 80% of the way, adaptive at ESS/k < 0.5. */
    public static ResampleSchedule schedule() {
        return new ResampleSchedule(0.2, 0.8, 4, 0, 0.5);
    }

    private static void copy(float[] from, int row, float[] to, int toRow, int dim) {
        System.arraycopy(from, row * dim, to, toRow * dim, dim);
    }

    // ---------------------------------------------------------------- judging

    /** The judge's verdicts on n images: predicted class, its probability, and features. */
    public record Judged(int[] predicted, double[] maxProb, float[] features, int featureDim) {}

    public static Judged judge(OnnxDecoder judge, OnnxDecoder feats, float[] images, int n) {
        float[] logits = new float[n * CLASSES];
        judge.decode(images, n, logits);
        int[] pred = new int[n];
        double[] pmax = new double[n];
        for (int i = 0; i < n; i++) {
            int o = i * CLASSES, arg = 0;
            double max = logits[o], sum = 0;
            for (int k = 1; k < CLASSES; k++) if (logits[o + k] > max) {
                max = logits[o + k];
                arg = k;
            }
            for (int k = 0; k < CLASSES; k++) sum += Math.exp(logits[o + k] - max);
            pred[i] = arg;
            pmax[i] = 1 / sum;
        }
        int fd = feats.outputShape().size();
        float[] f = new float[n * fd];
        feats.decode(images, n, f);
        return new Judged(pred, pmax, f, fd);
    }

    private Map<String, Object> evaluate(List<Method> methods, float[] pool, Digits digits, OnnxDecoder judge, OnnxDecoder feats, Shape shape,
                                         double cfg, double sampleSeconds) throws IOException {
        int R = s.seeds, dim = shape.size();
        Map<String, Object> summary = new LinkedHashMap<>();
        int fd = feats.outputShape().size();
        // real held-out digits, per class and all together
        int[] heldAll = digits.indices(Digits.Part.HELD_OUT, -1);
        Judged real = judge(judge, feats, digits.unit(heldAll), heldAll.length);
        double realAcc = 0;
        for (int i = 0; i < heldAll.length; i++) if (real.predicted[i] == digits.label(heldAll[i])) realAcc++;
        realAcc /= heldAll.length;
        Frechet.Gaussian[] realByClass = new Frechet.Gaussian[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < heldAll.length; i++) if (digits.label(heldAll[i]) == c) rows.add(i);
            realByClass[c] = Frechet.fit(pick(real.features, rows, fd), rows.size(), fd);
        }
        Frechet.Gaussian realAll = Frechet.fit(real.features, heldAll.length, fd);

        // the base model's quality: every unsteered draw
        int poolN = pool.length / dim;
        Judged drawn = judge(judge, feats, pool, poolN);
        int confident = 0;
        int[] hist = new int[CLASSES];
        for (int i = 0; i < poolN; i++) {
            if (drawn.maxProb[i] > 0.9) confident++;
            hist[drawn.predicted[i]]++;
        }
        int[] trainRef = digits.indices(Digits.Part.REWARD_HALF, -1);
        Judged ref = judge(judge, feats, digits.unit(trainRef), trainRef.length);
        Map<String, Object> quality = new LinkedHashMap<>();
        quality.put("samples", poolN);
        quality.put("confidentFraction", (double) confident / poolN);
        quality.put("confidentFractionSe", Math.sqrt((double) confident / poolN * (1 - (double) confident / poolN) / poolN));
        quality.put("frechetToHeldOut", Frechet.distance(Frechet.fit(drawn.features, poolN, fd), realAll));
        quality.put("frechetRealToHeldOut", Frechet.distance(Frechet.fit(ref.features, trainRef.length, fd), realAll));
        quality.put("realSamples", trainRef.length);
        quality.put("heldOut", heldAll.length);
        quality.put("judgedClassHistogram", hist);
        quality.put("judgeHeldOutAccuracy", realAcc);
        summary.put("baseQuality", quality);

        // each method
        List<Map<String, Object>> table = new ArrayList<>();
        Map<String, boolean[]> correct = new LinkedHashMap<>();
        for (Method m : methods) {
            Judged j = judge(judge, feats, m.images, CLASSES * R);
            boolean[] ok = new boolean[CLASSES * R];
            double acc = 0, reward = 0, div = 0, fid = 0;
            for (int c = 0; c < CLASSES; c++) {
                for (int r = 0; r < R; r++) {
                    int i = c * R + r;
                    ok[i] = j.predicted[i] == c;
                    if (ok[i]) acc++;
                    reward += m.rewards[i];
                }
                float[] f = java.util.Arrays.copyOfRange(j.features, c * R * fd, (c + 1) * R * fd);
                div += Frechet.meanPairwiseDistance(f, R, fd);
                fid += Frechet.distance(Frechet.fit(f, R, fd), realByClass[c]);
            }
            int n = CLASSES * R;
            acc /= n;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("method", m.name);
            row.put("family", m.family);
            row.put("size", m.size);
            row.put("accuracy", acc);
            row.put("accuracySe", Math.sqrt(acc * (1 - acc) / n));
            row.put("meanReward", reward / n);
            row.put("diversity", div / CLASSES);
            row.put("frechet", fid / CLASSES);
            row.put("nfePerImage", (double) m.nfe / n);
            row.put("rewardCallsPerImage", (double) m.rewardCalls / n);
            row.put("wallSeconds", Math.round(m.seconds * 1e3) / 1e3);
            table.add(row);
            correct.put(m.name, ok);
        }
        summary.put("methods", table);
        summary.put("fk4VsBestOf4", paired(correct.get("fk-4"), correct.get("best-of-4")));
        summary.put("settings", Map.of("seedsPerClass", R, "steps", s.steps, "lambda", s.lambda, "sampler", "ddim eta 1",
                "cfgScale", cfg, "potential", "diff", "intermediate", "classifier on x0-hat", "schedule", "resample at 20/40/60/80% when ESS/k < 0.5",
                "seed", s.seed));
        summary.put("sampleSeconds", Math.round(sampleSeconds * 1e3) / 1e3);
        writeFigures(methods, shape, table);
        writeReport(summary, table);
        Json.write(s.out.resolve("summary.json"), summary);
        return summary;
    }

    private static float[] pick(float[] rows, List<Integer> idx, int d) {
        float[] out = new float[idx.size() * d];
        for (int k = 0; k < idx.size(); k++) System.arraycopy(rows, idx.get(k) * d, out, k * d, d);
        return out;
    }

    /** Paired comparison of two methods run on the same (class, seed) cells: mean difference, its SE and z. */
    public static Map<String, Object> paired(boolean[] a, boolean[] b) {
        int n = a.length;
        double mean = 0, sq = 0;
        for (int i = 0; i < n; i++) {
            int d = (a[i] ? 1 : 0) - (b[i] ? 1 : 0);
            mean += d;
            sq += d * d;
        }
        mean /= n;
        double var = (sq / n - mean * mean) * n / (n - 1);
        double se = Math.sqrt(var / n);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pairs", n);
        m.put("meanDifference", mean);
        m.put("se", se);
        m.put("z", se > 0 ? mean / se : (mean == 0 ? 0 : Math.signum(mean) * Double.MAX_VALUE));
        return m;
    }

    // ---------------------------------------------------------------- figures and report

    private void writeFigures(List<Method> methods, Shape shape, List<Map<String, Object>> table) throws IOException {
        int R = s.seeds, dim = shape.size();
        int[] sh = shape.dims();
        for (Method m : methods) {
            List<ImageGrid.Row> rows = new ArrayList<>();
            for (int c = 0; c < CLASSES; c++) {
                List<ImageGrid.Tile> tiles = new ArrayList<>();
                for (int r = 0; r < R; r++) tiles.add(new ImageGrid.Tile(m.images, (c * R + r) * dim, null));
                rows.add(new ImageGrid.Row("class " + c, tiles));
            }
            ImageGrid.write(s.out.resolve("grid-" + fileName(m.name) + ".png"), m.name + ": one image per seed (columns) and class (rows)",
                    sh, -1, 1, rows, 2);
        }
        // the overview: one row per method, classes across, seed 0
        List<ImageGrid.Row> rows = new ArrayList<>();
        for (Method m : methods) {
            if (!(m.size == 1 || m.size == 4)) continue;
            List<ImageGrid.Tile> tiles = new ArrayList<>();
            for (int c = 0; c < CLASSES; c++) tiles.add(new ImageGrid.Tile(m.images, c * R * dim, null));
            rows.add(new ImageGrid.Row(m.name, tiles));
        }
        ImageGrid.write(s.out.resolve("overview.png"), "asked for 0..9 (columns); seed 0", sh, -1, 1, rows, 3);
        // accuracy against NFE
        List<Plots.Series> series = new ArrayList<>();
        for (String fam : List.of("fk", "best-of-n", "base", "conditional")) {
            List<Map<String, Object>> rs = table.stream().filter(r -> r.get("family").equals(fam)).toList();
            double[] x = new double[rs.size()], y = new double[rs.size()], e = new double[rs.size()];
            for (int i = 0; i < rs.size(); i++) {
                x[i] = (double) rs.get(i).get("nfePerImage");
                y[i] = 100 * (double) rs.get(i).get("accuracy");
                e[i] = 100 * 2 * (double) rs.get(i).get("accuracySe");
            }
            String name = fam.equals("conditional") ? (String) rs.get(0).get("method") : fam.equals("fk") ? "FK (k = 2, 4, 8, 16)"
                    : fam.equals("best-of-n") ? "best-of-N (N = 2, 4, 8, 16)" : "base, unsteered";
            series.add(new Plots.Series(name, x, y, e));
        }
        Plots.lines(s.out.resolve("accuracy-vs-nfe.png"), "Judge's accuracy on the requested digit (error bars: 2 SE)", "network evaluations per image",
                "accuracy (%)", series, true, false, 760, 520);
    }

    static String fileName(String method) {
        return method.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("-+$", "");
    }

    @SuppressWarnings("unchecked")
    private void writeReport(Map<String, Object> summary, List<Map<String, Object>> table) throws IOException {
        StringBuilder b = new StringBuilder();
        Map<String, Object> q = (Map<String, Object>) summary.get("baseQuality");
        b.append("# fksteer demo images: steering an unconditional digit model toward a class\n\n");
        b.append(String.format(Locale.ROOT, "%d seeds per class, %d DDIM (η = 1) steps for every method, FK λ = %s, seed %d. "
                + "The judge (a different network, trained on other digits) scores every image; it is never used to steer.%n%n",
                s.seeds, s.steps, Report.f(s.lambda), s.seed));
        b.append("| method | judge accuracy | mean reward log p(c\\|x) | diversity | Fréchet to held-out class | NFE / image | reward calls / image | wall s |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : table)
            b.append(String.format(Locale.ROOT, "| %s | %.1f%% ± %.1f | %.3f | %.3f | %.3f | %.0f | %.1f | %.1f |%n", r.get("method"),
                    100 * (double) r.get("accuracy"), 100 * (double) r.get("accuracySe"), (double) r.get("meanReward"), (double) r.get("diversity"),
                    (double) r.get("frechet"), (double) r.get("nfePerImage"), (double) r.get("rewardCallsPerImage"), (double) r.get("wallSeconds")));
        b.append("\n").append(verdict(summary, table)).append("\n\n");
        b.append(String.format(Locale.ROOT, "## The base model%n%nOf %d unsteered samples, the judge is confident (max probability > 0.9) on %.1f%% ± %.1f "
                        + "(required: at least 80%%). Fréchet distance in the judge's feature space to the %d held-out digits: %.3f "
                        + "(real training digits, %d of them, against the same: %.3f). The judge's accuracy on held-out digits is %.1f%%.%n%n",
                (int) q.get("samples"), 100 * (double) q.get("confidentFraction"), 100 * (double) q.get("confidentFractionSe"),
                (int) q.get("heldOut"), (double) q.get("frechetToHeldOut"), (int) q.get("realSamples"), (double) q.get("frechetRealToHeldOut"),
                100 * (double) q.get("judgeHeldOutAccuracy")));
        b.append("Notes: accuracy ± is one binomial standard error over the runs of all ten classes. Diversity is the mean pairwise distance of the "
                + "judge's features among one class's outputs, averaged over classes. The Fréchet distance of each class uses only "
                + s.seeds + " images against about 200 real ones, so it is biased upward; compare it between methods (all have the same count), "
                + "not with published FIDs.\n\nFigures: overview.png, accuracy-vs-nfe.png, grid-*.png (one per method: rows are classes, columns seeds).\n");
        AtomicFiles.writeBytes(s.out.resolve("report.md"), Report.finiteText(s.out.resolve("report.md"), b.toString()));
    }

    @SuppressWarnings("unchecked")
    static String verdict(Map<String, Object> summary, List<Map<String, Object>> table) {
        Map<String, Map<String, Object>> by = new LinkedHashMap<>();
        for (Map<String, Object> r : table) by.put((String) r.get("method"), r);
        Map<String, Object> fk4 = by.get("fk-4");
        Map<String, Object> cond = table.stream().filter(r -> r.get("family").equals("conditional")).findFirst().orElseThrow();
        double a = (double) fk4.get("accuracy"), ae = (double) fk4.get("accuracySe");
        double c = (double) cond.get("accuracy"), ce = (double) cond.get("accuracySe");
        double z = (a - c) / Math.max(1e-12, Math.hypot(ae, ce));
        Map<String, Object> p = (Map<String, Object>) summary.get("fk4VsBestOf4");
        StringBuilder b = new StringBuilder("**The paper's claim** (an unconditional model with FK at k = 4 reaches the fidelity of a bigger conditional model): ");
        if (z >= -2)
            b.append(String.format(Locale.ROOT, "**reproduces** here: FK at k = 4 reaches %.1f%% against the conditional model's %.1f%% (difference %+.1f points, z = %.1f).",
                    100 * a, 100 * c, 100 * (a - c), z));
        else {
            b.append(String.format(Locale.ROOT, "**does not reproduce** at k = 4: FK reaches %.1f%% against the conditional model's %.1f%%, %.1f points short (z = %.1f).",
                    100 * a, 100 * c, 100 * (c - a), z));
            String reach = null;
            for (int k : SIZES) {
                Map<String, Object> r = by.get("fk-" + k);
                double zk = ((double) r.get("accuracy") - c) / Math.max(1e-12, Math.hypot((double) r.get("accuracySe"), ce));
                if (zk >= -2) {
                    reach = "fk-" + k;
                    break;
                }
            }
            b.append(reach == null ? " No particle count up to 16 reaches it." : " FK first reaches it at " + reach.substring(3) + " particles.");
            b.append(" Unlike the paper's text-to-image base model, which is already conditioned on the prompt, this base model is unconditional:"
                    + " only about one draw in ten starts toward the requested digit, so steering has to find the class, not refine it.");
        }
        b.append(String.format(Locale.ROOT, "%n%n**FK against best-of-N at equal compute** (k = N = 4, paired over the same classes and seeds): "
                        + "FK's accuracy is %+.1f points higher (SE %.1f, z = %.1f, %d pairs).",
                100 * (double) p.get("meanDifference"), 100 * (double) p.get("se"), (double) p.get("z"), (int) p.get("pairs")));
        return b.toString();
    }
}
