package fksteer.steer;

import java.util.Locale;

/**
 * FK potentials G_s built from intermediate rewards r_s (Singhal et al. 2025, sec. 3):
 * <ul>
 *   <li>DIFF: G_s = exp(lambda (r_s - r_{s-1})), r_{-1} = 0 (TDS-like; the product telescopes);</li>
 *   <li>MAX: G_s = exp(lambda max_{s' <= s} r_{s'}), the best reward so far;</li>
 *   <li>SUM: G_s = exp(lambda sum_{s' <= s} r_{s'}), the accumulated reward;</li>
 *   <li>RT: G_s = exp(lambda r_s), the current reward only.</li>
 * </ul>
 * Whatever the choice, the final step multiplies by exp(lambda r(x1)) / prod_s G_s so every lineage's
 * product equals exp(lambda r(x1)) and the weighted particles target p(x) exp(lambda r(x)) / Z.
 */
public enum Potential {
    DIFF, MAX, SUM, RT;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Potential parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("add")) return SUM;
        for (Potential p : values()) if (p.cliName().equals(v)) return p;
        throw new fksteer.io.InvalidSettingException("potential", "must be one of diff, max, sum, rt; got '" + s + "'");
    }
}
