package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.model.CountingField;
import fksteer.model.VelocityField;
import fksteer.reward.CountingReward;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.solver.TimeGrid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Search over paths: solve N starts to t_start; then repeatedly expand each state into M by noising
 * back to t - Δf, solve forward to t - Δf + Δb, score and keep the top N; finally solve to t = 1.
 *
 * <p>Two noising kernels: {@code reference} adds Δf·ε to x_t (the walkthrough); {@code path} draws
 * x_{t'} from the path's own conditional, x_{t'} = (t'/t) x_t + sqrt((1-t')^2 - (t'(1-t)/t)^2) ε, which
 * maps the marginal p_t exactly onto p_{t'}.
 *
 * <p>Start from {@link #defaults(int, int)}: {@code SearchOverPaths.defaults(1024, 100).withExpansions(4)}.
 *
 * @param particles  N, the states kept (>= 1)
 * @param expansions M, the children of each state per stage (>= 1)
 * @param tStart     where the search starts, in (0, 1)
 * @param deltaF     how far back each child is noised, in [0, tStart)
 * @param deltaB     how far forward it is then solved, greater than deltaF and at least one step
 * @param stepSize   the solver's step, in (0, 0.5] (1 / steps)
 * @param solver     a deterministic solver (midpoint, euler, heun, rk4)
 * @param pathKernel noise with the path's own conditional instead of the reference's x_t + deltaF eps
 * @param scoreOn    what a child is scored on: {@link Intermediate#XT} or {@link Intermediate#X1HAT}
 */
public record SearchOverPaths(int particles, int expansions, double tStart, double deltaF, double deltaB, double stepSize,
                              Sampler solver, boolean pathKernel, Intermediate scoreOn) implements SteeringMethod {

    public SearchOverPaths {
        java.util.Objects.requireNonNull(solver, "solver");
        if (solver.kind().stochastic)
            throw new fksteer.io.InvalidSettingException("solver", "must be an ODE solver: euler, midpoint, heun or rk4; got " + solver.name());
        java.util.Objects.requireNonNull(scoreOn, "scoreOn");
        if (particles < 1) throw new fksteer.io.InvalidSettingException("particles", "must be >= 1, got " + particles);
        if (expansions < 1) throw new fksteer.io.InvalidSettingException("expansions", "must be >= 1, got " + expansions);
        if (!(tStart > 0 && tStart < 1)) throw new fksteer.io.InvalidSettingException("tStart", "must be in (0, 1), got " + tStart);
        if (!(stepSize > 0 && stepSize <= 0.5)) throw new fksteer.io.InvalidSettingException("stepSize", "must be in (0, 0.5], got " + stepSize);
        if (!(deltaF >= 0 && deltaF < tStart)) throw new fksteer.io.InvalidSettingException("deltaF", "must be in [0, tStart), got " + deltaF, "tStart");
        if (!(deltaB > deltaF)) throw new fksteer.io.InvalidSettingException("deltaB", "must be greater than deltaF, got " + deltaB + " <= " + deltaF, "deltaF");
        if (!(deltaB >= stepSize)) throw new fksteer.io.InvalidSettingException("deltaB", "must be at least one step (stepSize), got " + deltaB, "stepSize");
        if (scoreOn == Intermediate.LOOKAHEAD) throw new fksteer.io.InvalidSettingException("scoreOn", "must be xt or x1hat");
        Sizes.length("expansions", "particles x expansions", particles, expansions);
    }

    /**
     * N states with step size 1/steps and: expansions 8, tStart 0.8, deltaF 0.1, deltaB 0.14 (so steps
     * must be at least 8), solver midpoint, the reference's noising kernel, scored on x_t.
     */
    public static SearchOverPaths defaults(int particles, int steps) {
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        return new SearchOverPaths(particles, 8, 0.8, 0.1, 0.14, 1.0 / steps, Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.XT);
    }

    public SearchOverPaths withParticles(int n) {
        return new SearchOverPaths(n, expansions, tStart, deltaF, deltaB, stepSize, solver, pathKernel, scoreOn);
    }

    public SearchOverPaths withExpansions(int m) {
        return new SearchOverPaths(particles, m, tStart, deltaF, deltaB, stepSize, solver, pathKernel, scoreOn);
    }

    public SearchOverPaths withTStart(double t) {
        return new SearchOverPaths(particles, expansions, t, deltaF, deltaB, stepSize, solver, pathKernel, scoreOn);
    }

    public SearchOverPaths withDeltaF(double d) {
        return new SearchOverPaths(particles, expansions, tStart, d, deltaB, stepSize, solver, pathKernel, scoreOn);
    }

    public SearchOverPaths withDeltaB(double d) {
        return new SearchOverPaths(particles, expansions, tStart, deltaF, d, stepSize, solver, pathKernel, scoreOn);
    }

    public SearchOverPaths withStepSize(double h) {
        return new SearchOverPaths(particles, expansions, tStart, deltaF, deltaB, h, solver, pathKernel, scoreOn);
    }

    /** Step size 1/steps. */
    public SearchOverPaths withSteps(int steps) {
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        return withStepSize(1.0 / steps);
    }

    public SearchOverPaths withSolver(Sampler s) {
        return new SearchOverPaths(particles, expansions, tStart, deltaF, deltaB, stepSize, s, pathKernel, scoreOn);
    }

    public SearchOverPaths withPathKernel(boolean path) {
        return new SearchOverPaths(particles, expansions, tStart, deltaF, deltaB, stepSize, solver, path, scoreOn);
    }

    public SearchOverPaths withScoreOn(Intermediate on) {
        return new SearchOverPaths(particles, expansions, tStart, deltaF, deltaB, stepSize, solver, pathKernel, on);
    }

    @Override
    public String name() {
        return "search-over-paths";
    }

    private List<double[]> stages() {
        List<double[]> st = new ArrayList<>();
        double t = tStart;
        while (t - deltaF + deltaB < 1.0 - 1e-9) {
            st.add(new double[] {t - deltaF, t - deltaF + deltaB});
            t = t - deltaF + deltaB;
        }
        return st;
    }

    @Override
    public long plannedNfe() {
        int e = solver.evaluationsPerStep();
        long nfe = (long) particles * TimeGrid.stepsFor(0, tStart, stepSize) * e;
        double t = tStart;
        for (double[] s : stages()) {
            nfe += (long) particles * expansions * (TimeGrid.stepsFor(s[0], s[1], stepSize) * e + (scoreOn == Intermediate.X1HAT ? 1 : 0));
            t = s[1];
        }
        return nfe + (long) particles * TimeGrid.stepsFor(t, 1, stepSize) * e;
    }

    /**
     * The states (n x d and the expanded n x M x d with its velocities and x̂1), the integrator's scratch for
     * n x M points, per-child rewards, streams and sort order, and a snapshot per stage.
     */
    @Override
    public long estimatedBytes(int dim) {
        long n = particles, nm = Sizes.product(n, expansions);
        int snapshots = stages().size() + 3;
        return new Sizes.Bytes().floats(n, dim).longs(n).floats(snapshots, n, dim)
                .floats(3, nm, dim).add(Integrator.scratchBytes(solver.kind(), nm, dim))
                .doubles(nm).longs(nm).ints(2, nm).boxedInts(nm).ints(snapshots, nm / 2 + 1) // two Integer[] (refs), the boxes, each stage's sort buffer
                .doubles(2, n).total();
    }

    @Override
    public SteerResult run(VelocityField model, Reward rewardFn, long seed, ProgressListener progress) {
        Meter meter = Meter.start(model, rewardFn);
        CountingField field = meter.field();
        CountingReward reward = meter.reward();
        int n = particles, m = expansions, d = model.dim(), nm = n * m; // n * m fits: checked when built
        Sizes.length("expansions", "particles x expansions x dimension", n, m, d);
        Integrator integ = solver.bind(field, nm);
        List<SteerResult.Snapshot> snaps = new ArrayList<>();
        float[] x = Noise.initial(n, d, seed);
        snaps.add(new SteerResult.Snapshot("t = 0.000", x.clone(), n, null));
        List<double[]> stages = stages();
        long totalSteps = TimeGrid.stepsFor(0, tStart, stepSize), done = 0;
        double tEnd = tStart;
        for (double[] s : stages) {
            totalSteps += TimeGrid.stepsFor(s[0], s[1], stepSize);
            tEnd = s[1];
        }
        totalSteps += TimeGrid.stepsFor(tEnd, 1, stepSize);
        progress.progress(0, totalSteps, Meter.STEPS);
        Meter.solve(integ, x, n, 0, tStart, TimeGrid.stepsFor(0, tStart, stepSize), null, progress, done, totalSteps);
        done += TimeGrid.stepsFor(0, tStart, stepSize);
        snaps.add(new SteerResult.Snapshot(String.format(Locale.ROOT, "t = %.3f", tStart), x.clone(), n, null));
        float[] big = new float[nm * d], eps = new float[d], v = new float[nm * d], x1 = new float[nm * d];
        double[] r = new double[nm];
        long[] st = Rng.streams(Rng.subSeed(seed, "search-over-paths"), nm);
        Integer[] order = new Integer[nm], rows = new Integer[nm]; // boxed once: a stage's sort allocates no Integers
        for (int j = 0; j < nm; j++) rows[j] = j;
        List<Map<String, Object>> stageLog = new ArrayList<>();
        long nan = 0;
        double t = tStart;
        for (double[] stg : stages) {
            double tb = stg[0], te = stg[1];
            for (int j = 0; j < nm; j++) {
                int i = j % n; // expand: row j is a copy of row j mod N (torch's repeat((M, 1)))
                Rng.fillGaussian(st, j, eps, 0, d);
                for (int k = 0; k < d; k++) {
                    float xi = x[i * d + k];
                    if (pathKernel) {
                        // x_{t'} = (t'/t) x_t + sqrt((1-t')^2 - (t'(1-t)/t)^2) eps
                        double a = tb / t, sd = Math.sqrt(Math.max(0, (1 - tb) * (1 - tb) - Math.pow(tb * (1 - t) / t, 2)));
                        big[j * d + k] = (float) (a * xi + sd * eps[k]);
                    } else {
                        big[j * d + k] = (float) (xi + deltaF * eps[k]); // the reference: x_t + Δf ε
                    }
                }
            }
            Meter.solve(integ, big, nm, tb, te, TimeGrid.stepsFor(tb, te, stepSize), null, progress, done, totalSteps);
            done += TimeGrid.stepsFor(tb, te, stepSize);
            if (scoreOn == Intermediate.X1HAT) {
                field.velocity(big, nm, (float) te, v);
                fksteer.model.FlowPath.predictX1(big, v, (float) te, x1, nm * d);
                reward.evaluate(x1, nm, r);
            } else reward.evaluate(big, nm, r);
            nan += FkSteering.sanitize(r);
            System.arraycopy(rows, 0, order, 0, nm);
            Arrays.sort(order, (a, b) -> Double.compare(r[b], r[a]));
            for (int i = 0; i < n; i++) System.arraycopy(big, order[i] * d, x, i * d, d);
            Map<String, Object> sl = new LinkedHashMap<>();
            sl.put("from", Math.round(tb * 1e6) / 1e6); // 0.7, not 0.8 - 0.1 = 0.7000000000000001
            sl.put("to", Math.round(te * 1e6) / 1e6);
            sl.put("bestScore", r[order[0]]);
            stageLog.add(sl);
            t = te;
            snaps.add(new SteerResult.Snapshot(String.format(Locale.ROOT, "t = %.3f", t), x.clone(), n, null));
        }
        Meter.solve(integ, x, n, t, 1, TimeGrid.stepsFor(t, 1, stepSize), null, progress, done, totalSteps);
        snaps.add(new SteerResult.Snapshot("t = 1.000", x.clone(), n, null));
        double[] rf = new double[n];
        reward.evaluate(x, n, rf);
        nan += FkSteering.sanitize(rf);
        int best = 0;
        for (int i = 1; i < n; i++) if (rf[i] > rf[best]) best = i;
        double[] lw = new double[n];
        Arrays.fill(lw, -Math.log(n));
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("stages", stageLog);
        diag.put("best", best);
        diag.put("bestReward", rf[best]);
        diag.put("kernel", pathKernel ? "path" : "reference");
        List<String> warnings = nan > 0 ? List.of(nan + " reward value(s) were NaN and counted as -inf") : List.of();
        return meter.result(name(), x, n, d, lw, rf, diag, snaps, warnings, 0);
    }
}
