package fksteer.process;

import fksteer.io.InvalidSettingException;

/**
 * DDIM (Song et al. 2021, "Denoising Diffusion Implicit Models") with stochasticity η: η = 0 is the
 * deterministic sampler, η = 1 has the DDPM posterior's variance and is the official FK code's
 * stochastic setting (a deterministic sampler leaves resampled copies identical).
 *
 * <p>With ᾱ_t at the current timestep and ᾱ_prev at the next (Song et al. eq. 12):
 * <pre>
 *   x_prev = sqrt(ᾱ_prev) x̂0 + sqrt(1 - ᾱ_prev - σ_t²) ε̂ + σ_t z,
 *   σ_t = η sqrt((1 - ᾱ_prev) / (1 - ᾱ_t)) sqrt(1 - ᾱ_t / ᾱ_prev)          (eq. 16)
 * </pre>
 * where x̂0 and ε̂ come from the model output through its {@link Prediction}.
 */
public final class DdimScheduler extends VpScheduler {
    private final double eta;

    /**
     * @param schedule       the model's β schedule
     * @param prediction     what the model predicts (epsilon, v or x0)
     * @param inferenceSteps N, at most the schedule's training steps
     * @param spacing        where the N steps sit among the training steps
     * @param eta            η in [0, 1]
     */
    public DdimScheduler(BetaSchedule schedule, Prediction prediction, int inferenceSteps, TimestepSpacing spacing, double eta) {
        super(schedule, prediction, inferenceSteps, spacing);
        InvalidSettingException.require(eta >= 0 && eta <= 1, "eta", "must be in [0, 1], got " + eta);
        this.eta = eta;
    }

    /** On explicit timesteps, strictly decreasing (a lookahead's sub-grid). */
    public DdimScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps, double eta) {
        this(schedule, prediction, timesteps, eta, 0);
    }

    /** On explicit timesteps, with x̂0 clamped to [-clip, clip] (clip > 0; 0 = none). */
    public DdimScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps, double eta, double clip) {
        super(schedule, prediction, timesteps, clip);
        InvalidSettingException.require(eta >= 0 && eta <= 1, "eta", "must be in [0, 1], got " + eta);
        this.eta = eta;
    }

    public double eta() {
        return eta;
    }

    @Override
    public double variance(int t) {
        double ab = ts.alphaBar(t), abPrev = ts.alphaBarPrev(t);
        // σ_t² = η² (1 - ᾱ_prev) / (1 - ᾱ_t) (1 - ᾱ_t / ᾱ_prev)            (eq. 16)
        return eta * eta * (1 - abPrev) / (1 - ab) * (1 - ab / abPrev);
    }

    @Override
    public void mean(float[] modelOutput, int t, float[] sample, float[] out, int len) {
        double ab = ts.alphaBar(t), abPrev = ts.alphaBarPrev(t);
        double a = Math.sqrt(ab), s = Math.sqrt(1 - ab);
        double cx0 = Math.sqrt(abPrev);                              // "predicted x0" coefficient
        double ceps = Math.sqrt(Math.max(0, 1 - abPrev - variance(t))); // "direction pointing to x_t" coefficient
        for (int i = 0; i < len; i++) {
            double x = sample[i], x0 = x0(x, modelOutput[i], a, s), e = (x - a * x0) / s;  // ε̂ consistent with x̂0
            out[i] = (float) (cx0 * x0 + ceps * e);                   // eq. 12 without the noise term
        }
    }
}
