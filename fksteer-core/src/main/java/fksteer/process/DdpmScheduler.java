package fksteer.process;

/**
 * DDPM ancestral sampling (Ho et al. 2020) on N inference steps: the step from t to the next
 * timestep t' draws from the Gaussian posterior q(x_t' | x_t, x̂0), with β'_t = 1 - ᾱ_t / ᾱ_t'
 * (Ho et al. eqs. 6-7):
 * <pre>
 *   mean     = sqrt(ᾱ_t') β'_t / (1 - ᾱ_t) · x̂0 + sqrt(1 - β'_t) (1 - ᾱ_t') / (1 - ᾱ_t) · x_t
 *   variance = (1 - ᾱ_t') / (1 - ᾱ_t) · β'_t          (diffusers' "fixed_small")
 * </pre>
 * The last step (to ᾱ = 1) returns x̂0 with no noise.
 */
public final class DdpmScheduler extends VpScheduler {

    public DdpmScheduler(BetaSchedule schedule, Prediction prediction, int inferenceSteps, TimestepSpacing spacing) {
        super(schedule, prediction, inferenceSteps, spacing);
    }

    /** On explicit timesteps, strictly decreasing (a lookahead's sub-grid). */
    public DdpmScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps) {
        this(schedule, prediction, timesteps, 0);
    }

    /** On explicit timesteps, with x̂0 clamped to [-clip, clip] (clip > 0; 0 = none). */
    public DdpmScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps, double clip) {
        super(schedule, prediction, timesteps, clip);
    }

    @Override
    public double variance(int t) {
        double ab = ts.alphaBar(t), abPrev = ts.alphaBarPrev(t);
        double beta = 1 - ab / abPrev;                    // β'_t
        return (1 - abPrev) / (1 - ab) * beta;            // β̃_t (eq. 7); 0 on the last step
    }

    @Override
    public void mean(float[] modelOutput, int t, float[] sample, float[] out, int len) {
        double ab = ts.alphaBar(t), abPrev = ts.alphaBarPrev(t);
        double beta = 1 - ab / abPrev, alpha = ab / abPrev;
        double cx0 = Math.sqrt(abPrev) * beta / (1 - ab);         // eq. 7, coefficient of x̂0
        double cxt = Math.sqrt(alpha) * (1 - abPrev) / (1 - ab);  // eq. 7, coefficient of x_t
        double a = Math.sqrt(ab), s = Math.sqrt(1 - ab);
        for (int i = 0; i < len; i++) {
            double x = sample[i];
            out[i] = (float) (cx0 * x0(x, modelOutput[i], a, s) + cxt * x);
        }
    }
}
