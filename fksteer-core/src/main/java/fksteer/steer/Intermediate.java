package fksteer.steer;

import java.util.Locale;

/** What the intermediate reward r_s scores at time t_s. */
public enum Intermediate {
    /** the noisy state x_t itself (the reference walkthrough) */
    XT,
    /**
     * the predicted endpoint x̂1 = x_t + (1 - t) v(x_t, t) (the paper's default; no extra NFE); for VP the
     * x̂0 of the step's output; for masked diffusion the argmax x̂0 (unmasked tokens kept)
     */
    X1HAT,
    /** the ODE solved from x_t to t = 1 in a few midpoint steps (costs 2 NFE per step per particle) */
    LOOKAHEAD,
    /**
     * many:K, (1/lambda) log mean_i exp(lambda r(x1^(i))) over K stochastic lookaheads (SDE, m steps) from
     * x_t: an estimate of the optimal twist (1/lambda) log E[exp(lambda r(x1)) | x_t]; costs 2 m K NFE per
     * particle per scoring. Masked diffusion draws its K samples x̂0 ~ p_θ(x0 | x_t) (unmasked tokens kept) from the
     * step's output instead, at no network cost: the official FK code's many-sample reward
     */
    MANY,
    /** a small MLP r_phi(x_t, t) regressed on r(x1) along the model's own trajectories (the paper's r_phi) */
    LEARNED;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Intermediate parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.startsWith("many:")) return MANY;
        for (Intermediate i : values()) if (i != MANY && i.cliName().equals(v)) return i;
        throw new fksteer.io.InvalidSettingException("intermediate", "must be one of xt, x1hat, lookahead, many:K, learned; got '" + s + "'");
    }

    /** K of "many:K" (>= 1); 0 for the other kinds. */
    public static int samples(String s) {
        if (!s.toLowerCase(Locale.ROOT).startsWith("many:")) return 0;
        try {
            int k = Integer.parseInt(s.substring(5));
            if (k >= 1 && k <= 4096) return k;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new fksteer.io.InvalidSettingException("intermediate", "many:K needs an integer K in [1, 4096], got '" + s + "'");
    }
}
