package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertNull;

import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every (process, prediction, sampler) that exists draws the data distribution: sampled from the
 * process's own initial noise through {@link Chain#solve}, a 2-D and a 5-D Gaussian mixture keep their
 * exact mean and covariance within standard errors.
 *
 * <ul>
 *   <li>Flow with noise at t = 0 (the velocity field itself), and with noise at σ = 1 through
 *       {@link MixtureNetwork} without and with SD3's shift 3: euler, midpoint, heun, rk4 and the
 *       marginal-keeping sde (stochasticity 0.5), on both mixtures: every combination.</li>
 *   <li>VP: schedule (linear, scaled-linear, cosine) × prediction (ε, v, x0) × sampler (DDIM η = 0,
 *       DDIM η = 1, DDPM). The full product (27 × 2 runs of 1000 steps) takes about 45 s here, so each
 *       mixture runs a Latin square of 9: every prediction × sampler once, every schedule with every
 *       prediction and with every sampler once (schedule = prediction + sampler + c mod 3, c = 0 for the
 *       2-D mixture, 1 for the 5-D). Together they cover 18 of the 27 triples, each pair twice; the
 *       scheduler arithmetic of all 27 is covered by {@link SchedulerTest}.</li>
 * </ul>
 *
 * <p>Steps, so that discretisation bias is far below the standard error. DDIM and DDPM are first-order;
 * {@link SchedulerTest} measured DDIM losing 6-10% of the 5-D variances at 50 steps and about 3% at
 * 200, against a 2.6% standard error here, so VP runs all 1000 training steps (trailing spacing). For
 * flows, measured against rk4 at 400 steps from the same initial noise (20,000 samples), in standard
 * errors of N = 3000 at the worst moment: euler 0.93 at 200 steps, 0.19 at 1000 (its variance ratio
 * 0.996); midpoint and heun 0.01 or less at 100 steps, rk4 less still; the sde (stochasticity 0.5) at
 * 200 steps within 0.34 of the exact moments over 150,000 samples, where sampling noise alone is
 * 0.14 per moment. So euler runs 1000 steps, the sde 200, the others 100.
 *
 * <p>Start: a flow's t = 0 is pure noise, so its initial noise N(0, I) is the exact marginal. VP's first
 * timestep t = 999 is not: x = sqrt(ᾱ) x0 + sqrt(1 - ᾱ) ε there. Linear (ᾱ = 4.0e-5) and cosine
 * (ᾱ = 2.4e-9) are within a = sqrt(ᾱ) <= 0.0064 of N(0, I), an offset of a|μ| <= 0.005 that moves the
 * final means by about a quarter of a standard error at most; they start from the chain's initial noise.
 * Scaled-linear's ᾱ = 0.0047 (a = 0.068, Lin et al. 2024) would test the schedule's terminal SNR, not
 * the process, so it starts from the exact marginal at its first timestep, as SchedulerTest does.
 *
 * <p>Tolerance: 4.5 standard errors per moment (the empirical fourth moments for covariances), fixed
 * before any run. N = 3000. 30 flow and 18 VP runs compare 600 moments; a correct process fails one
 * with probability under 0.5%.
 */
class ProcessMomentTest {
    static final int N = 3000, VP_STEPS = 1000;

    /** Flow steps per solver (see the class comment for the measured biases). */
    static int flowSteps(Sampler s) {
        return switch (s.kind()) {
            case EULER -> 1000;
            case SDE -> 200;
            default -> 100;
        };
    }

    static final GaussianMixture TWO_D = Mixtures.twoComponents(), FIVE_D = SchedulerTest.fiveD();

    static Stream<Arguments> flows() {
        List<Arguments> out = new ArrayList<>();
        List<Sampler> samplers = List.of(Sampler.ode(Sampler.Kind.EULER), Sampler.ode(Sampler.Kind.MIDPOINT), Sampler.ode(Sampler.Kind.HEUN),
                Sampler.ode(Sampler.Kind.RK4), new Sampler(Sampler.Kind.SDE, 0.5));
        for (GaussianMixture gm : List.of(TWO_D, FIVE_D))
            for (String convention : List.of("noise at t = 0", "noise at 1", "noise at 1, shift 3"))
                for (Sampler s : samplers) out.add(Arguments.of(convention, ProcessChecks.name(s), gm.dim(), s));
        return out.stream();
    }

