package fksteer.steer;

import java.util.List;
import java.util.Map;

/**
 * What every method returns: the output samples with normalised log-weights (uniform when a method
 * does not weight), their terminal rewards, exact compute counts and method-specific diagnostics
 * (data, not prints).
 *
 * <p>Numbers a result holds: samples are always finite (a run whose state turns non-finite stops with
 * an {@link fksteer.io.InvalidSettingException} naming the likely setting instead); log-weights are
 * never NaN, each is at most 0 or -inf (zero weight); rewards are never NaN (a reward that returned NaN
 * is counted as -inf, with a warning) and are infinite only where the reward itself returned +/-inf.
 *
 * @param samples     n x d output points, all finite (empty for token sequences)
 * @param logWeights  normalised log-weights, length n (logsumexp = 0); -inf for zero weight
 * @param rewards     terminal reward of each output point
 * @param nfe         network evaluations, summed over points
 * @param rewardCalls reward evaluations, summed over points
 * @param diagnostics method-specific values (ESS per step, resampling steps, cycles, ...)
 * @param snapshots   point clouds along the way, for plots
 * @param warnings    anything the user should know (NaN rewards, degenerate settings)
 * @param tokens      n x d output token sequences of a token process (masked diffusion), or null for points
 */
public record SteerResult(String method, float[] samples, int n, int d, double[] logWeights, double[] rewards, long nfe,
                          long rewardCalls, double wallSeconds, Map<String, Object> diagnostics, List<Snapshot> snapshots,
                          List<String> warnings, int[] tokens) {

    /** A result of points. */
    public SteerResult(String method, float[] samples, int n, int d, double[] logWeights, double[] rewards, long nfe, long rewardCalls,
                       double wallSeconds, Map<String, Object> diagnostics, List<Snapshot> snapshots, List<String> warnings) {
        this(method, samples, n, d, logWeights, rewards, nfe, rewardCalls, wallSeconds, diagnostics, snapshots, warnings, null);
    }

    /** Whether the samples are token sequences ({@link #tokens}) rather than points. */
    public boolean discrete() {
        return tokens != null;
    }

    /** A labelled point cloud (n x d), optionally with a pivot to mark. */
    public record Snapshot(String title, float[] points, int n, double[] pivot) {}

    /** Sum_i W_i r_i: the weighted mean reward of the output set. */
    public double weightedMeanReward() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.exp(logWeights[i]);
            if (w > 0) s += w * rewards[i];
        }
        return s;
    }

    public double maxReward() {
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) if (logWeights[i] > Double.NEGATIVE_INFINITY) m = Math.max(m, rewards[i]);
        return m;
    }

    /** Weighted mean of coordinate k. */
    public double weightedMean(int k) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.exp(logWeights[i]);
            if (w > 0) s += w * samples[i * d + k];
        }
        return s;
    }

    /** Effective sample size of the output weights. */
    public double ess() {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.exp(logWeights[i]);
            s += w * w;
        }
        return 1 / s;
    }
}
