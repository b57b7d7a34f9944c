package fksteer.steer;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Finite;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.reward.CountingReward;
import fksteer.reward.Reward;
import java.util.List;
import java.util.Map;

/**
 * One run's counters and clock: the process and reward wrapped so that NFE and reward calls are what
 * they actually saw, and the wall time since the run started.
 */
record Meter(Process process, CountingReward reward, long startNanos) {

    /** Checks that reward and model agree on the dimension and starts counting. */
    static Meter start(Process model, Reward reward) {
        if (reward.dim() != model.dim())
            throw new InvalidSettingException("reward", "has dimension " + reward.dim() + " but the model has " + model.dim());
        return new Meter(model.counted(), new CountingReward(reward), System.nanoTime());
    }

    /** The reward of every particle of p (their states; continuous particles). out: Modified. */
    void score(Particles p, double[] out) {
        reward.evaluate(p.floats(), p.count(), out);
    }

    /**
     * {@link Chain#solve} with a progress report after every step: step s of this solve is unit
     * offset + (s - from) + 1 of total.
     */
    static void solve(Chain chain, Particles p, int from, int to, long[] rng, ProgressListener progress, long offset, long total) {
        for (int s = from; s < to; s++) {
            chain.prepare(p, s);
            chain.advance(p, s, rng);
            progress.progress(offset + (s - from) + 1, total, STEPS);
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
        // every step checks its state (the chains), so this holds; kept as the guarantee of the result
        if (!Finite.all(x, n * d))
            throw new InvalidSettingException("model", "led " + method + " to non-finite samples; check the model's weights");
        for (int i = 0; i < n; i++)
            if (Double.isNaN(logWeights[i]) || Double.isNaN(rewards[i]))
                throw new IllegalStateException(method + " produced a NaN weight or reward at " + i);
        double wall = (System.nanoTime() - startNanos) / 1e9 - excludedSeconds;
        return new SteerResult(method, x, n, d, logWeights, rewards, process.nfe(), reward.calls(), wall, diagnostics, snapshots, warnings);
    }
}
