package fksteer.process;

import fksteer.io.InvalidSettingException;
import java.util.Locale;

/**
 * How N inference steps are placed among T training steps (diffusers' {@code timestep_spacing};
 * Lin et al. 2024, "Common Diffusion Noise Schedules and Sample Steps are Flawed", Table 2).
 * Timesteps are returned in sampling order, from the noisiest down.
 */
public enum TimestepSpacing {
    /** round(linspace(T - 1, 0, N)). */
    LINSPACE("linspace"),
    /** (N - 1 - i) · (T / N) for i = 0..N-1: diffusers' legacy default; never reaches t = T - 1. */
    LEADING("leading"),
    /** round(T - i · T / N) - 1: starts at t = T - 1, the noisiest step, so sampling starts where N(0, I) is closest. */
    TRAILING("trailing");

    public final String id;

    TimestepSpacing(String id) {
        this.id = id;
    }

    public static TimestepSpacing parse(String s) {
        String v = s == null ? "" : s.toLowerCase(Locale.ROOT);
        for (TimestepSpacing t : values()) if (t.id.equals(v)) return t;
        throw new InvalidSettingException("timestepSpacing", "must be one of linspace, leading, trailing; got '" + s + "'");
    }

    /** The N timesteps, strictly decreasing, each in [0, T - 1]. */
    public int[] timesteps(int trainSteps, int inferenceSteps) {
        InvalidSettingException.require(inferenceSteps >= 1 && inferenceSteps <= trainSteps, "steps",
                "must be in [1, " + trainSteps + "] (the model's training steps), got " + inferenceSteps);
        int n = inferenceSteps, T = trainSteps;
        int[] ts = new int[n];
        for (int i = 0; i < n; i++) {
            ts[i] = switch (this) {
                case LINSPACE -> n == 1 ? T - 1 : (int) Math.round((T - 1) * (double) (n - 1 - i) / (n - 1));
                case LEADING -> (n - 1 - i) * (T / n);
                case TRAILING -> (int) Math.round(T - i * (double) T / n) - 1;
            };
        }
        for (int i = 1; i < n; i++)
            if (ts[i] >= ts[i - 1]) throw new IllegalStateException("timesteps not decreasing at " + i + ": " + ts[i - 1] + ", " + ts[i]);
        return ts;
    }
}
