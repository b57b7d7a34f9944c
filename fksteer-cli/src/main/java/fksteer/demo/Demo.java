package fksteer.demo;

import fksteer.data.Checkerboard;
import fksteer.io.AtomicFiles;
import fksteer.io.Models;
import fksteer.cli.ProgressBar;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.plot.Panel;
import fksteer.plot.Plots;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.solver.TimeGrid;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.Noise;
import fksteer.steer.Potential;
import fksteer.steer.SearchOverPaths;
import fksteer.steer.SteerResult;
import fksteer.steer.SteeringMethod;
import fksteer.steer.ZerothOrder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main job: every figure of the reference walkthrough on the shipped checkerboard model, then all
 * methods side by side at matched compute, then FK against best-of-N as particles grow. Writes PNGs,
 * results.csv, summary.json and report.md into one folder. Deterministic given the seed.
 */
public final class Demo {
    /** The reference walkthrough's lines: torch.manual_seed(77); torch.randn(2) * 2. */
    public static final double H_LINE = -0.7136755, V_LINE = 1.2014534;
    /** The default temperature of the demo's FK runs (see the report for why not the reference's 10). */
    public static final double DEFAULT_LAMBDA = 1.0;

    record Target(String label, String spec) {}

    static final List<Target> TARGETS = List.of(
            new Target("point (0, 0)", "point:0,0"),
            new Target("point (2, 0.5)", "point:2,0.5"),
            new Target("point (-0.5, -0.5)", "point:-0.5,-0.5"),
            new Target("horizontal line y = -0.714", "line:horizontal," + H_LINE),
            new Target("vertical line x = 1.201", "line:vertical," + V_LINE));

    private final Path out;
    private final long seed;
    private final boolean fast, quiet;
    private final double lambda;
    private final VelocityField model;
    private final List<String> figures = new ArrayList<>();
    private final Map<String, Object> summary = new LinkedHashMap<>();
    private final Map<String, Object> figureInfo = new LinkedHashMap<>();
    /** The walkthrough's FK runs: target spec -> potential -> unique ancestors, output spread, mean reward. */
    private final Map<String, Object> walkthroughFk = new LinkedHashMap<>();
    private final StringBuilder report = new StringBuilder();
    private java.io.PrintWriter progressTo = new java.io.PrintWriter(System.err, true);

    public Demo(Path out, long seed, boolean fast, boolean quiet, double lambda) {
        if (!(lambda >= 0) || !Double.isFinite(lambda)) throw new IllegalArgumentException("--lambda must be a finite number >= 0, got " + lambda);
        this.lambda = lambda;
        this.out = out;
        this.seed = seed;
        this.fast = fast;
        this.quiet = quiet;
        this.model = new MlpFlow(Models.checkerboardMlp());
    }

    /** Where the progress bars go (stderr unless told; nothing with quiet). */
    public Demo progressTo(java.io.PrintWriter err) {
        this.progressTo = err;
        return this;
    }

    private ProgressBar progress(String label, long stages) {
        return ProgressBar.open(label, stages, "stages", progressTo, quiet);
    }

    int scale(int full, int small) {
        return fast ? small : full;
    }

    /** Runs everything; returns the summary. */
    public Map<String, Object> run() throws IOException {
        long t0 = System.nanoTime();
        summary.put("seed", seed);
        summary.put("fast", fast);
        summary.put("model", "checkerboard (shipped): " + model.describe());
        summary.put("lambda", lambda);
        Map<String, Object> samplers = referenceFigures();
        Map<String, Object> smooth = smoothPotentials();
        List<Row> rows = comparison();
        Map<String, Object> scaling = scaling();
        double wall = (System.nanoTime() - t0) / 1e9;
        summary.put("samplers", samplers);
        summary.put("fkWalkthrough", walkthroughFk);
        summary.put("fkSmooth", smooth);
        summary.put("comparison", rows.stream().map(Row::toMap).toList());
        summary.put("scaling", scaling);
        summary.put("figures", figureInfo);
        summary.put("wallSeconds", Math.round(wall * 1e3) / 1e3); // to the 1 ms a wall clock resolves
        writeCsv(rows);
        fksteer.io.Json.write(out.resolve("summary.json"), summary);
        writeReport(samplers, smooth, rows, scaling, wall);
        return summary;
    }

