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

    VpScheduler(BetaSchedule schedule, Prediction prediction, int inferenceSteps, TimestepSpacing spacing) {
        InvalidSettingException.require(prediction != null && prediction != Prediction.VELOCITY, "prediction",
                "of a VP model must be epsilon, v or x0, got " + (prediction == null ? "none" : prediction.id));
        this.ts = new VpTimesteps(schedule, inferenceSteps, spacing);
        this.prediction = prediction;
    }

    /** On explicit timesteps (strictly decreasing), as a lookahead from the middle of a run needs. */
    VpScheduler(BetaSchedule schedule, Prediction prediction, int[] timesteps) {
        InvalidSettingException.require(prediction != null && prediction != Prediction.VELOCITY, "prediction",
                "of a VP model must be epsilon, v or x0, got " + (prediction == null ? "none" : prediction.id));
        this.ts = new VpTimesteps(schedule, timesteps);
        this.prediction = prediction;
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

    /** x̂0 of one coordinate from its sample x and model output o, with a = sqrt(ᾱ_t), s = sqrt(1 - ᾱ_t). */
    final double x0(double x, double o, double a, double s) {
        return switch (prediction) {
            case EPSILON -> (x - s * o) / a;
            case X0 -> o;
            default -> a * x - s * o;                          // v (Salimans and Ho 2022, eq. 9)
        };
    }
}
