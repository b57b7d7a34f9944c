package fksteer.process;

import fksteer.io.InvalidSettingException;
import java.util.Locale;

/**
 * What a denoising network predicts, in diffusers' terms, for a process with
 * x = a·x0 + s·ε (VP: a = sqrt(ᾱ_t), s = sqrt(1 - ᾱ_t); rectified flow with noise at σ = 1:
 * a = 1 - σ, s = σ; the flow with noise at t = 0: a = t, s = 1 - t).
 *
 * <p>Every prediction determines (x0, ε) given x, a and s:
 * <ul>
 *   <li>ε: x0 = (x - s ε) / a;</li>
 *   <li>x0 ("sample" in diffusers): ε = (x - a x0) / s;</li>
 *   <li>v (Salimans and Ho 2022, eq. 9; VP only, a² + s² = 1): v = a ε - s x0, so x0 = a x - s v and ε = s x + a v;</li>
 *   <li>velocity: the derivative of the path along the process's own time, u = a' x0 + s' ε
 *       (SD3/Flux with noise at σ = 1: u = ε - x0; the flow with noise at t = 0: u = x0 - ε).</li>
 * </ul>
 */
public enum Prediction {
    EPSILON("epsilon"),
    V("v"),
    X0("x0"),
    VELOCITY("velocity");

    public final String id;

    Prediction(String id) {
        this.id = id;
    }

    /** Parses a prediction name, case-insensitively (also diffusers' "v_prediction" and "sample"). */
    public static Prediction parse(String s) {
        String v = s == null ? "" : s.toLowerCase(Locale.ROOT);
        for (Prediction p : values()) if (p.id.equals(v)) return p;
        if (v.equals("v_prediction")) return V;
        if (v.equals("sample")) return X0;
        throw new InvalidSettingException("prediction", "must be one of epsilon, v, x0, velocity; got '" + s + "'");
    }

    /**
     * Converts a model output to the predicted clean sample x0 and noise ε, elementwise over len entries.
     *
     * @param a    the signal coefficient of x = a x0 + s ε (> 0)
     * @param s    the noise coefficient (> 0)
     * @param da   a', the derivative of a along the process's time (used by VELOCITY only)
     * @param ds   s', likewise
     * @param x    the noisy sample. Not modified.
     * @param out  the model output. Not modified.
     * @param x0   the predicted clean sample. Modified (may be null when not wanted).
     * @param eps  the predicted noise. Modified (may be null when not wanted).
     */
    public void toX0Eps(double a, double s, double da, double ds, float[] x, float[] out, float[] x0, float[] eps, int len) {
        switch (this) {
            case EPSILON -> {
                for (int i = 0; i < len; i++) {
                    double e = out[i];
                    if (x0 != null) x0[i] = (float) ((x[i] - s * e) / a);
                    if (eps != null) eps[i] = (float) e;
                }
            }
            case X0 -> {
                for (int i = 0; i < len; i++) {
                    double c = out[i];
                    if (eps != null) eps[i] = (float) ((x[i] - a * c) / s);
                    if (x0 != null) x0[i] = (float) c;
                }
            }
            case V -> {
                for (int i = 0; i < len; i++) {
                    double v = out[i];
                    if (x0 != null) x0[i] = (float) (a * x[i] - s * v);
                    if (eps != null) eps[i] = (float) (s * x[i] + a * v);
                }
            }
            case VELOCITY -> {
                // solve [a s; a' s'] (x0, ε) = (x, u): det = a s' - s a'
                double det = a * ds - s * da;
                for (int i = 0; i < len; i++) {
                    double xi = x[i], u = out[i];
                    if (x0 != null) x0[i] = (float) ((ds * xi - s * u) / det);
                    if (eps != null) eps[i] = (float) ((a * u - da * xi) / det);
                }
            }
        }
    }

    /**
     * The model output this prediction would give for a known (x0, ε): the inverse of
     * {@link #toX0Eps}. Used by exact models (the analytic mixture) to speak every prediction.
     * out: Modified.
     */
    public void fromX0Eps(double a, double s, double da, double ds, float[] x0, float[] eps, float[] out, int len) {
        for (int i = 0; i < len; i++) {
            double c = x0[i], e = eps[i];
            out[i] = (float) switch (this) {
                case EPSILON -> e;
                case X0 -> c;
                case V -> a * e - s * c;
                case VELOCITY -> da * c + ds * e;
            };
        }
    }
}