    // ---------------------------------------------------------------- 1. the walkthrough's figures

    @SuppressWarnings("unchecked")
    private Map<String, Object> referenceFigures() throws IOException {
        Map<String, Object> samplerStats = new LinkedHashMap<>();
        int stages = 4 + TARGETS.size();
        try (ProgressBar p = progress("reference figures", stages)) {
            // noise -> data in 8 midpoint steps
            int n = scale(2048, 512);
            float[] x = Noise.initial(n, 2, seed);
            Integrator mid = Sampler.ode(Sampler.Kind.MIDPOINT).bind(model, n);
            List<Panel> traj = new ArrayList<>();
            traj.add(Panel.of(timeLabel(0), x.clone(), n, 2));
            for (int s = 0; s < 8; s++) {
                mid.step(x, n, s / 8f, 1 / 8f, null);
                traj.add(Panel.of(timeLabel((s + 1) / 8.0), x.clone(), n, 2));
            }
            figure("fig1-noise-to-data.png", "Noise to data: " + n + " samples of the shipped model, 8 midpoint steps",
                    List.of(new Plots.Row(null, traj)), null);
            p.update(1, "");

            // zeroth-order search: two points (5 cycles), two lines (20 cycles, every 4th shown)
            List<Plots.Row> zoRows = new ArrayList<>();
            int cand = scale(2048, 256), steps = scale(150, 30);
            for (String spec : List.of("point:-2,-2", "point:0,0", "line:horizontal," + H_LINE, "line:vertical," + V_LINE)) {
                boolean line = spec.startsWith("line");
                Reward r = Rewards.parse(spec);
                ZerothOrder zo = new ZerothOrder(cand, line ? scale(20, 8) : 5, steps, Sampler.ode(Sampler.Kind.MIDPOINT), 1.0, false,
                        line ? new double[] {0, 0} : null);
                SteerResult res = zo.run(model, r, seed);
                List<Panel> row = new ArrayList<>();
                int every = line ? 4 : 1;
                for (int i = 0; i < res.snapshots().size(); i += every) {
                    SteerResult.Snapshot s = res.snapshots().get(i);
                    row.add(Panel.of(s.title(), s.points(), s.n(), 2).withMarks(Panel.Marks.of(r)).withPivot(s.pivot()));
                }
                int cycles = res.snapshots().size();
                zoRows.add(new Plots.Row("toward " + shortName(spec) + ": " + (every == 1 ? "all " + cycles + " cycles"
                        : "every " + every + "th of " + cycles + " cycles"), row));
            }
            figureRows("fig2-zeroth-order.png", "Zeroth-order search: " + cand + " candidates per cycle around the pivot noise, solved to t = 1",
                    zoRows, "Each panel is one cycle's candidates at t = 1; the pivot is drawn at its noise position.");
            p.update(2, "");

            // search over paths toward three points and the two lines
            List<Plots.Row> sopRows = new ArrayList<>();
            for (Target t : TARGETS) {
                Reward r = Rewards.parse(t.spec());
                SteerResult res = new SearchOverPaths(scale(1024, 128), 8, 0.8, 0.1, 0.14, fast ? 0.02 : 0.01,
                        Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.XT).run(model, r, seed);
                List<Panel> row = new ArrayList<>();
                for (SteerResult.Snapshot s : res.snapshots()) row.add(Panel.of(timeLabel(s.title()), s.points(), s.n(), 2).withMarks(Panel.Marks.of(r)));
                sopRows.add(new Plots.Row("toward " + t.label(), row));
            }
            figureRows("fig3-search-over-paths.png", "Search over paths: " + scale(1024, 128) + " states kept, 8 expansions each, from t = 0.8",
                    sopRows, null);
            p.update(3, "");

            // samplers: simple-stochastic, the reference SDE and the marginal-keeping SDE
            List<Plots.Row> sRows = new ArrayList<>();
            int sn = scale(2048, 512), sSteps = 100;
            for (Sampler s : List.of(new Sampler(Sampler.Kind.SIMPLE_STOCHASTIC, 0), new Sampler(Sampler.Kind.REFERENCE_SDE, 0.1),
                    new Sampler(Sampler.Kind.REFERENCE_SDE, 1.0), new Sampler(Sampler.Kind.SDE, 1.0), Sampler.ode(Sampler.Kind.MIDPOINT))) {
                float[] xs = Noise.initial(sn, 2, seed);
                long[] rng = Noise.stepStreams(seed, sn);
                Integrator integ = s.bind(model, sn);
                List<Panel> row = new ArrayList<>();
                String name = s.name() + (s.kind().stochastic && s.kind() != Sampler.Kind.SIMPLE_STOCHASTIC ? " k=" + s.stochasticity() : "");
                for (int st = 0; st <= sSteps; st++) {
                    if (st % 20 == 0) row.add(Panel.of(timeLabel(st / (double) sSteps), xs.clone(), sn, 2));
                    if (st == sSteps) break;
                    float ta = TimeGrid.at(0, 1, sSteps, st);
                    integ.step(xs, sn, ta, TimeGrid.at(0, 1, sSteps, st + 1) - ta, rng);
                }
                double on = Checkerboard.onSupportFraction(xs, sn, null);
                double[] sd = spread(xs, sn);
                Map<String, Object> st = new LinkedHashMap<>();
                st.put("onSupportFraction", on);
                st.put("stdX", sd[0]);
                st.put("stdY", sd[1]);
                samplerStats.put(name, st);
                sRows.add(new Plots.Row(name.replace(" k=", ", k = ") + (s.kind() == Sampler.Kind.MIDPOINT ? " (ODE)" : ""), row));
            }
            figureRows("fig4-samplers.png", "Samplers from the same " + sn + " noise points, 100 steps each", sRows, null);
            p.update(4, "");

            // FK steering with each potential toward each target, panels over time
            int k = scale(1024, 256);
            int i = 0;
            for (Target t : TARGETS) {
                Reward r = Rewards.parse(t.spec());
                List<Plots.Row> fkRows = new ArrayList<>();
                for (Potential pot : List.of(Potential.DIFF, Potential.MAX, Potential.SUM)) {
                    FkSteering fk = new FkSteering(k, 100, new Sampler(Sampler.Kind.SDE, 0.1), lambda, pot, Intermediate.X1HAT, 4,
                            ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.RESAMPLED, 15);
                    SteerResult res = fk.run(model, r, seed);
                    List<Panel> row = new ArrayList<>();
                    for (SteerResult.Snapshot s : res.snapshots())
                        row.add(Panel.of(timeLabel(s.title()), s.points(), s.n(), 2).withMarks(Panel.Marks.of(r)));
                    row.add(Panel.of("output (resampled)", res.samples(), res.n(), 2).withMarks(Panel.Marks.of(r)));
                    int ua = (Integer) res.diagnostics().get("uniqueAncestors");
                    double spread = spreadRms(res.samples(), res.n(), null);
                    Map<String, Object> st = new LinkedHashMap<>();
                    st.put("uniqueAncestors", ua);
                    st.put("outputSpread", spread);
                    st.put("meanReward", res.weightedMeanReward());
                    walkthroughFk.computeIfAbsent(t.spec(), key -> new LinkedHashMap<String, Object>());
                    ((Map<String, Object>) walkthroughFk.get(t.spec())).put(pot.cliName(), st);
                    fkRows.add(new Plots.Row(String.format(Locale.ROOT, "%s potential: %d unique ancestor%s, output spread %.3f", pot.cliName(), ua,
                            ua == 1 ? "" : "s", spread), row));
                }
                figureRows("fig5-fk-" + (++i) + ".png", String.format(Locale.ROOT, "FK steering toward %s, %d particles, \u03bb = %s "
                        + "(the walkthrough's reward, up to 1000)", t.label(), k, num(lambda)), fkRows, FK_NOTE);
                p.update(4 + i, "");
            }
            p.finish();
        }
        return samplerStats;
    }

