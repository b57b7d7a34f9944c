package fksteer.demo;

import fksteer.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes report.md: the figures, the tables, and sentences computed from the numbers. */
final class Report {
    private Report() {}

    static String f(double v) {
        if (Double.isNaN(v)) return "n/a";
        double a = Math.abs(v);
        if (a >= 1000 || (a > 0 && a < 0.01)) return String.format(Locale.ROOT, "%.3g", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    @SuppressWarnings("unchecked")
    static void write(Path path, Demo demo, Map<String, Object> samplers, Map<String, Object> smooth, List<Demo.Row> rows,
                      Map<String, Object> scaling, double wall) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# fksteer demo report\n\n");
        b.append(String.format(Locale.ROOT, "Seed %d%s, shipped checkerboard model, %.1f s on %d threads. Regenerate with `./fksteer demo%s --seed %d`.%n%n",
                demo.seed(), demo.fast() ? " (--fast: reduced sizes)" : "", wall, fksteer.kernel.Parallel.threads(),
                demo.fast() ? " --fast" : "", demo.seed()));
        b.append("Rewards: `point:X,Y` is 1/(|x - c|^2 + 1e-3) and `line:...` is 1/(|coordinate - c| + 1e-3), as in the reference walkthrough; "
                + "both reach 1000 at the target. FK steering targets p(x) exp(lambda r(x)) / Z with lambda = " + demo.lambda() + ". "
                + "The reference uses lambda = 10 but clamps its weights at 1e10, which silently changes the target. With exact weights "
                + "and a reward that reaches 1000, any lambda near 1 or above makes the target almost a point mass at the best reachable "
                + "point, so a resampling step keeps very few ancestors (see the unique-ancestor column); smaller lambda keeps more "
                + "diversity but steers toward low-density targets only weakly. Try `--lambda`.\n\n");

        b.append("## 1. The walkthrough's figures\n\n");
        b.append("In every scatter figure all panels share one pair of axes, fitted to the central 99% of each panel's points and to every "
                + "target (so nothing is cut off silently: the caption under each figure counts the points outside the axes, and each panel "
                + "says \"N outside\" in its corner). Red stars and lines mark the target, drawn on top of the points; a black square marks "
                + "zeroth-order search's pivot. Panels of weighted points draw each point with opacity proportional to its weight; the "
                + "captions say which panels are weighted and which are resampled.\n\n");
        b.append("![noise to data](fig1-noise-to-data.png)\n\n*Noise (t = 0) flows to the checkerboard (t = 1) in 8 midpoint steps: the "
                + "squares appear from about t = 0.625 on.*\n\n");
        b.append("![zeroth-order](fig2-zeroth-order.png)\n\n*Zeroth-order search, one row per target: each panel is one cycle's candidates, "
                + "solved to t = 1. The pivot moves to the best candidate's noise each cycle, so the cloud of samples walks toward the "
                + "target.*\n\n");
        b.append("![search over paths](fig3-search-over-paths.png)\n\n*Search over paths, one row per target: from t = 0.8, states are "
                + "noised back by 0.1, solved forward by 0.14 and the best N of N x 8 kept; the panels are the kept states after each stage. "
                + "The kept states shrink onto the target point or line within two stages.*\n\n");
        b.append("![samplers](fig4-samplers.png)\n\n*Rows: simple-stochastic, the reference SDE (k = 0.1 and k = 1), our marginal-keeping `sde` "
                + "(k = 1), and the midpoint ODE, all from the same noise. The axes are wide enough for the reference SDE at k = 1, whose "
                + "samples spill past the [-3, 3] square the others stay in.*\n\n");
        b.append("| sampler | on the squares | std x | std y |\n|---|---|---|---|\n");
        for (var e : samplers.entrySet()) {
            Map<String, Object> s = (Map<String, Object>) e.getValue();
            b.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.3f | %.3f |%n", e.getKey(), 100 * (double) s.get("onSupportFraction"),
                    (double) s.get("stdX"), (double) s.get("stdY")));
        }
        Map<String, Object> ode = (Map<String, Object>) samplers.get("midpoint");
        Map<String, Object> sde = (Map<String, Object>) samplers.get("sde k=1.0");
        Map<String, Object> ref = (Map<String, Object>) samplers.get("reference-sde k=1.0");
        if (ode != null && sde != null && ref != null) {
            double o = (double) ode.get("onSupportFraction"), s = (double) sde.get("onSupportFraction"), r = (double) ref.get("onSupportFraction");
            b.append(String.format(Locale.ROOT, "%nWhat it shows: at k = 1 the marginal-keeping `sde` puts %.1f%% of its samples on the squares "
                    + "(the ODE: %.1f%%) and keeps the spread (std x %.3f vs %.3f), while the reference SDE puts %.1f%% there with std x %.3f: "
                    + "its drift has the wrong sign on the score term, so it %s the distribution instead of sampling it.%n%n",
                    100 * s, 100 * o, (double) sde.get("stdX"), (double) ode.get("stdX"), 100 * r, (double) ref.get("stdX"),
                    (double) ref.get("stdX") < (double) ode.get("stdX") ? "shrinks" : "distorts"));
        }
        for (int i = 1; i <= Demo.TARGETS.size(); i++) {
            b.append(String.format(Locale.ROOT, "FK toward %s:%n%n", Demo.TARGETS.get(i - 1).label()));
            b.append(String.format(Locale.ROOT, "![fk %d](fig5-fk-%d.png)%n%n", i, i));
        }
        b.append("*FK steering with the walkthrough's rewards and its diff, max and sum potentials (rows), panels over time; the last "
                + "panel is the weighted output resampled to equal weights. Each row's label gives its unique ancestors and the spread "
                + "(root-mean-square distance from the mean) of its output.*\n\n");
        b.append(walkthroughFkVerdict(demo.walkthroughFk(), demo.lambda(), (double) ((Map<String, Object>) smooth.get("exactTilt")).get("modelSpread")));
        b.append(smoothSection(smooth));

