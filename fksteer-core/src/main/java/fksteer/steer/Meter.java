package fksteer.steer;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Finite;
import fksteer.model.CountingField;
import fksteer.model.VelocityField;
import fksteer.reward.CountingReward;
import fksteer.reward.Reward;
import fksteer.solver.Integrator;
import fksteer.solver.TimeGrid;
import java.util.List;
import java.util.Map;

/**
 * One run's counters and clock: the model and reward wrapped so that NFE and reward calls are what
 * they actually saw, and the wall time since the run started.
 */
record Meter(CountingField field, CountingReward reward, long startNanos) {

    /** Checks that reward and model agree on the dimension and starts counting. */
    static Meter start(VelocityField model, Reward reward) {
        if (reward.dim() != model.dim())
            throw new fksteer.io.InvalidSettingException("reward", "has dimension " + reward.dim() + " but the model has " + model.dim());
        return new Meter(new CountingField(model), new CountingReward(reward), System.nanoTime());
    }

    /**
     * {@link Integrator#solve} with a progress report after every step: step s of this solve is unit
     * offset + s + 1 of total.
     */
    static void solve(Integrator integ, float[] x, int n, double t0, double t1, int steps, long[] rng, ProgressListener progress,
                      long offset, long total) {
        for (int s = 0; s < steps; s++) {
            float ta = TimeGrid.at(t0, t1, steps, s), tb = TimeGrid.at(t0, t1, steps, s + 1);
            integ.step(x, n, ta, tb - ta, rng);
            progress.progress(offset + s + 1, total, STEPS);
        }
    }

    /** The stage name of sampler steps. */
    static final String STEPS = "steps";

    /**
     * The result with this run's counts and wall time (less excludedSeconds spent on separately reported
     * work). Guarantees what {@link SteerResult} promises: finite samples, no NaN weight or reward.
     */
    SteerResult result(String method, float[] x, int n, int d, double[] logWeights, double[] rewards, Map<String, Object> diagnostics,
                       List<SteerResult.Snapshot> snapshots, List<String> warnings, double excludedSeconds) {
        // every step checks its state (Integrator), so this holds; kept as the guarantee of the result
        if (!Finite.all(x, n * d))
            throw new InvalidSettingException("model", "led " + method + " to non-finite samples; check the model's weights");
        for (int i = 0; i < n; i++)
            if (Double.isNaN(logWeights[i]) || Double.isNaN(rewards[i]))
                throw new IllegalStateException(method + " produced a NaN weight or reward at " + i);
        double wall = (System.nanoTime() - startNanos) / 1e9 - excludedSeconds;
        return new SteerResult(method, x, n, d, logWeights, rewards, field.nfe(), reward.calls(), wall, diagnostics, snapshots, warnings);
    }
}