    // ---------------------------------------------------------------- 1b. the potentials under a smooth reward

    /** The smooth reward of the potentials figure: -|x - (2, 0.5)|^2, so exp(lambda r) is a Gaussian bump, not a point mass. */
    static final String SMOOTH_REWARD = "quadratic:2,0.5";
    static final List<Potential> SMOOTH_POTENTIALS = List.of(Potential.DIFF, Potential.MAX, Potential.SUM, Potential.RT);

    /**
     * FK with every potential toward a smooth reward whose exact tilt p(x) exp(lambda r(x)) / Z keeps several
     * squares' worth of mass, next to that exact tilt (the model's own samples reweighted by exp(lambda r)).
     */
    private Map<String, Object> smoothPotentials() throws IOException {
        Reward r = Rewards.parse(SMOOTH_REWARD);
        Panel.Marks marks = Panel.Marks.of(r);
        int k = scale(1024, 256), m = scale(8192, 2048);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("reward", SMOOTH_REWARD);
        out.put("lambda", lambda);
        out.put("particles", k);
        out.put("steps", STEPS);
        List<Plots.Row> rows = new ArrayList<>();
        try (ProgressBar p = progress("FK potentials, smooth reward", 1 + SMOOTH_POTENTIALS.size())) {
            // the exact tilted target, by importance weights exp(lambda r) on the model's own (midpoint ODE) samples
            float[] x = Noise.initial(m, 2, Rng.subSeed(seed, "smooth-reference"));
            Integrator mid = Sampler.ode(Sampler.Kind.MIDPOINT).bind(model, m);
            for (int st = 0; st < STEPS; st++) {
                float ta = TimeGrid.at(0, 1, STEPS, st);
                mid.step(x, m, ta, TimeGrid.at(0, 1, STEPS, st + 1) - ta, null);
            }
            double[] rw = new double[m], lw = new double[m];
            r.evaluate(x, m, rw);
            for (int i = 0; i < m; i++) lw[i] = lambda * rw[i];
            normalizeLog(lw);
            Map<String, Object> ref = new LinkedHashMap<>();
            ref.put("samples", m);
            ref.put("ess", ess(lw));
            ref.put("meanReward", weightedMean(rw, lw));
            ref.put("spread", spreadRms(x, m, lw));
            ref.put("modelSpread", spreadRms(x, m, null));
            ref.put("onSupportFraction", Checkerboard.onSupportFraction(x, m, lw));
            out.put("exactTilt", ref);
            rows.add(new Plots.Row("exact tilted target: the model's samples weighted by exp(\u03bb r)", List.of(
                    Panel.of("model samples", x, m, 2).withMarks(marks),
                    Panel.of(String.format(Locale.ROOT, "weighted, ESS %.0f of %d", ess(lw), m), x, m, 2).withLogWeights(lw).withMarks(marks))));
            p.update(1, "exact tilt");

            Map<String, Object> pots = new LinkedHashMap<>();
            int done = 1;
            for (Potential pot : SMOOTH_POTENTIALS) {
                FkSteering fk = new FkSteering(k, STEPS, new Sampler(Sampler.Kind.SDE, 0.1), lambda, pot, Intermediate.X1HAT, 4,
                        ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 10);
                SteerResult res = fk.run(model, r, seed);
                List<Panel> row = new ArrayList<>();
                for (SteerResult.Snapshot sn : res.snapshots()) {
                    String title = timeLabel(sn.title());
                    double t = Double.parseDouble(title.substring(4));
                    if (t == 0 || t >= 0.6 - 1e-9) row.add(Panel.of(title, sn.points(), sn.n(), 2).withMarks(marks));
                }
                row.add(Panel.of(String.format(Locale.ROOT, "output, ESS %.0f", res.ess()), res.samples(), res.n(), 2)
                        .withLogWeights(res.logWeights()).withMarks(marks));
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("finalEss", res.diagnostics().get("finalEss"));
                d.put("uniqueAncestors", res.diagnostics().get("uniqueAncestors"));
                d.put("uniqueAncestorsPerResample", res.diagnostics().get("uniqueAncestorsPerResample"));
                d.put("resampleSteps", res.diagnostics().get("resampleSteps"));
                d.put("particleSpread", spreadRms(res.samples(), res.n(), null));
                d.put("weightedSpread", spreadRms(res.samples(), res.n(), res.logWeights()));
                d.put("meanReward", res.weightedMeanReward());
                d.put("logZ", res.diagnostics().get("logZ"));
                pots.put(pot.cliName(), d);
                rows.add(new Plots.Row(String.format(Locale.ROOT, "%s potential: %d unique ancestors, final ESS %.0f of %d", pot.cliName(),
                        (Integer) res.diagnostics().get("uniqueAncestors"), res.ess(), k), row));
                p.update(++done, pot.cliName());
            }
            out.put("potentials", pots);
        }
        figureRows("fig5-fk-smooth.png", String.format(Locale.ROOT, "FK potentials with a smooth reward: r(x) = -|x - (2, 0.5)|\u00b2, "
                + "\u03bb = %s, %d particles", num(lambda), k), rows, FK_NOTE + " Output panels and the exact target's weighted panel "
                + "are drawn with weight-proportional opacity (not resampled).");
        return out;
    }

