package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.io.InvalidSettingException;
import fksteer.kernel.Parallel;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract, run against every {@link Process} implementation: flows in both time conventions (the
 * plain velocity field, and {@link MixtureNetwork} with noise at 0, at 1, at 1 with an SD3 shift, and
 * class-conditional with classifier-free guidance), and VP diffusion under each β schedule and
 * prediction (and class-conditional with guidance), each with a deterministic and a stochastic sampler.
 * Every assertion is the same for every implementation.
 *
 * <p>Ground truth: every model is the exact network of a Gaussian mixture, so the process's marginal at
 * every step is known in closed form: x = a x0 + s ε with x0 from the mixture (the class's conditional
 * under guidance at scale 1, where u + 1 (c - u) = c), a = t, s = 1 - t at a flow's internal time t,
 * a = sqrt(ᾱ), s = sqrt(1 - ᾱ) at a VP step's timestep. (a, s) are read from the process's definition
 * ({@link ProcessChecks#coefficients}), never from the chain under test.
 *
 * <p>Statistics: N = 4000 draws per check, 4.5 standard errors (fixed before any run). The suite compares
 * about 600 moments over its 18 implementation/sampler pairs (4.5 SE is two-sided p = 7e-6 each), so a
 * correct process fails one with probability under 0.5%.
 *
 * <p>Exact (bitwise) assertions: a deterministic step is its transition mean; a guided step with zero
 * shift is the plain step; prepare-permute-advance is advance on a prepared permuted copy; a seed gives
 * the same bits on any thread count. Network evaluations are counted exactly.
 */
class ProcessContractTest {
    static final int N = 4000, STEPS = 50, MID = 25;
    static final double Z = ProcessChecks.Z;
    static final GaussianMixture GM = Mixtures.twoComponents();
    static final ClassConditionalMixture CCM = ClassConditionalMixtureTest.CCM;

    /**
     * An implementation under test.
     *
     * @param target        the distribution the process draws at its data end (its marginals follow from it)
     * @param evalsPerPoint network evaluations of one point's model output: 2 under classifier-free guidance
     */
    record Case(String name, Process process, GaussianMixture target, int evalsPerPoint) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case flow(int noiseAt, double shift) {
        ProcessSpec.Flow spec = new ProcessSpec.Flow(noiseAt, shift);
        MixtureNetwork net = new MixtureNetwork(GM, null, spec, Prediction.VELOCITY);
        return new Case("flow noiseAt " + noiseAt + " shift " + shift + " (network)", FlowProcess.of(net, Prediction.VELOCITY, spec, Condition.NONE), GM, 1);
    }

    static Case vp(BetaSchedule b, Prediction pr) {
        ProcessSpec.Vp spec = new ProcessSpec.Vp(b, TimestepSpacing.TRAILING);
        return new Case("vp " + b.id() + "/" + pr.id, VpProcess.of(new MixtureNetwork(GM, null, spec, pr), pr, spec, Condition.NONE), GM, 1);
    }

    /** Class 1 of {@link ClassConditionalMixtureTest#CCM} under guidance at scale 1: the doubled batch, drawing the exact conditional. */
    static Case guided(ProcessSpec spec, Prediction pr) {
        MixtureNetwork net = new MixtureNetwork(CCM.mixture(), CCM.classes(), spec, pr);
        Condition cond = Condition.label(1).withCfg(1);
        Process p = spec instanceof ProcessSpec.Vp vp ? VpProcess.of(net, pr, vp, cond) : FlowProcess.of(net, pr, (ProcessSpec.Flow) spec, cond);
        return new Case(spec.kind() + " class 1, cfg 1 (" + pr.id + ")", p, CCM.conditional(1), 2);
    }

    static final Case FLOW_FIELD = new Case("flow t=0 (velocity field)", FlowProcess.of(GM), GM, 1);
    static final Case FLOW_NET = flow(0, 1), FLOW_1 = flow(1, 1), FLOW_1_SHIFT = flow(1, 3);
    static final Case VP_LIN = vp(BetaSchedule.linear(), Prediction.EPSILON), VP_SL = vp(BetaSchedule.scaledLinear(), Prediction.V),
            VP_COS = vp(BetaSchedule.cosine(), Prediction.X0);
    static final Case VP_CFG = guided(new ProcessSpec.Vp(BetaSchedule.cosine(), TimestepSpacing.TRAILING), Prediction.EPSILON),
            FLOW_CFG = guided(new ProcessSpec.Flow(1, 3), Prediction.VELOCITY);

    static Stream<Case> cases() {
        return Stream.of(FLOW_FIELD, FLOW_NET, FLOW_1, FLOW_1_SHIFT, FLOW_CFG, VP_LIN, VP_SL, VP_COS, VP_CFG);
    }

    /** Each implementation with a deterministic sampler and a stochastic one (the ODE solvers and VP samplers spread over the cases). */
    static Stream<Arguments> implementations() {
        return Stream.of(
                Arguments.of(FLOW_FIELD, Sampler.ode(Sampler.Kind.EULER)), Arguments.of(FLOW_FIELD, new Sampler(Sampler.Kind.SDE, 0.5)),
                Arguments.of(FLOW_NET, Sampler.ode(Sampler.Kind.MIDPOINT)), Arguments.of(FLOW_NET, FLOW_NET.process().stochasticSampler()),
                Arguments.of(FLOW_1, Sampler.ode(Sampler.Kind.HEUN)), Arguments.of(FLOW_1, new Sampler(Sampler.Kind.SDE, 1.0)),
                Arguments.of(FLOW_1_SHIFT, Sampler.ode(Sampler.Kind.RK4)), Arguments.of(FLOW_1_SHIFT, new Sampler(Sampler.Kind.SDE, 0.3)),
                Arguments.of(FLOW_CFG, Sampler.ode(Sampler.Kind.MIDPOINT)), Arguments.of(FLOW_CFG, new Sampler(Sampler.Kind.SDE, 0.5)),
                Arguments.of(VP_LIN, new Sampler(Sampler.Kind.DDIM, 0)), Arguments.of(VP_LIN, new Sampler(Sampler.Kind.DDIM, 1)),
                Arguments.of(VP_SL, new Sampler(Sampler.Kind.DDIM, 0)), Arguments.of(VP_SL, new Sampler(Sampler.Kind.DDPM, 0)),
                Arguments.of(VP_COS, new Sampler(Sampler.Kind.DDIM, 0)), Arguments.of(VP_COS, new Sampler(Sampler.Kind.DDIM, 0.5)),
                Arguments.of(VP_CFG, new Sampler(Sampler.Kind.DDIM, 0)), Arguments.of(VP_CFG, new Sampler(Sampler.Kind.DDPM, 0)));
    }

    /** n particles of ch at the process's exact marginal at step `step`. */
    static Particles atMarginal(Case c, Chain ch, int step, int n, long seed) {
        double[] as = ProcessChecks.coefficients(c.process(), ch, ch.steps(), step);
        float[] x = new MixtureDenoiser(c.target()).sampleMarginal(as[0], as[1], n, seed);
        Particles p = ch.newParticles(n);
        System.arraycopy(x, 0, p.floats(), 0, x.length);
        return p;
    }

    /** Standard errors by which the mean of v is off `expected`, with the sample's own standard error. */
    static double offBy(double[] v, double expected) {
        return Math.abs(Stats.mean(v) - expected) / Stats.se(v);
    }

    static String label(Case c, Sampler s) {
        return c + " / " + ProcessChecks.name(s);
    }

    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void countsNetworkEvaluationsExactly(Case c, Sampler s) {
        Process p = c.process().counted();
        assertEquals(0, p.nfe());
        int n = 100, d = p.dim();
        long per = (long) n * c.evalsPerPoint();
        Chain ch = p.chain(s, STEPS, n);
        Particles x = ch.newParticles(n), out = x.like(n);
        ch.initialNoise(x, 1);
        long[] rng = Rng.streams(2, n);
        for (int step = 0; step < STEPS; step++) {
            long before = p.nfe();
            ch.prepare(x, step);
            assertEquals(per, p.nfe() - before, label(c, s) + ": prepare at step " + step);
            before = p.nfe();
            ch.predictData(x, step, out);
            assertEquals(0, p.nfe() - before, label(c, s) + ": predictData reads the cached output");
            ch.advance(x, step, rng);
            assertEquals(per * (s.evaluationsPerStep() - 1), p.nfe() - before, label(c, s) + ": advance at step " + step);
        }
        assertEquals(per * STEPS * s.evaluationsPerStep(), p.nfe(), label(c, s) + ": evaluationsPerStep per point per step");
        assertEquals(0, p.gradientCalls());
        float[] g = new float[n * d], v = new float[n * d];
        Arrays.fill(g, 1f);
        ch.dataVjp(x, MID, g, v);
        assertEquals(per, p.gradientCalls(), label(c, s) + ": one vector-Jacobian product per point (both halves under guidance)");
        // a lookahead's tail counts in the same counters
        Chain tail = ch.tail(10, 7, s, n);
        ch.initialNoise(x, 3);
        long before = p.nfe();
        tail.solve(x, 0, tail.steps(), rng);
        assertEquals(per * tail.steps() * s.evaluationsPerStep(), p.nfe() - before, label(c, s) + ": the tail's evaluations");
        assertEquals(0, c.process().counted().nfe(), "counted() starts afresh");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void timeRunsFromNoiseToData(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, 1);
        assertEquals(STEPS, ch.steps());
        assertEquals(s, ch.sampler());
        assertTrue(ch.time(0) >= 0 && ch.time(0) <= 1.0 / STEPS, label(c, s) + ": time(0) = " + ch.time(0));
        assertEquals(1f, ch.time(STEPS), label(c, s));
        for (int i = 0; i < STEPS; i++) assertTrue(ch.time(i + 1) > ch.time(i), label(c, s) + ": time increases at step " + i);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void initialNoiseIsStandardNormalPerParticle(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, N);
        int d = c.process().dim();
        Particles x = ch.newParticles(N);
        ch.initialNoise(x, 11);
        double[][] eye = new double[d][d];
        for (int k = 0; k < d; k++) eye[k][k] = 1;
        assertNull(ProcessChecks.moments(x.floats(), N, new double[d], eye), label(c, s));
        // particle i draws from its own stream: a smaller batch gets the same first rows
        Particles few = ch.newParticles(10);
        ch.initialNoise(few, 11);
        assertArrayEquals(Arrays.copyOf(x.floats(), 10 * d), few.floatsCopy());
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void advanceDrawsFromTheTransition(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, N);
        int d = c.process().dim(), len = N * d;
        Particles x = atMarginal(c, ch, MID, N, 21);
        ch.prepare(x, MID);
        float[] before = x.floatsCopy(), mean = new float[len];
        ch.transitionMean(x, MID, mean);
        assertArrayEquals(before, x.floatsCopy(), "transitionMean leaves the state");
        double var = ch.variance(MID);
        ch.advance(x, MID, Rng.streams(22, N));
        float[] after = x.floatsCopy();
        if (!s.stochastic()) {
            assertEquals(0.0, var, label(c, s) + ": a deterministic step has no variance");
            assertArrayEquals(mean, after, label(c, s) + ": a deterministic step is its mean");
            return;
        }
        assertTrue(var > 0, label(c, s) + ": a stochastic step has variance");
        assertFalse(Arrays.equals(mean, after));
        // z = (x' - mean) / sd is standard normal, coordinatewise independent, and independent of the state
        double sd = Math.sqrt(var);
        double[][] z = new double[d][N], z2 = new double[d][N], zx = new double[d][N];
        double[] zz = new double[N], xm = Stats.mean(before, N, d);
        for (int i = 0; i < N; i++)
            for (int k = 0; k < d; k++) {
                int j = i * d + k;
                z[k][i] = (after[j] - (double) mean[j]) / sd;
                z2[k][i] = z[k][i] * z[k][i];
                zx[k][i] = z[k][i] * (before[j] - xm[k]);
            }
        for (int i = 0; i < N; i++) zz[i] = z[0][i] * z[1][i];
        for (int k = 0; k < d; k++) {
            assertTrue(offBy(z[k], 0) < Z, label(c, s) + String.format(Locale.ROOT, ": E[z%d] = %.4f", k, Stats.mean(z[k])));
            assertTrue(offBy(z2[k], 1) < Z, label(c, s) + String.format(Locale.ROOT, ": E[z%d²] = %.4f", k, Stats.mean(z2[k])));
            assertTrue(offBy(zx[k], 0) < Z, label(c, s) + String.format(Locale.ROOT, ": E[z%d x%d] = %.4f", k, k, Stats.mean(zx[k])));
        }
        assertTrue(offBy(zz, 0) < Z, label(c, s) + String.format(Locale.ROOT, ": E[z0 z1] = %.4f", Stats.mean(zz)));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void guidedStepWithZeroShiftIsThePlainStep(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, N);
        int d = c.process().dim(), len = N * d;
        float[] start = atMarginal(c, ch, MID, N, 31).floatsCopy();
        long[] rng = Rng.streams(32, N);

        Particles plain = ch.newParticles(N);
        System.arraycopy(start, 0, plain.floats(), 0, len);
        ch.prepare(plain, MID);
        ch.advance(plain, MID, rng.clone());

        Particles guided = ch.newParticles(N);
        System.arraycopy(start, 0, guided.floats(), 0, len);
        ch.prepare(guided, MID);
        double[] logCorr = new double[N];
        Arrays.fill(logCorr, Double.NaN);
        ch.advanceGuided(guided, MID, rng.clone(), new float[len], logCorr);
        assertArrayEquals(plain.floatsCopy(), guided.floatsCopy(), label(c, s) + ": a guided step with zero shift is the plain step, bit for bit");
        for (int i = 0; i < N; i++) assertTrue(logCorr[i] == 0, label(c, s) + ": logCorr[" + i + "] = " + logCorr[i]);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void guidedStepCorrectsItsShift(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, N);
        int d = c.process().dim(), len = N * d;
        Particles x = atMarginal(c, ch, MID, N, 41);
        ch.prepare(x, MID);
        float[] mean = new float[len];
        ch.transitionMean(x, MID, mean);
        double var = ch.variance(MID), sd = Math.sqrt(var);
        // a shift of 0.3 sd per coordinate (of 0.3 in absolute terms for a deterministic step)
        float[] shift = new float[len];
        Arrays.fill(shift, (float) (s.stochastic() ? 0.3 * sd : 0.3));
        double[] logCorr = new double[N];
        Arrays.fill(logCorr, Double.NaN);
        ch.advanceGuided(x, MID, Rng.streams(42, N), shift, logCorr);
        float[] after = x.floatsCopy();
        if (!s.stochastic()) {
            // "A step with no noise takes the model's mean and writes 0" (Chain#advanceGuided)
            assertArrayEquals(mean, after, label(c, s) + ": a step with no noise takes the model's mean");
            for (int i = 0; i < N; i++) assertTrue(logCorr[i] == 0, label(c, s) + ": logCorr[" + i + "] = " + logCorr[i]);
            return;
        }
        // x' = mean + shift + sd z, and logCorr = log p/τ = -(|m|² + 2 sd m·z) / (2 var) for that z
        double m = shift[0];
        double[] w = new double[N];
        double[][] z = new double[d][N], z2 = new double[d][N];
        for (int i = 0; i < N; i++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
                int j = i * d + k;
                z[k][i] = (after[j] - (double) mean[j] - m) / sd;
                z2[k][i] = z[k][i] * z[k][i];
                dot += m * z[k][i];
            }
            double expected = -(d * m * m + 2 * sd * dot) / (2 * var);
            assertEquals(expected, logCorr[i], 1e-4 * (1 + Math.abs(expected)), label(c, s) + ": logCorr of particle " + i);
            w[i] = Math.exp(logCorr[i]);
        }
        for (int k = 0; k < d; k++) {
            assertTrue(offBy(z[k], 0) < Z, label(c, s) + String.format(Locale.ROOT, ": guided E[z%d] = %.4f", k, Stats.mean(z[k])));
            assertTrue(offBy(z2[k], 1) < Z, label(c, s) + String.format(Locale.ROOT, ": guided E[z%d²] = %.4f", k, Stats.mean(z2[k])));
        }
        // the weights p/τ average to 1 under τ (their variance is exp(|m|²/σ²) - 1 = exp(0.09 d) - 1)
        assertTrue(offBy(w, 1) < Z, label(c, s) + String.format(Locale.ROOT, ": E_τ[p/τ] = %.4f", Stats.mean(w)));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void permuteMovesTheCachedOutputWithTheState(Case c, Sampler s) {
        int n = 512, d = c.process().dim(), len = n * d;
        Chain ch = c.process().chain(s, STEPS, n);
        float[] start = atMarginal(c, ch, MID, n, 51).floatsCopy();
        int[] anc = new int[n];
        for (int i = 0; i < n; i++) anc[i] = (7 * i + 3) % n;
        anc[1] = anc[0];              // resampling duplicates and drops particles
        anc[n - 1] = anc[2];
        float[] permuted = new float[len];
        for (int i = 0; i < n; i++) System.arraycopy(start, anc[i] * d, permuted, i * d, d);
        long[] rng = Rng.streams(52, n);

        Particles a = ch.newParticles(n);                 // prepare, then permute (state and cached output)
        System.arraycopy(start, 0, a.floats(), 0, len);
        ch.prepare(a, MID);
        a.permute(anc);
        Particles pa = a.like(n);
        ch.predictData(a, MID, pa);
        ch.advance(a, MID, rng.clone());

        Particles b = ch.newParticles(n);                 // a permuted copy, prepared
        System.arraycopy(permuted, 0, b.floats(), 0, len);
        ch.prepare(b, MID);
        Particles pb = b.like(n);
        ch.predictData(b, MID, pb);
        ch.advance(b, MID, rng.clone());
        assertArrayEquals(pb.floatsCopy(), pa.floatsCopy(), label(c, s) + ": predictData after permute");
        assertArrayEquals(b.floatsCopy(), a.floatsCopy(), label(c, s) + ": advance after permute");

        // control: permuting the state alone (leaving the cache behind) would give another step
        Particles stale = ch.newParticles(n);
        System.arraycopy(start, 0, stale.floats(), 0, len);
        ch.prepare(stale, MID);
        System.arraycopy(permuted, 0, stale.floats(), 0, len);
        ch.advance(stale, MID, rng.clone());
        assertFalse(Arrays.equals(b.floatsCopy(), stale.floatsCopy()), label(c, s) + ": the step reads the cached output");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void renoiseMapsTheMarginalOntoTheEarlierMarginal(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, N);
        List<String> failures = new ArrayList<>();
        long seed = 61;
        for (int[] ft : new int[][] {{30, 10}, {STEPS - 1, 1}, {MID, MID - 1}}) {
            Particles x = atMarginal(c, ch, ft[0], N, seed++);
            ch.renoise(x, ft[0], ft[1], Rng.streams(seed++, N));
            double[] as = ProcessChecks.coefficients(c.process(), ch, STEPS, ft[1]);
            String f = ProcessChecks.moments(x.floats(), N, ProcessChecks.marginal(c.target(), as[0], as[1]));
            if (f != null) failures.add("from " + ft[0] + " to " + ft[1] + ": " + f);
        }
        assertTrue(failures.isEmpty(), label(c, s) + ": " + String.join("; ", failures));
        Particles x = ch.newParticles(4);
        assertThrows(IllegalArgumentException.class, () -> ch.renoise(x, 10, 10, Rng.streams(1, 4)));
        assertThrows(IllegalArgumentException.class, () -> ch.renoise(x, 10, 20, Rng.streams(1, 4)));
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void tailRunsFromItsStepToTheData(Case c, Sampler s) {
        Chain ch = c.process().chain(s, STEPS, 16);
        for (int from : new int[] {0, 10, STEPS - 1})
            for (int m : new int[] {1, 7}) {
                Chain tail = ch.tail(from, m, s, 16);
                String where = label(c, s) + ": tail(" + from + ", " + m + ")";
                assertEquals(ch.time(from), tail.time(0), where + " starts at time(from)");
                assertTrue(tail.steps() >= 1 && tail.steps() <= m, where + " has " + tail.steps() + " steps");
                assertEquals(1f, tail.time(tail.steps()), where + " ends at the data");
                for (int i = 0; i < tail.steps(); i++) assertTrue(tail.time(i + 1) > tail.time(i), where + ": time increases at " + i);
                assertEquals(s, tail.sampler());
            }
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void predictedDataAveragesToTheDataMean(Case c, Sampler s) {
        // E[x̂] = E[E[x_data | x]] = E[x_data] at the exact marginal of any step. Not step 0: there the state is
        // (nearly) pure noise, x̂ is (nearly) the constant E[x_data], its standard error vanishes and float rounding
        // decides (cosine's ᾱ at t = 999 is 2e-9, so an ε-model's x̂0 = (x - s ε̂) / a scales ε̂'s rounding by 2e4)
        Chain ch = c.process().chain(s, STEPS, N);
        int d = c.process().dim();
        double[] mu = c.target().mean();
        long seed = 71;
        for (int step : new int[] {1, MID, STEPS - 1}) {
            Particles x = atMarginal(c, ch, step, N, seed++), out = x.like(N);
            ch.prepare(x, step);
            ch.predictData(x, step, out);
            assertEquals(N, out.count());
            float[] h = out.floats();
            for (int k = 0; k < d; k++) {
                double[] v = new double[N];
                for (int i = 0; i < N; i++) v[i] = h[i * d + k];
                assertTrue(offBy(v, mu[k]) < Z, label(c, s) + String.format(Locale.ROOT, ": step %d, E[x̂%d] = %.4f, exact %.4f (SE %.4f)",
                        step, k, Stats.mean(v), mu[k], Stats.se(v)));
            }
        }
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void dataVjpIsTheGradientOfPredictData(Case c, Sampler s) {
        int m = 6, d = c.process().dim();
        double h = 1e-2;
        Chain ch = c.process().chain(s, STEPS, 2 * d * m);
        Particles x = atMarginal(c, ch, MID, m, 81);
        float[] g = new float[m * d], vjp = new float[m * d];
        Rng.fillGaussian(Rng.streams(82, 1), 0, g, 0, m * d);
        ch.dataVjp(x, MID, g, vjp);
        // central differences of g·x̂ along each coordinate, in one batch of 2 d m points. With h = 1e-2 they err
        // by h²/6 |f'''| (about 1e-4 for these mixtures' posterior means) plus float rounding (2^-24 |x̂| / h, about
        // 1e-5): 2e-3 relative leaves room for both, while a wrong Jacobian term (the identity part of
        // x̂ = x + (1 - t) v, the 1/a of an ε-model, a sign, the guidance halves) is off by order 1
        Particles q = ch.newParticles(2 * d * m), qh = q.like(2 * d * m);
        float[] xs = x.floats(), qs = q.floats();
        for (int i = 0; i < m; i++)
            for (int k = 0; k < d; k++)
                for (int sign = 0; sign < 2; sign++) {
                    int row = (i * d + k) * 2 + sign;
                    System.arraycopy(xs, i * d, qs, row * d, d);
                    qs[row * d + k] = (float) (xs[i * d + k] + (sign == 0 ? h : -h));
                }
        ch.prepare(q, MID);
        ch.predictData(q, MID, qh);
        float[] xh = qh.floats();
        for (int i = 0; i < m; i++)
            for (int k = 0; k < d; k++) {
                int plus = (i * d + k) * 2, minus = plus + 1;
                double df = 0;
                for (int j = 0; j < d; j++) df += g[i * d + j] * ((double) xh[plus * d + j] - xh[minus * d + j]);
                double fd = df / ((double) qs[plus * d + k] - qs[minus * d + k]);
                assertEquals(fd, vjp[i * d + k], 2e-3 * (1 + Math.abs(fd)), label(c, s) + ": point " + i + ", coordinate " + k);
            }
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("implementations")
    void theSameSeedGivesTheSameBits(Case c, Sampler s) {
        float[] a = run(c, s, 7), b = run(c, s, 7), other = run(c, s, 8);
        float[] oneThread = Parallel.withThreads(1, () -> run(c, s, 7));
        assertArrayEquals(a, b, label(c, s));
        assertArrayEquals(a, oneThread, label(c, s) + ": on one thread");
        assertFalse(Arrays.equals(a, other), label(c, s) + ": another seed");
    }

    static float[] run(Case c, Sampler s, long seed) {
        int n = 600;
        Chain ch = c.process().chain(s, STEPS, n);
        Particles x = ch.newParticles(n);
        ch.initialNoise(x, seed);
        ch.solve(x, 0, STEPS, Rng.streams(Rng.subSeed(seed, "steps"), n));
        return x.floatsCopy();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aSamplerThatDoesNotFitIsNamed(Case c) {
        Process p = c.process();
        boolean vp = p instanceof VpProcess;
        List<Sampler> wrong = vp
                ? List.of(new Sampler(Sampler.Kind.SDE, 0.5), Sampler.ode(Sampler.Kind.EULER), Sampler.ode(Sampler.Kind.MIDPOINT),
                        Sampler.ode(Sampler.Kind.HEUN), Sampler.ode(Sampler.Kind.RK4), new Sampler(Sampler.Kind.REFERENCE_SDE, 0.5),
                        new Sampler(Sampler.Kind.SIMPLE_STOCHASTIC, 0))
                : List.of(new Sampler(Sampler.Kind.DDIM, 0), new Sampler(Sampler.Kind.DDIM, 1), new Sampler(Sampler.Kind.DDPM, 0));
        Chain ch = p.chain(p.deterministicSampler(), STEPS, 8);
        for (Sampler w : wrong) {
            for (InvalidSettingException e : List.of(assertThrows(InvalidSettingException.class, () -> p.chain(w, STEPS, 8)),
                    assertThrows(InvalidSettingException.class, () -> ch.tail(3, 5, w, 8)))) {
                assertEquals("sampler", e.setting(), c + ": " + w.name());
                assertTrue(e.getMessage().contains("sampler") && e.getMessage().contains(w.name()), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            }
        }
        // every sampler it lists fits, and its two defaults are a deterministic and a stochastic one of them
        assertEquals(vp ? VpProcess.SAMPLERS : FlowProcess.SAMPLERS, p.samplers());
        for (Sampler.Kind k : p.samplers()) p.chain(new Sampler(k, k == Sampler.Kind.DDIM ? 1 : 0.5), STEPS, 8);
        assertFalse(p.deterministicSampler().stochastic());
        assertTrue(p.stochasticSampler().stochastic());
        assertTrue(p.samplers().contains(p.deterministicSampler().kind()) && p.samplers().contains(p.stochasticSampler().kind()));
    }
}