        b.append("## 2. All methods at matched compute\n\n");
        long[] budgets = rows.stream().mapToLong(Demo.Row::budget).distinct().sorted().toArray();
        long top = budgets[budgets.length - 1];
        b.append(String.format(Locale.ROOT, "Every method gets the same budget of network evaluations (NFE; budgets %s), 100 steps per "
                + "trajectory. `plain` is the model's own samples (the baseline), `best-of-n` draws N = NFE/200 samples and returns the best, "
                + "`zeroth-order` runs 4 cycles of N/4 candidates, `search-over-paths` keeps N with 8 expansions, `fk` runs N particles. "
                + "Mean reward is over the returned set (weighted for fk); diversity is the weighted mean pairwise distance of the returned "
                + "set; \"on squares\" is the (weighted) share of samples on the checkerboard's high-density squares. The table shows the "
                + "largest budget; results.csv has every budget.%n%n", java.util.Arrays.toString(budgets)));
        b.append("| target | method | NFE | mean reward | best reward | on squares | diversity | ESS | unique ancestors | ms |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Demo.Row r : rows) {
            if (r.budget() != top) continue;
            b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %.1f%% | %.2f | %s | %s | %.0f |%n", r.target(), r.method(), r.nfe(),
                    f(r.meanReward()), f(r.bestReward()), 100 * r.onSupport(), r.diversity(), r.ess() == null ? "" : String.format(Locale.ROOT, "%.0f", r.ess()),
                    r.uniqueAncestors() == null ? "" : r.uniqueAncestors().toString(), r.wallMs()));
        }
        b.append("\n").append(verdict(rows, top)).append("\n");

        b.append("## 3. More particles or more samples?\n\n");
        b.append("![scaling best](fig6-scaling-best.png)\n\n![scaling set](fig7-scaling-set.png)\n\n");
        b.append("*Both axes are logarithmic: the rewards span several decades. Error bars are ± one standard error over seeds; a bar "
                + "whose lower end would fall below zero is drawn down to the bottom of the axis.*\n\n");
        b.append(scalingVerdict(scaling)).append("\n");
        AtomicFiles.writeBytes(path, finiteText(path, b.toString()));
    }

    /** What the walkthrough's FK figures show, from their unique ancestors and output spreads. */
    @SuppressWarnings("unchecked")
    static String walkthroughFkVerdict(Map<String, Object> runs, double lambda, double modelSpread) {
        int total = 0, collapsed = 0, maxUa = 0;
        double maxSpread = 0;
        for (Object byPot : runs.values())
            for (Object o : ((Map<String, Object>) byPot).values()) {
                Map<String, Object> st = (Map<String, Object>) o;
                int ua = (int) st.get("uniqueAncestors");
                double sp = (double) st.get("outputSpread");
                total++;
                if (ua <= 2 && sp < 0.1) collapsed++;
                maxUa = Math.max(maxUa, ua);
                maxSpread = Math.max(maxSpread, sp);
            }
        return String.format(Locale.ROOT, "What a reader sees: in %d of these %d runs the output has collapsed onto at most two ancestors "
                        + "with a spread below 0.1 (largest output spread over all runs: %.3f, with at most %d unique ancestor%s; the "
                        + "model's own samples have a spread of %.2f)%s. That collapse is the right "
                        + "answer, not a failure of the potentials: these rewards reach 1000, so at lambda = %s the exact tilted target "
                        + "p(x) exp(lambda r(x)) / Z is all but a point mass at the best point the model reaches, and every potential is "
                        + "corrected to it. Lowering lambda does not help much: at lambda = 0.05 a point 0.05 from the target still "
                        + "outweighs one 0.3 away by a factor of about a million. These figures reproduce the walkthrough; they cannot "
                        + "show how the potentials differ. The next figure can.%n%n",
                collapsed, total, maxSpread, maxUa, maxUa == 1 ? "" : "s", modelSpread, collapsed == total ? ", so the rows end alike, as dots on the target" : "",
                Demo.num(lambda));
    }

    /** The smooth-reward potentials figure, its table and what it shows, computed from the numbers. */
    @SuppressWarnings("unchecked")
    static String smoothSection(Map<String, Object> sm) {
        Map<String, Object> ref = (Map<String, Object>) sm.get("exactTilt");
        Map<String, Map<String, Object>> pots = (Map<String, Map<String, Object>>) sm.get("potentials");
        int k = (int) sm.get("particles");
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "### How the potentials differ: a smooth reward%n%n"
                        + "`%s` is r(x) = -|x - (2, 0.5)|^2, so at lambda = %s the exact tilt p(x) exp(lambda r(x)) / Z is the model's "
                        + "checkerboard times a Gaussian bump: it keeps mass on the three squares around (2, 0.5), which itself lies on an "
                        + "empty square. The top row shows that exact target: %d of the model's own samples, then the same samples drawn "
                        + "with opacity proportional to exp(lambda r) (ESS %.0f). The other rows run FK (%d particles, the walkthrough's "
                        + "schedule: SDE k = 0.1, x̂1 scoring, up to 5 resamplings in [0.6, 0.95] at ESS/k < 0.5) with each potential; "
                        + "their last panel is the weighted output, with weight-proportional opacity.%n%n",
                sm.get("reward"), Demo.num((double) sm.get("lambda")), (int) ref.get("samples"), (double) ref.get("ess"),
                k));
        b.append("![fk potentials, smooth reward](fig5-fk-smooth.png)\n\n");
        b.append("| potential | unique ancestors after each resampling | final ESS | particle spread | weighted spread | weighted mean reward |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (var e : pots.entrySet()) {
            Map<String, Object> d = e.getValue();
            b.append(String.format(Locale.ROOT, "| %s | %s | %.0f of %d | %.3f | %.3f | %s |%n", e.getKey(),
                    java.util.Arrays.toString((int[]) d.get("uniqueAncestorsPerResample")).replaceAll("[\\[\\]]", ""),
                    (double) d.get("finalEss"), k, (double) d.get("particleSpread"), (double) d.get("weightedSpread"), f((double) d.get("meanReward"))));
        }
        b.append(String.format(Locale.ROOT, "| exact tilt (reference) | | %.0f of %d | | %.3f | %s |%n%n", (double) ref.get("ess"),
                (int) ref.get("samples"), (double) ref.get("spread"), f((double) ref.get("meanReward"))));
        b.append("Spread is the root-mean-square distance of the output from its mean: \"particle\" counts every particle once, "
                + "\"weighted\" uses the output weights (the estimate of the target's spread).\n\n");
        Map<String, Object> diff = pots.get("diff");
        List<String> overTilted = new ArrayList<>();
        for (String name : List.of("max", "sum", "rt")) {
            Map<String, Object> d = pots.get(name);
            if (d != null && (double) d.get("particleSpread") < (double) diff.get("particleSpread")
                    && (double) d.get("finalEss") < (double) diff.get("finalEss")) overTilted.add(name);
        }
        b.append(String.format(Locale.ROOT, "What a reader should see: the diff row keeps the spread of the exact target (particle spread "
                        + "%.3f against the target's %.3f), with %d unique ancestors and a final ESS of %.0f of %d. ",
                (double) diff.get("particleSpread"), (double) ref.get("spread"), (int) diff.get("uniqueAncestors"), (double) diff.get("finalEss"), k));
        if (overTilted.isEmpty()) {
            b.append("With these settings no other potential ends both narrower and with a lower ESS than diff.\n\n");
        } else {
            b.append(String.format(Locale.ROOT, "%s over-tilt the intermediate targets. At each of the 5 scoring steps they multiply "
                            + "the weights by exp(lambda r) of the best (max), the running sum (sum) or the current (rt) reward again, so by "
                            + "the last one the particles carry a tilt of about exp(5 lambda r) (max, rt) or exp(15 lambda r) (sum); diff "
                            + "multiplies by exp(lambda (r_s - r_{s-1})), which telescopes to a single exp(lambda r). So their particles "
                            + "crowd around (2, 0.5) and collapse onto fewer ancestors (particle spread %s). The final correction "
                            + "exp(lambda r(x1)) / prod G then has to undo the over-tilt, which costs effective sample size (final ESS %s "
                            + "of %d) and accuracy: the weighted mean reward is %s, where the exact tilt has %s and diff %s.%n%n",
                    String.join(", ", overTilted).replaceFirst(", ([^,]*)$", " and $1"),
                    String.join(", ", overTilted.stream().map(n -> String.format(Locale.ROOT, "%s %.3f", n,
                            (double) pots.get(n).get("particleSpread"))).toList()),
                    String.join(", ", overTilted.stream().map(n -> String.format(Locale.ROOT, "%s %.1f", n,
                            (double) pots.get(n).get("finalEss"))).toList()), k,
                    String.join(", ", overTilted.stream().map(n -> n + " " + f((double) pots.get(n).get("meanReward"))).toList()),
                    f((double) ref.get("meanReward")), f((double) diff.get("meanReward"))));
        }
        return b.toString();
    }

    /** Sentences about the largest-budget table, computed from it. */
    static String verdict(List<Demo.Row> rows, long budget) {
        Map<String, List<Demo.Row>> byTarget = new LinkedHashMap<>();
        for (Demo.Row r : rows) if (r.budget() == budget) byTarget.computeIfAbsent(r.target(), k -> new ArrayList<>()).add(r);
        Map<String, Integer> bestMean = new LinkedHashMap<>(), bestMax = new LinkedHashMap<>(), mostDiverse = new LinkedHashMap<>(),
                mostOn = new LinkedHashMap<>();
        int beatPlain = 0, total = 0;
        for (var e : byTarget.entrySet()) {
            List<Demo.Row> rs = e.getValue();
            count(bestMean, rs.stream().max(Comparator.comparingDouble(Demo.Row::meanReward)).orElseThrow().method());
            count(bestMax, rs.stream().max(Comparator.comparingDouble(Demo.Row::bestReward)).orElseThrow().method());
            count(mostDiverse, rs.stream().filter(Report::returnsASteeredSet).max(Comparator.comparingDouble(Demo.Row::diversity)).orElseThrow().method());
            count(mostOn, rs.stream().filter(Report::returnsASteeredSet).max(Comparator.comparingDouble(Demo.Row::onSupport)).orElseThrow().method());
            double plain = rs.stream().filter(r -> r.method().equals("plain")).findFirst().orElseThrow().meanReward();
            for (Demo.Row r : rs) {
                if (r.method().equals("plain") || r.method().equals("best-of-n")) continue;
                total++;
                if (r.meanReward() > plain) beatPlain++;
            }
        }
        int n = byTarget.size();
        return String.format(Locale.ROOT, "What the table says, at %d NFE over %d targets:%n%n"
                        + "- Highest mean reward of the returned set: %s.%n"
                        + "- Highest single best reward: %s.%n"
                        + "- Most diverse steered set (zeroth-order, search-over-paths, fk): %s.%n"
                        + "- Largest share on the squares among the steered sets: %s.%n"
                        + "- The steered sets beat plain sampling on mean reward in %d of %d cases.%n"
                        + "- Diversity of the steered sets relative to plain sampling (mean over targets): %s.%n"
                        + "%nBest-of-n returns its single best sample; its set is the plain samples, so it is left out of the set "
                        + "comparisons. FK is the only method here whose weighted output targets the tilted distribution p(x) "
                        + "exp(lambda r(x)) / Z (that is what its tests check); the others are searches.%n",
                budget, n, tally(bestMean, n), tally(bestMax, n), tally(mostDiverse, n), tally(mostOn, n), beatPlain, total,
                relativeDiversity(byTarget));
    }

    static boolean returnsASteeredSet(Demo.Row r) {
        return !r.method().equals("plain") && !r.method().equals("best-of-n");
    }

    static String relativeDiversity(Map<String, List<Demo.Row>> byTarget) {
        Map<String, double[]> acc = new LinkedHashMap<>();
        for (List<Demo.Row> rs : byTarget.values()) {
            double plain = rs.stream().filter(r -> r.method().equals("plain")).findFirst().orElseThrow().diversity();
            for (Demo.Row r : rs)
                if (returnsASteeredSet(r)) {
                    double[] a = acc.computeIfAbsent(r.method(), k -> new double[2]);
                    a[0] += r.diversity() / plain;
                    a[1]++;
                }
        }
        List<String> parts = new ArrayList<>();
        acc.forEach((k, a) -> parts.add(String.format(Locale.ROOT, "%s %.0f%%", k, 100 * a[0] / a[1])));
        return String.join(", ", parts);
    }

    static void count(Map<String, Integer> m, String k) {
        m.merge(k, 1, Integer::sum);
    }

    static String tally(Map<String, Integer> m, int n) {
        List<String> parts = new ArrayList<>();
        m.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> parts.add(e.getKey() + " (" + e.getValue() + " of " + n + ")"));
        return String.join(", ", parts);
    }

    static String scalingVerdict(Map<String, Object> s) {
        int[] ks = (int[]) s.get("particles");
        double[] fb = (double[]) s.get("fkBestMean"), fbs = (double[]) s.get("fkBestSe"), bb = (double[]) s.get("bonBestMean"),
                bbs = (double[]) s.get("bonBestSe"), fm = (double[]) s.get("fkSetMean"), bm = (double[]) s.get("bonSetMean");
        int last = ks.length - 1, fkWins = 0, sig = 0;
        for (int i = 0; i < ks.length; i++) {
            if (fb[i] > bb[i]) fkWins++;
            if (Math.abs(fb[i] - bb[i]) > 2 * Math.hypot(fbs[i], bbs[i])) sig++;
        }
        return String.format(Locale.ROOT, "FK with k particles against best-of-N with N = k, at the same NFE (k = %d .. %d, %d seeds each, "
                        + "reward %s). The returned sample is each method's best particle, as the paper picks. FK's best reward is higher "
                        + "at %d of %d particle counts (the gap exceeds 2 standard errors at %d of them). At k = %d: FK %s ± %s, best-of-N "
                        + "%s ± %s. The weighted mean reward of the whole set at k = %d: FK %s, best-of-N %s.%n",
                ks[0], ks[last], (int) s.get("seeds"), s.get("reward"), fkWins, ks.length, sig, ks[last], f(fb[last]), f(fbs[last]),
                f(bb[last]), f(bbs[last]), ks[last], f(fm[last]), f(bm[last]));
    }

    /**
     * The text as UTF-8, refusing one in which a non-finite number was formatted ("NaN", "Infinity"): as
     * for the JSON, no NaN or infinity reaches an output file. The demo's own text never uses these words;
     * {@link #f} writes a missing value as "n/a".
     */
    static byte[] finiteText(Path path, String text) throws fksteer.io.OutputException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("NaN|Infinity").matcher(text);
        if (m.find()) {
            int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
            throw new fksteer.io.OutputException(path, "line " + line + " holds a non-finite number (" + m.group() + ")");
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
