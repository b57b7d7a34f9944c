package fksteer.steer;

import fksteer.io.InvalidSettingException;
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
import java.util.Map;

/**
 * Zeroth-order search over the initial noise: from a pivot n, draw N candidates in
 * S_n^radius = {y : |y - n| < radius} (uniform in the ball, or Gaussian with std radius), solve each
 * to t = 1 with a deterministic solver, score, move the pivot to the best candidate's noise, repeat.
 * Cost: cycles x N x steps x evaluations per step.
 *
 * <p>The best candidate of a later cycle can score lower than an earlier one (the pivot moves to the
 * cycle's best, not the best so far), so the output is the N candidates of the cycle that found the best
 * sample over all cycles (the earliest, on ties); the diagnostics give every cycle's best
 * ({@code cycleBest}) and which cycle was returned ({@code bestCycle}).
 *
 * <p>Start from {@link #defaults(int, int)}: {@code ZerothOrder.defaults(2048, 100).withCycles(8)}.
 *
 * @param candidates N, the candidates per cycle (>= 1)
 * @param cycles     pivot updates (>= 1)
 * @param steps      solver steps from t = 0 to 1 (>= 1)
 * @param solver     a deterministic solver (midpoint, euler, heun, rk4)
 * @param radius     the neighbourhood's radius (> 0)
 * @param gaussian   Gaussian candidates with std radius instead of uniform in the ball
 * @param pivot      the first pivot (the initial noise, d coordinates), or null to draw it from the seed
 */
