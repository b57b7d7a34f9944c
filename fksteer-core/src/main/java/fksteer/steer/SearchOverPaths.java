package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
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
 * <p>Times are fractions of the run: on a chain of round(1 / stepSize) steps, t_start is step
 * round(t_start / stepSize), and Δf and Δb are round(Δ / stepSize) steps (Δb at least one step more
 * than Δf, as Δb > Δf asks, however coarse the grid), so the search runs on any
 * process's own grid (a flow's uniform t, a shifted flow's σ', a VP model's timesteps).
 *
 * <p>Two noising kernels: {@code path} draws from the process's own forward conditional
 * ({@link fksteer.process.Chain#renoise}; for a flow x_{t'} = (t'/t) x_t + sqrt((1-t')^2 - (t'(1-t)/t)^2) ε),
 * which maps the marginal at t exactly onto the marginal at t'; {@code reference} adds Δf·ε to x_t
 * (the walkthrough's heuristic, for flows with noise at t = 0 only).
 *
 * <p>Start from {@link #defaults(int, int)}: {@code SearchOverPaths.defaults(1024, 100).withExpansions(4)}.
 *
 * @param particles  N, the states kept (>= 1)
 * @param expansions M, the children of each state per stage (>= 1)
 * @param tStart     where the search starts, in (0, 1)
 * @param deltaF     how far back each child is noised, in [0, tStart)
 * @param deltaB     how far forward it is then solved, greater than deltaF and at least one step
 * @param stepSize   the solver's step, in (0, 0.5] (1 / steps)
 * @param solver     a deterministic solver (midpoint, euler, heun, rk4; ddim with eta 0), or masked diffusion's ancestral
 *                   sampler, whose children's paths are drawn from their own streams (re-masking is the path kernel)
 * @param pathKernel noise with the path's own conditional instead of the reference's x_t + deltaF eps
 * @param scoreOn    what a child is scored on: {@link Intermediate#XT} or {@link Intermediate#X1HAT}
 */
public record SearchOverPaths(int particles, int expansions, double tStart, double deltaF, double deltaB, double stepSize,
                              Sampler solver, boolean pathKernel, Intermediate scoreOn) implements SteeringMethod {

    public SearchOverPaths {
        java.util.Objects.requireNonNull(solver, "solver");
        if (solver.kind() != Sampler.Kind.ANCESTRAL) solver.requireDeterministic("solver");
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
        int n = gridSteps(stepSize), start = (int) Math.round(tStart * n);
        if (!(start >= 1 && start < n))
            throw new fksteer.io.InvalidSettingException("tStart", "must fall strictly inside the run's " + n + " steps (step " + start + ")", "stepSize");
        if (!(Math.round(deltaF * n) < start))
            throw new fksteer.io.InvalidSettingException("deltaF", "must be fewer steps than tStart on the run's " + n + " steps", "tStart");
    }

    /** The run's steps for a step size: round(1 / stepSize). */
    static int gridSteps(double stepSize) {
        return (int) Math.max(1, Math.round(1.0 / stepSize));
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

    /** The run's steps, where the search starts, and how many steps back and forward each stage goes. */
    private int n() {
        return gridSteps(stepSize);
    }

    /** The stages as {from step, to step}: back Δf from the current step, then forward Δb. */
    private List<int[]> stages() {
        int n = n(), f = (int) Math.round(deltaF * n), b = Math.max(f + 1, (int) Math.round(deltaB * n)); // deltaB > deltaF: at least a step on
        List<int[]> st = new ArrayList<>();
        int i = (int) Math.round(tStart * n);
        while (i - f + b < n) {
            st.add(new int[] {i - f, i - f + b});
            i = i - f + b;
        }
        return st;
    }

    @Override
    public long plannedNfe() {
        int e = solver.evaluationsPerStep(), n = n();
        long nfe = (long) particles * Math.round(tStart * n) * e;
        int last = (int) Math.round(tStart * n);
        for (int[] s : stages()) {
            nfe += (long) particles * expansions * ((long) (s[1] - s[0]) * e + (scoreOn == Intermediate.X1HAT ? 1 : 0));
            last = s[1];
        }
        return nfe + (long) particles * (n - last) * e;
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
    public SteerResult run(Process model, Reward rewardFn, long seed, ProgressListener progress) {
        model.requireSampler(solver);
        if (!pathKernel && !model.kind().equals("flow"))
            throw new fksteer.io.InvalidSettingException("noiseKernel", "reference (x_t + deltaF eps) is the walkthrough's heuristic for flows with "
                    + "noise at t = 0; use the path kernel for a " + model.kind() + " model");
        Meter meter = Meter.start(model, rewardFn);
        int n = particles, m = expansions, d = model.dim(), nm = n * m; // n * m fits: checked when built
        Sizes.length("expansions", "particles x expansions x dimension", n, m, d);
        int steps = n(), start = (int) Math.round(tStart * steps);
        Chain chain = meter.process().chain(solver, steps, nm);
        Particles x = chain.newParticles(n), big = chain.newParticles(nm), xhat = big.like(nm);
        chain.initialNoise(x, seed);
        boolean points = !x.discrete();   // snapshots are point clouds
        // a stochastic solver (masked diffusion's) draws the paths: the kept states' and the children's own streams
        long[] xRng = solver.stochastic() ? Noise.stepStreams(seed, n) : null;
        long[] bigRng = solver.stochastic() ? Rng.streams(Rng.subSeed(seed, "search-over-paths-steps"), nm) : null;
        List<SteerResult.Snapshot> snaps = new ArrayList<>();
        if (points) snaps.add(new SteerResult.Snapshot("t = 0.000", x.floatsCopy(), n, null));
        List<int[]> stages = stages();
        long totalSteps = start, done = 0;
        int last = start;
        for (int[] s : stages) {
            totalSteps += s[1] - s[0];
            last = s[1];
        }
        totalSteps += steps - last;
        progress.progress(0, totalSteps, Meter.STEPS);
        Meter.solve(chain, x, 0, start, xRng, progress, done, totalSteps);
        done += start;
        if (points) snaps.add(new SteerResult.Snapshot(String.format(Locale.ROOT, "t = %.3f", chain.time(start)), x.floatsCopy(), n, null));
        float[] eps = new float[d];
        double[] r = new double[nm];
        long[] st = Rng.streams(Rng.subSeed(seed, "search-over-paths"), nm);
        Integer[] order = new Integer[nm], rows = new Integer[nm]; // boxed once: a stage's sort allocates no Integers
        int[] keep = new int[n];
        for (int j = 0; j < nm; j++) rows[j] = j;
        List<Map<String, Object>> stageLog = new ArrayList<>();
        long nan = 0;
        int at = start;
        for (int[] stg : stages) {
            int tb = stg[0], te = stg[1];
            big.count(nm);
            for (int j = 0; j < nm; j++) big.copyRow(x, j % n, j); // expand: row j is a copy of row j mod N (torch's repeat((M, 1)))
            if (pathKernel) {
                if (tb < at) chain.renoise(big, at, tb, st);        // the process's own forward conditional
            } else {
                float[] b = big.floats();
                for (int j = 0; j < nm; j++) {
                    Rng.fillGaussian(st, j, eps, 0, d);
                    for (int k = 0; k < d; k++) b[j * d + k] = (float) (b[j * d + k] + deltaF * eps[k]); // the reference: x_t + Δf ε
                }
            }
            Meter.solve(chain, big, tb, te, bigRng, progress, done, totalSteps);
            done += te - tb;
            if (scoreOn == Intermediate.X1HAT) {
                chain.prepare(big, te);
                chain.predictData(big, te, xhat);
                meter.score(xhat, r);
            } else meter.score(big, r);
            nan += FkSteering.sanitize(r);
            System.arraycopy(rows, 0, order, 0, nm);
            Arrays.sort(order, (a, b) -> Double.compare(r[b], r[a]));
            for (int i = 0; i < n; i++) keep[i] = order[i];
            x.select(big, keep, n);
            Map<String, Object> sl = new LinkedHashMap<>();
            sl.put("from", Math.round(chain.time(tb) * 1e6) / 1e6); // 0.7, not 0.69999999
            sl.put("to", Math.round(chain.time(te) * 1e6) / 1e6);
            sl.put("bestScore", r[order[0]]);
            stageLog.add(sl);
            at = te;
            if (points) snaps.add(new SteerResult.Snapshot(String.format(Locale.ROOT, "t = %.3f", chain.time(at)), x.floatsCopy(), n, null));
        }
        Meter.solve(chain, x, at, steps, xRng, progress, done, totalSteps);
        if (points) snaps.add(new SteerResult.Snapshot("t = 1.000", x.floatsCopy(), n, null));
        double[] rf = new double[n];
        meter.score(x, rf);
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
        return meter.result(name(), x, lw, rf, diag, snaps, warnings, 0);
    }
}
