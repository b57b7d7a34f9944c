package fksteer.process;

import fksteer.io.InvalidSettingException;

/**
 * The ᾱ table of a β schedule and the inference timesteps of one run, shared by the VP schedulers:
 * for each timestep, its ᾱ_t and the ᾱ of the step that follows it (1 after the last step, diffusers'
 * {@code set_alpha_to_one}).
 */
final class VpTimesteps {
    final BetaSchedule schedule;
    final int[] timesteps;
    private final double[] alphasCumprod;
    /** position of each training timestep in {@link #timesteps}, or -1 */
    private final int[] index;

    VpTimesteps(BetaSchedule schedule, int inferenceSteps, TimestepSpacing spacing) {
        this(schedule, spacing(spacing).timesteps(required(schedule).trainSteps(), inferenceSteps));
    }

    /** Explicit timesteps, strictly decreasing, each in [0, trainSteps - 1] (a lookahead's sub-grid). */
    VpTimesteps(BetaSchedule schedule, int[] timesteps) {
        required(schedule);
        for (int i = 0; i < timesteps.length; i++)
            if (timesteps[i] < 0 || timesteps[i] >= schedule.trainSteps() || (i > 0 && timesteps[i] >= timesteps[i - 1]))
                throw new IllegalArgumentException("timesteps must decrease strictly within [0, " + (schedule.trainSteps() - 1) + "]");
        this.schedule = schedule;
        this.alphasCumprod = schedule.alphasCumprod();
        this.timesteps = timesteps.clone();
        this.index = new int[schedule.trainSteps()];
        java.util.Arrays.fill(index, -1);
        for (int i = 0; i < timesteps.length; i++) index[timesteps[i]] = i;
    }

    private static BetaSchedule required(BetaSchedule s) {
        InvalidSettingException.require(s != null, "schedule", "is required");
        return s;
    }

    private static TimestepSpacing spacing(TimestepSpacing s) {
        InvalidSettingException.require(s != null, "timestepSpacing", "is required");
        return s;
    }

    int indexOf(int t) {
        if (t < 0 || t >= index.length || index[t] < 0)
            throw new IllegalArgumentException("timestep " + t + " is not one of this run's inference timesteps");
        return index[t];
    }

    double alphaBar(int t) {
        indexOf(t);
        return alphasCumprod[t];
    }

    double alphaBarPrev(int t) {
        int i = indexOf(t);
        return i + 1 < timesteps.length ? alphasCumprod[timesteps[i + 1]] : 1.0;
    }
}
