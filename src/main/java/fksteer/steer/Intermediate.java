package fksteer.steer;

import java.util.Locale;

/** What the intermediate reward r_s scores at time t_s. */
public enum Intermediate {
    /** the noisy state x_t itself (the reference walkthrough) */
    XT,
    /** the predicted endpoint x̂1 = x_t + (1 - t) v(x_t, t) (the paper's default; no extra NFE) */
    X1HAT,
    /** the ODE solved from x_t to t = 1 in a few midpoint steps (costs 2 NFE per step per particle) */
    LOOKAHEAD;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Intermediate parse(String s) {
        for (Intermediate i : values()) if (i.cliName().equals(s.toLowerCase(Locale.ROOT))) return i;
        throw new IllegalArgumentException("--intermediate must be one of xt, x1hat, lookahead; got '" + s + "'");
    }
}