public record ZerothOrder(int candidates, int cycles, int steps, Sampler solver, double radius, boolean gaussian,
                          double[] pivot) implements SteeringMethod {

    public ZerothOrder {
        java.util.Objects.requireNonNull(solver, "solver");
        solver.requireDeterministic("solver");
        if (candidates < 1) throw new fksteer.io.InvalidSettingException("candidates", "must be >= 1, got " + candidates);
        if (cycles < 1) throw new fksteer.io.InvalidSettingException("cycles", "must be >= 1, got " + cycles);
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        if (!(radius > 0) || !Double.isFinite(radius)) throw new fksteer.io.InvalidSettingException("radius", "must be a finite number > 0, got " + radius);
        pivot = pivot == null ? null : pivot.clone();
        if (pivot != null)
            for (double v : pivot)
                InvalidSettingException.require(Math.abs(v) <= Float.MAX_VALUE, "pivot", "must hold finite numbers within float range, got " + v);
    }

    /**
     * N candidates per cycle with the given number of steps and: cycles 5, solver midpoint, radius 1,
     * uniform in the ball (not gaussian), pivot drawn from the seed.
     */
    public static ZerothOrder defaults(int candidates, int steps) {
        return new ZerothOrder(candidates, 5, steps, Sampler.ode(Sampler.Kind.MIDPOINT), 1.0, false, null);
    }

    public ZerothOrder withCandidates(int n) {
        return new ZerothOrder(n, cycles, steps, solver, radius, gaussian, pivot);
    }

    public ZerothOrder withCycles(int n) {
        return new ZerothOrder(candidates, n, steps, solver, radius, gaussian, pivot);
    }

    public ZerothOrder withSteps(int n) {
        return new ZerothOrder(candidates, cycles, n, solver, radius, gaussian, pivot);
    }

    public ZerothOrder withSolver(Sampler s) {
        return new ZerothOrder(candidates, cycles, steps, s, radius, gaussian, pivot);
    }

    public ZerothOrder withRadius(double r) {
        return new ZerothOrder(candidates, cycles, steps, solver, r, gaussian, pivot);
    }

    public ZerothOrder withGaussian(boolean g) {
        return new ZerothOrder(candidates, cycles, steps, solver, radius, g, pivot);
    }

    /** The first pivot (copied), or null to draw it from the seed. */
    public ZerothOrder withPivot(double[] p) {
        return new ZerothOrder(candidates, cycles, steps, solver, radius, gaussian, p);
    }

    @Override
    public String name() {
        return "zeroth-order";
    }

    @Override
    public long plannedNfe() {
        return (long) cycles * candidates * steps * solver.evaluationsPerStep();
    }

    /** Candidate noise and states, the integrator's scratch, rewards, streams and one snapshot per cycle. */
    @Override
    public long estimatedBytes(int dim) {
        long n = candidates;
        return new Sizes.Bytes().floats(2, n, dim).add(Integrator.scratchBytes(solver.kind(), n, dim)).doubles(2, n).longs(n)
                .floats(cycles, n, dim)
                .floats(1, n, dim).doubles(1, n).total(); // the best cycle's candidates and rewards
    }

    @Override
    public SteerResult run(Process model, Reward rewardFn, long seed, ProgressListener progress) {
        if (!model.continuousNoise())
            throw new InvalidSettingException("method", "zeroth-order searches a continuous initial noise, which a " + model.kind() + " model has not");
        model.requireSampler(solver);
        Meter meter = Meter.start(model, rewardFn);
        int n = candidates, d = model.dim();
        double[] pv;
        if (pivot != null) {
            if (pivot.length != d) throw new fksteer.io.InvalidSettingException("pivot", "has " + pivot.length + " coordinates, the model has " + d);
            pv = pivot.clone();
        } else {
            float[] p0 = Noise.initial(1, d, Rng.subSeed(seed, "pivot"));
            pv = new double[d];
            for (int k = 0; k < d; k++) pv[k] = p0[k];
        }
        double[] startPivot = pv.clone();
        Chain chain = meter.process().chain(solver, steps, n);
        Particles p = chain.newParticles(n);
        int len = Sizes.length("particles", "particles x dimension", n, d);
        float[] noise = new float[len], x = p.floats(), eps = new float[d];
        double[] r = new double[n];
        List<Map<String, Object>> cycleLog = new ArrayList<>();
        List<SteerResult.Snapshot> snaps = new ArrayList<>();
        double[] cycleBest = new double[cycles];
        float[] bestX = new float[n * d];   // the candidates of the best cycle so far, copied in when a cycle beats it
        double[] bestR = new double[n];
        int bestCycle = -1;
        long[] st = Rng.streams(Rng.subSeed(seed, "zeroth-order"), n);
        long nan = 0;
        long totalSteps = (long) cycles * steps;
        progress.progress(0, totalSteps, Meter.STEPS);
        for (int c = 0; c < cycles; c++) {
            for (int i = 0; i < n; i++) {
                Rng.fillGaussian(st, i, eps, 0, d);
                double scale;
                if (gaussian) scale = radius;
                else {
                    // uniform in the d-ball: direction eps/|eps|, radius R U^(1/d)
                    double norm = 0;
                    for (float e : eps) norm += (double) e * e;
                    norm = Math.sqrt(norm);
                    scale = norm > 0 ? radius * Math.pow(Rng.nextDouble(st, i), 1.0 / d) / norm : 0;
                }
                for (int k = 0; k < d; k++) noise[i * d + k] = (float) (pv[k] + scale * eps[k]);
            }
            if (!fksteer.kernel.Finite.all(noise))
                throw new InvalidSettingException("radius", radius + " puts candidate noise beyond float range; lower it");
            System.arraycopy(noise, 0, x, 0, n * d);
            Meter.solve(chain, p, 0, steps, null, progress, (long) c * steps, totalSteps);
            meter.score(p, r);
            nan += FkSteering.sanitize(r);
            int best = 0;
            for (int i = 1; i < n; i++) if (r[i] > r[best]) best = i;
            double mean = 0;
            for (double v : r) mean += v;
            Map<String, Object> cl = new LinkedHashMap<>();
            cl.put("cycle", c);
            cl.put("pivot", pv.clone());
            cl.put("bestReward", r[best]);
            cl.put("meanReward", mean / n);
            cl.put("bestSample", Arrays.copyOfRange(x, best * d, best * d + d));
            cycleLog.add(cl);
            snaps.add(new SteerResult.Snapshot("cycle " + (c + 1), x.clone(), n, pv.clone()));
            cycleBest[c] = r[best];
            if (bestCycle < 0 || r[best] > cycleBest[bestCycle]) {
                bestCycle = c;
                System.arraycopy(x, 0, bestX, 0, n * d);
                System.arraycopy(r, 0, bestR, 0, n);
            }
            for (int k = 0; k < d; k++) pv[k] = noise[best * d + k]; // move the pivot to the best candidate's noise
        }
        double[] lw = new double[n];
        Arrays.fill(lw, -Math.log(n));
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("startPivot", startPivot);
        diag.put("finalPivot", pv);
        diag.put("cycles", cycleLog);
        diag.put("cycleBest", cycleBest);
        diag.put("bestCycle", bestCycle);
        List<String> warnings = nan > 0 ? List.of(nan + " reward value(s) were NaN and counted as -inf") : List.of();
        return meter.result(name(), bestX, n, d, lw, bestR, diag, snaps, warnings, 0);
    }
}
