package fksteer.process;

import fksteer.io.InvalidSettingException;
import java.util.Locale;

/**
 * The β schedule of a variance-preserving (VP) diffusion over {@code trainSteps} discrete training
 * steps, named as in diffusers: x_t = sqrt(ᾱ_t) x_0 + sqrt(1 - ᾱ_t) ε with ᾱ_t = prod_{s <= t} (1 - β_s)
 * (Ho et al. 2020, eq. 4).
 *
 * @param kind       linear, scaled-linear (Stable Diffusion's) or cosine (diffusers' squaredcos_cap_v2)
 * @param betaStart  β_0 for linear and scaled-linear (ignored by cosine)
 * @param betaEnd    β_{T-1} for linear and scaled-linear (ignored by cosine)
 * @param trainSteps T, the number of training steps
 */
public record BetaSchedule(Kind kind, double betaStart, double betaEnd, int trainSteps) {

    /** The named schedules. */
    public enum Kind {
        /** β_i evenly spaced from betaStart to betaEnd (Ho et al. 2020). */
        LINEAR("linear"),
        /** sqrt(β_i) evenly spaced from sqrt(betaStart) to sqrt(betaEnd): Stable Diffusion's schedule. */
        SCALED_LINEAR("scaled-linear"),
        /** ᾱ(u) = cos²((u + 0.008) / 1.008 · π/2) (Nichol and Dhariwal 2021, eq. 17), β capped at 0.999. */
        COSINE("cosine");

        public final String id;

        Kind(String id) {
            this.id = id;
        }

        /** Parses a schedule name, case-insensitively (also diffusers' names scaled_linear and squaredcos_cap_v2). */
        public static Kind parse(String s) {
            String v = s == null ? "" : s.toLowerCase(Locale.ROOT);
            for (Kind k : values()) if (k.id.equals(v)) return k;
            if (v.equals("scaled_linear")) return SCALED_LINEAR;
            if (v.equals("squaredcos_cap_v2")) return COSINE;
            throw new InvalidSettingException("schedule", "must be one of linear, scaled-linear, cosine; got '" + s + "'");
        }
    }

    /** The largest number of training steps accepted (diffusers' models use 1000). */
    public static final int MAX_TRAIN_STEPS = 100_000;

    public BetaSchedule {
        InvalidSettingException.require(kind != null, "schedule", "is required");
        InvalidSettingException.require(trainSteps >= 2 && trainSteps <= MAX_TRAIN_STEPS, "trainSteps",
                "must be in [2, " + MAX_TRAIN_STEPS + "], got " + trainSteps);
        if (kind != Kind.COSINE) {
            InvalidSettingException.require(betaStart > 0 && betaStart < 1, "betaStart", "must be in (0, 1), got " + betaStart);
            InvalidSettingException.require(betaEnd > 0 && betaEnd < 1, "betaEnd", "must be in (0, 1), got " + betaEnd);
            InvalidSettingException.require(betaStart <= betaEnd, "betaStart", "must be <= betaEnd, got " + betaStart + " > " + betaEnd);
        }
    }

    /** diffusers' DDPM defaults: linear from 1e-4 to 0.02 over 1000 steps. */
    public static BetaSchedule linear() {
        return new BetaSchedule(Kind.LINEAR, 1e-4, 0.02, 1000);
    }

    /** Stable Diffusion's: scaled-linear from 0.00085 to 0.012 over 1000 steps. */
    public static BetaSchedule scaledLinear() {
        return new BetaSchedule(Kind.SCALED_LINEAR, 0.00085, 0.012, 1000);
    }

    /** The cosine schedule over 1000 steps. */
    public static BetaSchedule cosine() {
        return new BetaSchedule(Kind.COSINE, 0, 0, 1000);
    }

    /** β_0 .. β_{T-1}. */
    public double[] betas() {
        int n = trainSteps;
        double[] b = new double[n];
        switch (kind) {
            case LINEAR -> {
                for (int i = 0; i < n; i++) b[i] = betaStart + (betaEnd - betaStart) * i / (n - 1);
            }
            case SCALED_LINEAR -> {
                double a = Math.sqrt(betaStart), z = Math.sqrt(betaEnd);
                for (int i = 0; i < n; i++) {
                    double r = a + (z - a) * i / (n - 1);
                    b[i] = r * r;
                }
            }
            case COSINE -> {
                // β_i = min(1 - ᾱ((i+1)/T) / ᾱ(i/T), 0.999)
                for (int i = 0; i < n; i++) b[i] = Math.min(1 - cosineAlphaBar((i + 1.0) / n) / cosineAlphaBar((double) i / n), 0.999);
            }
        }
        return b;
    }

    private static double cosineAlphaBar(double u) {
        double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** ᾱ_0 .. ᾱ_{T-1}: ᾱ_t = prod_{s <= t} (1 - β_s), a running product in a fixed order. */
    public double[] alphasCumprod() {
        double[] b = betas(), a = new double[b.length];
        double p = 1;
        for (int i = 0; i < b.length; i++) a[i] = (p *= 1 - b[i]);
        return a;
    }

    /** The schedule's name as in the model JSON ("linear", "scaled-linear", "cosine"). */
    public String id() {
        return kind.id;
    }
}
