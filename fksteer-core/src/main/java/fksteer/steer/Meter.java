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

    /** The reward of every particle of p: their points, or their token sequences. out: Modified. */
    void score(Particles p, double[] out) {
        if (p.discrete()) reward.evaluateTokens(p.tokens(), p.count(), out);
        else reward.evaluate(p.floats(), p.count(), out);
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
     * The result of the particles out (their first count rows) with this run's counts and wall time
     * (less excludedSeconds spent on separately reported work). Guarantees what {@link SteerResult}
     * promises: finite samples, no NaN weight or reward.
     */
    SteerResult result(String method, Particles out, double[] logWeights, double[] rewards, Map<String, Object> diagnostics,
                       List<SteerResult.Snapshot> snapshots, List<String> warnings, double excludedSeconds) {
        int n = out.count(), d = out.size();
        if (out.discrete())
            return build(method, new float[0], java.util.Arrays.copyOf(out.tokens(), n * d), n, d, logWeights, rewards, diagnostics, snapshots,
                    warnings, excludedSeconds);
        float[] x = out.floats();          // the state itself when it holds exactly the output rows (no second copy of a large batch)
        return result(method, x.length == (long) n * d ? x : out.floatsCopy(), n, d, logWeights, rewards, diagnostics, snapshots, warnings,
                excludedSeconds);
    }

    /** The result of n points x (n x d). */
    SteerResult result(String method, float[] x, int n, int d, double[] logWeights, double[] rewards, Map<String, Object> diagnostics,
                       List<SteerResult.Snapshot> snapshots, List<String> warnings, double excludedSeconds) {
        // every step checks its state (the chains), so this holds; kept as the guarantee of the result
        if (!Finite.all(x, n * d))
            throw new InvalidSettingException("model", "led " + method + " to non-finite samples; check the model's weights");
        return build(method, x, null, n, d, logWeights, rewards, diagnostics, snapshots, warnings, excludedSeconds);
    }

    private SteerResult build(String method, float[] x, int[] tokens, int n, int d, double[] logWeights, double[] rewards,
                              Map<String, Object> diagnostics, List<SteerResult.Snapshot> snapshots, List<String> warnings, double excludedSeconds) {
        for (int i = 0; i < n; i++)
            if (Double.isNaN(logWeights[i]) || Double.isNaN(rewards[i]))
                throw new IllegalStateException(method + " produced a NaN weight or reward at " + i);
        double wall = (System.nanoTime() - startNanos) / 1e9 - excludedSeconds;
        return new SteerResult(method, x, n, d, logWeights, rewards, process.nfe(), reward.calls(), wall, diagnostics, snapshots, warnings, tokens);
    }
}
