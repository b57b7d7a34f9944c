package fksteer.steer;

import fksteer.io.InvalidSettingException;
import fksteer.resample.LogWeights;
import java.util.Locale;

/**
 * How the tilt of FK's intermediate targets rises to lambda. At the j-th scored step the intermediate
 * target is p(x_{0:s}) exp(lambda_j m_j(x_s)), with m_j the potential's statistic (the intermediate reward
 * for diff, its running max or mean for the incremental forms) and lambda_j in [0, lambda]; the final
 * correction tilts by exactly lambda r(x1), so the target p(x) exp(lambda r(x)) / Z and the unbiased
 * log Z estimate do not depend on the choice (the final target is fixed; only the path to it changes).
 * <ul>
 *   <li>{@link Kind#NONE}: lambda_j = lambda at every scored step (the paper's setting);</li>
 *   <li>{@link Kind#LINEAR}: lambda_j = lambda (j + 1) / n over the n scored steps;</li>
 *   <li>{@link Kind#ADAPTIVE}: in the manner of DAS (Kim et al. 2025) and adaptive SMC samplers (Jasra et
 *       al. 2011; Zhou, Johansen and Aston 2016): lambda_j is the largest value in [lambda_{j-1}, lambda]
 *       whose incremental weights keep the conditional ESS (CESS) at least target x k, found by bisection.
 *       The increments depend on the particles, so log Z is unbiased up to an O(1/k) adaptation effect,
 *       which the tests bound at k = 1024 (see FkTemperingTest).</li>
 * </ul>
 *
 * @param kind   none, linear or adaptive
 * @param target for adaptive: the CESS / k to keep, in (0, 1); ignored otherwise
 */
public record Tempering(Kind kind, double target) {

    public enum Kind { NONE, LINEAR, ADAPTIVE }

    /** The paper's: every scored step tilts by the full lambda. */
    public static final Tempering NONE = new Tempering(Kind.NONE, 0);

    /** lambda_j = lambda (j + 1) / n. */
    public static final Tempering LINEAR = new Tempering(Kind.LINEAR, 0);

    /** Bisection steps of the adaptive choice: the fraction of the remaining tilt is found to 2^-40. */
    static final int BISECTIONS = 40;

    public Tempering {
        if (kind == null) throw new NullPointerException("kind");
        if (kind == Kind.ADAPTIVE && !(target > 0 && target < 1))
            throw new InvalidSettingException("tempering", "adaptive:T needs a CESS target T in (0, 1), got " + target);
    }

    /** Adaptive tempering keeping the conditional ESS at least target x k at every scored step. */
    public static Tempering adaptive(double target) {
        return new Tempering(Kind.ADAPTIVE, target);
    }

    /** The default CESS target of {@code adaptive}. */
    public static final double DEFAULT_TARGET = 0.5;

    /** none, linear, adaptive (CESS target 0.5) or adaptive:T. */
    public static Tempering parse(String s) {
        String v = s.toLowerCase(Locale.ROOT).strip();
        if (v.equals("none")) return NONE;
        if (v.equals("linear")) return LINEAR;
        if (v.equals("adaptive")) return adaptive(DEFAULT_TARGET);
        if (v.startsWith("adaptive:")) {
            double t;
            try {
                t = Double.parseDouble(v.substring(9));
            } catch (NumberFormatException e) {
                t = Double.NaN;
            }
            if (t > 0 && t < 1) return adaptive(t);
            throw new InvalidSettingException("tempering", "adaptive:T needs a CESS target T in (0, 1), got '" + s + "'");
        }
        throw new InvalidSettingException("tempering", "must be none, linear, adaptive or adaptive:T (T in (0, 1)); got '" + s + "'");
    }

    /** The name the CLI takes back: none, linear, adaptive:T. */
    public String cliName() {
        return switch (kind) {
            case NONE -> "none";
            case LINEAR -> "linear";
            case ADAPTIVE -> "adaptive:" + target;
        };
    }

    /**
     * lambda_j at the j-th of n scored steps. For adaptive, a[i] and b[i] give each particle's log
     * potential as a function of the tilt l: log G_i(l) = l a_i - b_i; lw holds the current weights
     * (normalised into logW, scratch, only when adaptive); the result is the largest l between prev and
     * lambda (on the segment from prev toward lambda) with CESS(l) >= target k, or prev when even prev
     * falls short. Deterministic: a fixed number of bisection steps, sums in index order. logW: Modified.
     */
    double next(double lambda, double prev, int j, int n, double[] a, double[] b, LogWeights lw, double[] logW) {
        return switch (kind) {
            case NONE -> lambda;
            case LINEAR -> j + 1 >= n ? lambda : lambda * (j + 1) / n;
            case ADAPTIVE -> {
                int k = lw.size();
                lw.normalizedLog(logW);
                if (cess(lambda, a, b, logW, k) >= target * k) yield lambda;
                if (!(cess(prev, a, b, logW, k) >= target * k)) yield prev;
                double lo = 0, hi = 1; // fraction of the way from prev to lambda; cess(lo) >= target k > cess(hi)
                for (int it = 0; it < BISECTIONS; it++) {
                    double mid = 0.5 * (lo + hi);
                    if (cess(prev + mid * (lambda - prev), a, b, logW, k) >= target * k) lo = mid;
                    else hi = mid;
                }
                yield prev + lo * (lambda - prev);
            }
        };
    }

    /**
     * The conditional ESS k (sum_i W_i G_i)^2 / sum_i W_i G_i^2 of incremental weights G_i = exp(l a_i - b_i)
     * on normalised weights W (Zhou, Johansen and Aston 2016), in [1, k]; 0 when every G_i W_i is 0. The
     * log potentials are FK's own ({@link FkSteering#scale}, {@link FkSteering#difference}): 0 x inf = 0,
     * equal infinities give 0, and a tilt whose l a_i overflows is refused naming lambda.
     */
    static double cess(double l, double[] a, double[] b, double[] logW, int k) {
        double m1 = Double.NEGATIVE_INFINITY, m2 = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            double g = FkSteering.difference(FkSteering.scale(l, a[i]), b[i]);
            double u = logW[i] + g, v = logW[i] + 2 * g;
            if (u > m1) m1 = u;
            if (v > m2) m2 = v;
        }
        if (m1 == Double.NEGATIVE_INFINITY) return 0;
        if (m1 == Double.POSITIVE_INFINITY || m2 == Double.POSITIVE_INFINITY) return 1;
        double s1 = 0, s2 = 0;
        for (int i = 0; i < k; i++) {
            double g = FkSteering.difference(FkSteering.scale(l, a[i]), b[i]);
            s1 += Math.exp(logW[i] + g - m1);
            s2 += Math.exp(logW[i] + 2 * g - m2);
        }
        return k * Math.exp(2 * (m1 + Math.log(s1)) - (m2 + Math.log(s2)));
    }
}
