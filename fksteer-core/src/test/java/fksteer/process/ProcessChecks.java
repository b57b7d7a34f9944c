package fksteer.process;

import fksteer.Stats;
import fksteer.model.GaussianMixture;
import fksteer.solver.Sampler;

/** Ground truth and standard-error checks shared by the process tests. */
final class ProcessChecks {
    /** Standard errors a moment may be off, fixed before any run (see each test's count of comparisons). */
    static final double Z = 4.5;

    private ProcessChecks() {}

    /**
     * The exact marginal of x = a x0 + s ε with x0 from gm: again a mixture, component j becoming
     * N(a μ_j, (a² s_j² + s²) I). Its mean is a μ and its covariance a² Σ + s² I.
     */
    static GaussianMixture marginal(GaussianMixture gm, double a, double s) {
        int m = gm.components(), d = gm.dim();
        double[][] mu = new double[m][d];
        double[] sd = new double[m];
        for (int j = 0; j < m; j++) {
            for (int k = 0; k < d; k++) mu[j][k] = a * gm.means()[j][k];
            sd[j] = Math.sqrt(a * a * gm.stds()[j] * gm.stds()[j] + s * s);
        }
        return new GaussianMixture(gm.weights(), mu, sd);
    }

    /**
     * (a, s) of chain step `step` of a process run in `steps` steps, read from the process's own
     * definition rather than from the chain: a flow (either convention, any shift) has x = t x1 + (1 - t) ε
     * at its internal time t = time(step); VP has a = sqrt(ᾱ), s = sqrt(1 - ᾱ) at the spacing's timestep
     * of that step (a = 1, s = 0 after the last step).
     */
    static double[] coefficients(Process p, Chain ch, int steps, int step) {
        if (p instanceof VpProcess vp) {
            if (step == steps) return new double[] {1, 0};
            BetaSchedule b = vp.spec().schedule();
            int t = vp.spec().spacing().timesteps(b.trainSteps(), steps)[step];
            double ab = b.alphasCumprod()[t];
            return new double[] {Math.sqrt(ab), Math.sqrt(1 - ab)};
        }
        double t = ch.time(step);
        return new double[] {t, 1 - t};
    }

    /** Null when the sample mean and covariance of x (n × d) are within Z standard errors of gm's; else the worst entry. */
    static String moments(float[] x, int n, GaussianMixture gm) {
        return moments(x, n, gm.mean(), gm.covariance());
    }

    /** Null when the sample mean and covariance of x are within Z standard errors of (mu, cov); else the worst entry. */
    static String moments(float[] x, int n, double[] mu, double[][] cov) {
        return Stats.moments(x, n, mu, cov, Z);
    }

    /** A sampler's name with its stochasticity where it has one. */
    static String name(Sampler s) {
        return s.stochasticity() > 0 || s.kind() == Sampler.Kind.DDIM ? s.name() + "(" + s.stochasticity() + ")" : s.name();
    }
}