    static Process flow(String convention, GaussianMixture gm) {
        if (convention.equals("noise at t = 0")) return FlowProcess.of(gm);
        ProcessSpec.Flow spec = new ProcessSpec.Flow(1, convention.endsWith("shift 3") ? 3 : 1);
        return FlowProcess.of(new MixtureNetwork(gm, null, spec, Prediction.VELOCITY), Prediction.VELOCITY, spec, Condition.NONE);
    }

    static GaussianMixture mixture(int d) {
        return d == 2 ? TWO_D : FIVE_D;
    }

    @ParameterizedTest(name = "flow {0} / {1} / d={2}")
    @MethodSource("flows")
    void flowsDrawTheMixture(String convention, String name, int d, Sampler s) {
        GaussianMixture gm = mixture(d);
        float[] x = sample(flow(convention, gm), s, flowSteps(s), gm, 1000 + d * 31 + convention.length() * 7 + s.kind().ordinal());
        assertNull(ProcessChecks.moments(x, N, gm), "flow " + convention + " / " + name + " / d=" + d);
    }

    static Stream<Arguments> vps() {
        List<Arguments> out = new ArrayList<>();
        List<BetaSchedule> schedules = SchedulerTest.schedules();
        List<Prediction> predictions = List.of(Prediction.EPSILON, Prediction.V, Prediction.X0);
        List<Sampler> samplers = List.of(new Sampler(Sampler.Kind.DDIM, 0), new Sampler(Sampler.Kind.DDIM, 1), new Sampler(Sampler.Kind.DDPM, 0));
        for (GaussianMixture gm : List.of(TWO_D, FIVE_D))
            for (int p = 0; p < 3; p++)
                for (int s = 0; s < 3; s++) {
                    BetaSchedule b = schedules.get((p + s + (gm == TWO_D ? 0 : 1)) % 3);   // a Latin square per mixture
                    Sampler sm = samplers.get(s);
                    out.add(Arguments.of(b.id(), predictions.get(p).id, ProcessChecks.name(sm), gm.dim(), b, predictions.get(p), sm));
                }
        return out.stream();
    }

    @ParameterizedTest(name = "vp {0} / {1} / {2} / d={3}")
    @MethodSource("vps")
    void vpDrawsTheMixture(String schedule, String prediction, String sampler, int d, BetaSchedule b, Prediction p, Sampler s) {
        GaussianMixture gm = mixture(d);
        ProcessSpec.Vp spec = new ProcessSpec.Vp(b, TimestepSpacing.TRAILING);
        Process proc = VpProcess.of(new MixtureNetwork(gm, null, spec, p), p, spec, Condition.NONE);
        float[] x = sample(proc, s, VP_STEPS, gm, 2000 + d * 131 + b.kind().ordinal() * 17 + p.ordinal() * 5 + s.kind().ordinal() + (int) s.stochasticity());
        assertNull(ProcessChecks.moments(x, N, gm), "vp " + schedule + " / " + prediction + " / " + sampler + " / d=" + d);
    }

    /**
     * N samples of p with sampler s in the given steps: from the chain's initial noise, or, where the
     * first step's signal coefficient a exceeds 0.01 (scaled-linear's a = 0.068), from the exact marginal there.
     */
    static float[] sample(Process p, Sampler s, int steps, GaussianMixture gm, long seed) {
        Chain ch = p.chain(s, steps, N);
        Particles x = ch.newParticles(N);
        double[] as = ProcessChecks.coefficients(p, ch, steps, 0);
        if (as[0] > 0.01) {
            float[] start = new MixtureDenoiser(gm).sampleMarginal(as[0], as[1], N, seed);
            System.arraycopy(start, 0, x.floats(), 0, start.length);
        } else ch.initialNoise(x, seed);
        ch.solve(x, 0, steps, Rng.streams(Rng.subSeed(seed, "steps"), N));
        return x.floatsCopy();
    }
}
