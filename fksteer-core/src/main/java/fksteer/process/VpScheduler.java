package fksteer.process;

import fksteer.io.InvalidSettingException;

/**
 * What the VP schedulers share: the β schedule's ᾱ table at this run's timesteps and the model's
 * prediction, turned into x̂0 the same way by every scheduler. Each scheduler (its own file) adds its
 * step's mean and variance.
 */
abstract class VpScheduler implements GaussianScheduler {
    final VpTimesteps ts;
    final Prediction prediction;
    /** x̂0 is clamped to [-clip, clip]; 0 = not clamped. */
    final double clip;

    VpScheduler(BetaSchedule schedule, Prediction prediction, int inferenceSteps, TimestepSpacing spacing) {
        InvalidSettingException.require(prediction != null && prediction != Prediction.VELOCITY, "prediction",
                "of a VP model must be epsilon, v or x0, got " + (prediction == null ? "none" : prediction.id));
        this.ts = new VpTimesteps(schedule, inferenceSteps, spacing);
        this.prediction = prediction;
        this.clip = 0;
    }

    /** On explicit timesteps (strictly decreasing), as a lookahead from the middle of a run needs; x̂0 clamped to [-clip, clip] when clip > 0. */
    VpScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps, double clip) {
        InvalidSettingException.require(prediction != null && prediction != Prediction.VELOCITY, "prediction",
                "of a VP model must be epsilon, v or x0, got " + (prediction == null ? "none" : prediction.id));
        InvalidSettingException.require(clip >= 0 && Double.isFinite(clip), "clipSample", "must be 0 (none) or a finite number > 0, got " + clip);
        this.ts = new VpTimesteps(schedule, timesteps);
        this.prediction = prediction;
        this.clip = clip;
    }

    @Override
    public int[] timesteps() {
        return ts.timesteps.clone();
    }

    @Override
    public double alphaBar(int t) {
        return ts.alphaBar(t);
    }

    @Override
    public double alphaBarPrev(int t) {
        return ts.alphaBarPrev(t);
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    /** x̂0 of one coordinate from its sample x and model output o, with a = sqrt(ᾱ_t), s = sqrt(1 - ᾱ_t); clamped when clip > 0. */
    final double x0(double x, double o, double a, double s) {
        double x0 = switch (prediction) {
            case EPSILON -> (x - s * o) / a;
            case X0 -> o;
            default -> a * x - s * o;                          // v (Salimans and Ho 2022, eq. 9)
        };
        return clip > 0 ? Math.max(-clip, Math.min(clip, x0)) : x0;  // diffusers' clip_sample
    }

    @Override
    public void predictX0(float[] modelOutput, int t, float[] sample, float[] out, int len) {
        GaussianScheduler.super.predictX0(modelOutput, t, sample, out, len);
        if (clip > 0) {
            float c = (float) clip;
            for (int i = 0; i < len; i++) out[i] = Math.max(-c, Math.min(c, out[i]));
        }
    }
}
