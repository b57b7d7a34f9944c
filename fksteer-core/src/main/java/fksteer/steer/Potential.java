package fksteer.steer;

import java.util.Locale;

/**
 * FK potentials G_j built from the intermediate rewards r_j of the scored steps j = 0, 1, ... (Singhal
 * et al. 2025, sec. 3). Each lineage's product of potentials up to step j is its intermediate target's
 * tilt exp(psi_j); the final step multiplies by exp(lambda r(x1) - psi_last), so every lineage's product
 * equals exp(lambda r(x1)) and the weighted particles target p(x) exp(lambda r(x)) / Z whatever the choice.
 * With lambda_j the tempered tilt of step j ({@link Tempering}; lambda at every step by default):
 * <ul>
 *   <li>DIFF: G_j = exp(lambda_j r_j - lambda_{j-1} r_{j-1}), r_{-1} = 0; psi_j = lambda_j r_j (TDS-like: the
 *       intermediate target is tilted by the current reward);</li>
 *   <li>MAX: G_j = exp(lambda_j max_{j' <= j} r_{j'}), the paper's max; psi_j is the sum of those, up to
 *       (j + 1) lambda times the running max;</li>
 *   <li>SUM: G_j = exp(lambda_j sum_{j' <= j} r_{j'}), the paper's sum; psi_j grows like (j + 1)(j + 2)/2
 *       lambda times the mean reward;</li>
 *   <li>RT: G_j = exp(lambda_j r_j); psi_j is lambda times the sum of the rewards so far;</li>
 *   <li>MAX_INCREMENT: psi_j = lambda_j max_{j' <= j} r_{j'}, G_j = exp(psi_j - psi_{j-1}): the paper's max
 *       with its intermediate target tilted by lambda times the running max, not by its multiples;</li>
 *   <li>SUM_INCREMENT: psi_j = lambda_j mean_{j' <= j} r_{j'}, G_j = exp(psi_j - psi_{j-1}): the paper's sum
 *       tilted by lambda times the running mean.</li>
 * </ul>
 * The paper's absolute forms (MAX, SUM, RT) over-tilt the intermediate targets at strong lambda, which
 * the final correction must undo: they are consistent but their final weights degenerate (see
 * docs/exactness.md). They are kept for reproduction.
 */
public enum Potential {
    DIFF, MAX, SUM, RT, MAX_INCREMENT, SUM_INCREMENT;

    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether psi_j is lambda_j times a statistic (diff and the increment forms), not a sum of such terms. */
    public boolean incremental() {
        return this == DIFF || this == MAX_INCREMENT || this == SUM_INCREMENT;
    }

    public static Potential parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("add")) return SUM;
        for (Potential p : values()) if (p.cliName().equals(v)) return p;
        throw new fksteer.io.InvalidSettingException("potential", "must be one of diff, max, sum, rt, max-increment, sum-increment; got '" + s + "'");
    }
}