    static void normalizeLog(double[] lw) {
        double max = java.util.Arrays.stream(lw).max().orElse(0), s = 0;
        for (double v : lw) s += Math.exp(v - max);
        double lse = max + Math.log(s);
        for (int i = 0; i < lw.length; i++) lw[i] -= lse;
    }

    static double ess(double[] normalizedLogW) {
        double s = 0;
        for (double v : normalizedLogW) s += Math.exp(2 * v);
        return 1 / s;
    }

    static double weightedMean(double[] v, double[] normalizedLogW) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double w = Math.exp(normalizedLogW[i]);
            if (w > 0) s += w * v[i];
        }
        return s;
    }

    /** Root-mean-square distance of the n 2-D points from their (weighted) mean; equal weights when logW is null. */
    static double spreadRms(float[] x, int n, double[] logW) {
        double[] w = new double[n];
        double tot = 0;
        for (int i = 0; i < n; i++) tot += w[i] = logW == null ? 1 : Math.exp(logW[i]);
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += w[i] * x[2 * i] / tot;
            my += w[i] * x[2 * i + 1] / tot;
        }
        double v = 0;
        for (int i = 0; i < n; i++) v += w[i] * (Math.pow(x[2 * i] - mx, 2) + Math.pow(x[2 * i + 1] - my, 2)) / tot;
        return Math.sqrt(v);
    }

    /** A row label for a reward spec, as the targets are named: "point (-2, -2)", "horizontal line y = -0.714". */
    static String shortName(String spec) {
        Reward r = Rewards.parse(spec);
        if (r.targetPoint() != null) return "point (" + num(r.targetPoint()[0]) + ", " + num(r.targetPoint()[1]) + ")";
        if (!Double.isNaN(r.horizontalLine())) return "horizontal line y = " + num(r.horizontalLine());
        if (!Double.isNaN(r.verticalLine())) return "vertical line x = " + num(r.verticalLine());
        return spec;
    }

    static double[] spread(float[] x, int n) {
        double[] m = new double[2], v = new double[2];
        for (int i = 0; i < n; i++) for (int k = 0; k < 2; k++) m[k] += x[2 * i + k] / n;
        for (int i = 0; i < n; i++) for (int k = 0; k < 2; k++) v[k] += Math.pow(x[2 * i + k] - m[k], 2) / (n - 1);
        return new double[] {Math.sqrt(v[0]), Math.sqrt(v[1])};
    }

    /** What the FK figures' panels show (the library's snapshots carry positions, not weights). */
    static final String FK_NOTE = "Panels before the output show where the particles are (FK's weights between resampling steps are "
            + "not drawn); resampling happens at up to 5 steps in t = [0.6, 0.95] when ESS/k < 0.5.";

    private void figure(String name, String title, List<Plots.Row> rows, String note) throws IOException {
        figureInfo.put(name, Plots.grid(out.resolve(name), title, rows, 240, 9, note).toMap());
        figures.add(name);
    }

    private void figureRows(String name, String title, List<Plots.Row> rows, String note) throws IOException {
        figureInfo.put(name, Plots.grid(out.resolve(name), title, rows, 220, 12, note).toMap());
        figures.add(name);
    }

    /** "t = 0.125", "t = 0.6", "t = 1": up to 3 decimals, the same in every figure. */
    static String timeLabel(double t) {
        return "t = " + num(t);
    }

    /** A snapshot title "t = 0.840" as {@link #timeLabel(double)}; other titles unchanged. */
    static String timeLabel(String title) {
        if (!title.startsWith("t = ")) return title;
        try {
            return timeLabel(Double.parseDouble(title.substring(4).trim()));
        } catch (NumberFormatException e) {
            return title;
        }
    }

    /** v with up to 3 decimals, trailing zeros dropped. */
    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    // ---------------------------------------------------------------- 2. matched compute

    /** One method at one budget toward one target. */
    record Row(String target, long budget, String method, long nfe, long rewardCalls, double meanReward, double bestReward,
               double onSupport, double diversity, Double ess, Integer uniqueAncestors, double wallMs) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", target);
            m.put("budget", budget);
            m.put("method", method);
            m.put("nfe", nfe);
            m.put("rewardCalls", rewardCalls);
            m.put("meanReward", meanReward);
            m.put("bestReward", bestReward);
            m.put("onSupportFraction", onSupport);
            m.put("diversity", diversity);
            m.put("ess", ess);
            m.put("uniqueAncestors", uniqueAncestors);
            m.put("wallMs", Math.round(wallMs * 1e3) / 1e3);
            return m;
        }
    }

    /** The steps every method uses in the comparison (midpoint or SDE with midpoint velocity: 2 NFE a step). */
    static final int STEPS = 100;

    static long[] budgets(boolean fast) {
        return fast ? new long[] {25_600, 102_400} : new long[] {51_200, 204_800, 819_200};
    }

    /** Methods sized to a budget of network evaluations. */
    List<SteeringMethod> methods(long budget) {
        int perSample = 2 * STEPS;
        int n = (int) (budget / perSample);
        List<SteeringMethod> m = new ArrayList<>();
        m.add(new BestOfN(n, STEPS, Sampler.ode(Sampler.Kind.MIDPOINT), 1, false, lambda));
        m.add(new ZerothOrder(n / 4, 4, STEPS, Sampler.ode(Sampler.Kind.MIDPOINT), 1.0, false, null));
        SearchOverPaths probe = new SearchOverPaths(1, 8, 0.8, 0.1, 0.14, 1.0 / STEPS, Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.XT);
        m.add(new SearchOverPaths((int) Math.max(1, budget / probe.plannedNfe()), 8, 0.8, 0.1, 0.14, 1.0 / STEPS,
                Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.XT));
        m.add(new FkSteering(n, STEPS, new Sampler(Sampler.Kind.SDE, 0.1), lambda, Potential.DIFF, Intermediate.X1HAT, 4,
                ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0));
        return m;
    }

    private List<Row> comparison() {
        long[] budgets = budgets(fast);
        List<Row> rows = new ArrayList<>();
        long totalNfe = 0, done = 0; // progress in network evaluations, so the rate and ETA hold across budgets
        for (long b : budgets) for (SteeringMethod m : methods(b)) totalNfe += TARGETS.size() * m.plannedNfe();
        try (ProgressBar p = ProgressBar.open("matched compute", totalNfe, "NFE", progressTo, quiet)) {
            for (Target t : TARGETS) {
                Reward r = Rewards.parse(t.spec());
                for (long b : budgets) {
                    for (SteeringMethod m : methods(b)) {
                        SteerResult res = m.run(model, r, seed);
                        p.update(done += m.plannedNfe(), t.spec() + " @ " + b);
                        // the baseline: best-of-n's own N samples, all kept with equal weight (the model's plain samples)
                        if (m instanceof BestOfN) rows.add(row(t, b, relabel(res, "plain")));
                        rows.add(row(t, b, res));
                    }
                }
            }
            p.finish();
        }
        return rows;
    }

    private static SteerResult relabel(SteerResult r, String method) {
        return new SteerResult(method, r.samples(), r.n(), r.d(), r.logWeights(), r.rewards(), r.nfe(), r.rewardCalls(), r.wallSeconds(),
                Map.of(), List.of(), List.of());
    }

    private static Row row(Target t, long budget, SteerResult r) {
        Double ess = r.diagnostics().containsKey("finalEss") ? (Double) r.diagnostics().get("finalEss") : null;
        Integer ua = r.diagnostics().containsKey("uniqueAncestors") ? (Integer) r.diagnostics().get("uniqueAncestors") : null;
        return new Row(t.spec(), budget, r.method(), r.nfe(), r.rewardCalls(), r.weightedMeanReward(), r.maxReward(),
                Checkerboard.onSupportFraction(r.samples(), r.n(), r.logWeights()), diversity(r), ess, ua, r.wallSeconds() * 1e3);
    }

    /** Weighted mean pairwise distance sum_ij W_i W_j |x_i - x_j| of the returned set (subsampled to 2048 points). */
    static double diversity(SteerResult r) {
        int n = r.n(), step = Math.max(1, n / 2048);
        double s = 0, wsum = 0;
        for (int i = 0; i < n; i += step) {
            double wi = Math.exp(r.logWeights()[i]);
            if (wi == 0) continue;
            for (int j = 0; j < n; j += step) {
                double wj = Math.exp(r.logWeights()[j]);
                if (wj == 0) continue;
                s += wi * wj * Math.hypot(r.samples()[2 * i] - r.samples()[2 * j], r.samples()[2 * i + 1] - r.samples()[2 * j + 1]);
                wsum += wi * wj;
            }
        }
        return wsum > 0 ? s / wsum : 0;
    }

    // ---------------------------------------------------------------- 3. scaling with particles

    private Map<String, Object> scaling() throws IOException {
        Reward r = Rewards.parse("point:2,0.5");
        int maxPow = fast ? 6 : 10, seeds = scale(32, 6);
        int[] ks = new int[maxPow];
        for (int i = 0; i < maxPow; i++) ks[i] = 2 << i; // 2 .. 1024
        double[][] fkBest = new double[ks.length][seeds], bonBest = new double[ks.length][seeds];
        double[][] fkMean = new double[ks.length][seeds], bonMean = new double[ks.length][seeds];
        double[] nfe = new double[ks.length];
        long totalNfe = 0, done = 0; // FK and best-of-N spend the same NFE (checked below)
        for (int k : ks) totalNfe += 2L * seeds * new BestOfN(k, STEPS, Sampler.ode(Sampler.Kind.MIDPOINT), 1, false, lambda).plannedNfe();
        try (ProgressBar p = ProgressBar.open("particles vs best-of-N", totalNfe, "NFE", progressTo, quiet)) {
            for (int i = 0; i < ks.length; i++) {
                int k = ks[i];
                for (int s = 0; s < seeds; s++) {
                    long sd = Rng.subSeed(seed, "scaling") + s;
                    SteerResult fk = new FkSteering(k, STEPS, new Sampler(Sampler.Kind.SDE, 0.1), lambda, Potential.DIFF, Intermediate.X1HAT, 4,
                            ResampleSchedule.defaults(), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0).run(model, r, sd);
                    SteerResult bon = new BestOfN(k, STEPS, Sampler.ode(Sampler.Kind.MIDPOINT), 1, false, lambda).run(model, r, sd);
                    fkBest[i][s] = fk.maxReward();
                    bonBest[i][s] = bon.maxReward();
                    fkMean[i][s] = fk.weightedMeanReward();
                    bonMean[i][s] = bon.weightedMeanReward();
                    nfe[i] = fk.nfe();
                    if (fk.nfe() != bon.nfe()) throw new IllegalStateException("unequal compute");
                    p.update(done += fk.nfe() + bon.nfe(), "k = " + k);
                }
            }
            p.finish();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reward", r.spec());
        m.put("particles", ks);
        m.put("nfe", java.util.Arrays.stream(nfe).mapToLong(v -> (long) v).toArray()); // integers in the JSON
        m.put("seeds", seeds);
        m.put("fkBestMean", means(fkBest));
        m.put("fkBestSe", ses(fkBest));
        m.put("bonBestMean", means(bonBest));
        m.put("bonBestSe", ses(bonBest));
        m.put("fkSetMean", means(fkMean));
        m.put("fkSetSe", ses(fkMean));
        m.put("bonSetMean", means(bonMean));
        m.put("bonSetSe", ses(bonMean));
        String xLabel = "network evaluations (NFE = " + 2 * STEPS + " x k), log scale";
        Plots.lines(out.resolve("fig6-scaling-best.png"), "Best particle's reward toward (2, 0.5) at equal NFE (mean \u00b1 SE over " + seeds
                        + " seeds)", xLabel, "reward (log scale)", List.of(
                        new Plots.Series("FK steering: best of k particles", nfe, means(fkBest), ses(fkBest)),
                        new Plots.Series("best-of-N, N = k", nfe, means(bonBest), ses(bonBest))), true, true, 760, 460);
        Plots.lines(out.resolve("fig7-scaling-set.png"), "Mean reward of the whole returned set toward (2, 0.5) (mean \u00b1 SE over " + seeds
                        + " seeds)", xLabel, "reward (log scale)", List.of(
                        new Plots.Series("FK steering: weighted mean of k particles", nfe, means(fkMean), ses(fkMean)),
                        new Plots.Series("best-of-N: mean of all N samples", nfe, means(bonMean), ses(bonMean))), true, true, 760, 460);
        figures.add("fig6-scaling-best.png");
        figures.add("fig7-scaling-set.png");
        return m;
    }

    static double[] means(double[][] a) {
        double[] m = new double[a.length];
        for (int i = 0; i < a.length; i++) m[i] = java.util.Arrays.stream(a[i]).average().orElse(0);
        return m;
    }

    static double[] ses(double[][] a) {
        double[] m = means(a), s = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double v = 0;
            for (double x : a[i]) v += (x - m[i]) * (x - m[i]);
            s[i] = a[i].length > 1 ? Math.sqrt(v / (a[i].length - 1) / a[i].length) : 0;
        }
        return s;
    }

    // ---------------------------------------------------------------- outputs

    private void writeCsv(List<Row> rows) throws IOException {
        StringBuilder b = new StringBuilder("target,budget,method,nfe,rewardCalls,meanReward,bestReward,onSupportFraction,diversity,ess,uniqueAncestors,wallMs\n");
        for (Row r : rows)
            b.append(String.format(Locale.ROOT, "\"%s\",%d,%s,%d,%d,%.6g,%.6g,%.4f,%.4f,%s,%s,%.2f%n", r.target(), r.budget(), r.method(), r.nfe(),
                    r.rewardCalls(), r.meanReward(), r.bestReward(), r.onSupport(), r.diversity(), r.ess() == null ? "" : String.format(Locale.ROOT, "%.1f", r.ess()),
                    r.uniqueAncestors() == null ? "" : r.uniqueAncestors().toString(), r.wallMs()));
        AtomicFiles.writeBytes(out.resolve("results.csv"), Report.finiteText(out.resolve("results.csv"), b.toString()));
    }

    private void writeReport(Map<String, Object> samplers, Map<String, Object> smooth, List<Row> rows, Map<String, Object> scaling,
                             double wall) throws IOException {
        Report.write(out.resolve("report.md"), this, samplers, smooth, rows, scaling, wall);
    }

    Map<String, Object> walkthroughFk() {
        return walkthroughFk;
    }

    List<String> figures() {
        return figures;
    }

    long seed() {
        return seed;
    }

    double lambda() {
        return lambda;
    }

    boolean fast() {
        return fast;
    }
}
