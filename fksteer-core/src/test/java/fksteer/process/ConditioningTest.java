package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.io.InvalidSettingException;
import fksteer.model.GaussianMixture;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conditioning through the processes: a class-conditional {@link MixtureNetwork} of
 * {@link ClassConditionalMixtureTest#CCM} (class 0: one component at (-1, 0); class 1: two, at (1.2, 0.8)
 * and (0.5, -1.5)) under VP (cosine, v-prediction, DDPM, all 1000 steps) and under a flow with noise at
 * σ = 1 (midpoint, 100 steps), with a run's label, per-particle labels, and classifier-free guidance.
 *
 * <p>Ground truth: the label-c network is the exact network of p(x | c) = {@link ClassConditionalMixture#conditional};
 * guidance at scale w outputs u + w (c - u), exactly the conditional at w = 1 and the unconditional
 * mixture at w = 0. Both samplers start exactly: the flow at pure noise, cosine VP at ᾱ = 2.4e-9.
 * Discretisation: midpoint at 100 steps and DDPM at 1000 are within 0.01 and about 0.2 standard errors
 * of the exact moments (see {@link ProcessMomentTest}). Tolerance: 4.5 standard errors, fixed before
 * any run, N = 3000.
 */
class ConditioningTest {
    static final int N = 3000;
    static final double Z = ProcessChecks.Z;
    static final ClassConditionalMixture CCM = ClassConditionalMixtureTest.CCM;

    /** A conditional process family: the network bound under any condition, its sampler and steps. */
    record Kind(String name, Function<Condition, Process> bind, Sampler sampler, int steps) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Kind VP = new Kind("vp cosine/v ddpm", c -> {
        ProcessSpec.Vp spec = new ProcessSpec.Vp(BetaSchedule.cosine(), TimestepSpacing.TRAILING);
        return VpProcess.of(new MixtureNetwork(CCM.mixture(), CCM.classes(), spec, Prediction.V), Prediction.V, spec, c);
    }, new Sampler(Sampler.Kind.DDPM, 0), 1000);

    static final Kind FLOW = new Kind("flow noiseAt 1 midpoint", c -> {
        ProcessSpec.Flow spec = new ProcessSpec.Flow(1, 1);
        return FlowProcess.of(new MixtureNetwork(CCM.mixture(), CCM.classes(), spec, Prediction.VELOCITY), Prediction.VELOCITY, spec, c);
    }, Sampler.ode(Sampler.Kind.MIDPOINT), 100);

    static Stream<Kind> kinds() {
        return Stream.of(VP, FLOW);
    }

    private static final Map<String, float[]> RUNS = new ConcurrentHashMap<>();

    /** N samples of the kind under condition c from its initial noise (memoised: several tests share the cfg-1 runs). */
    static float[] sample(Kind k, Condition c, long seed) {
        return RUNS.computeIfAbsent(k.name() + " " + java.util.Arrays.toString(c.labels()) + " " + c.cfg() + " " + seed, key -> {
            Chain ch = k.bind().apply(c).chain(k.sampler(), k.steps(), N);
            Particles x = ch.newParticles(N);
            ch.initialNoise(x, seed);
            ch.solve(x, 0, k.steps(), Rng.streams(Rng.subSeed(seed, "steps"), N));
            return x.floatsCopy();
        });
    }

    static double[] project(float[] x, double[] u) {
        int n = x.length / 2;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) p[i] = x[2 * i] * u[0] + x[2 * i + 1] * u[1];
        return p;
    }

    // ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void guidanceAtScaleOneDrawsTheExactConditional(Kind k) {
        for (int c : new int[] {0, 1})
            assertNull(ProcessChecks.moments(sample(k, Condition.label(c).withCfg(1), 100 + c), N, CCM.conditional(c)), k + ", class " + c);
        // without guidance, the label alone draws the conditional too
        assertNull(ProcessChecks.moments(sample(k, Condition.label(1), 110), N, CCM.conditional(1)), k + ", class 1 without cfg");
        // at scale 0, u + 0 (c - u) = u: the whole mixture
        assertNull(ProcessChecks.moments(sample(k, Condition.label(0).withCfg(0), 120), N, CCM.mixture()), k + ", cfg 0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void guidanceAboveOneMovesSamplesFurtherTowardTheClass(Kind k) {
        // The guided score is ∇log p_t(x | c) + (w - 1) ∇log p_t(c | x): above w = 1 the extra term climbs
        // p_t(c | x), which for these mixtures increases along u, the unit vector from the other class's
        // mean to class c's. So E_w[u·x] > E_1[u·x] = u·E[x | c]: the scale-3 sample mean lies further
        // along u than the conditional's, by more than 4.5 standard errors of the difference.
        for (int c : new int[] {0, 1}) {
            double[] mc = CCM.conditional(c).mean(), mo = CCM.conditional(1 - c).mean();
            double[] u = {mc[0] - mo[0], mc[1] - mo[1]};
            double norm = Math.hypot(u[0], u[1]);
            u[0] /= norm;
            u[1] /= norm;
            double[] plain = project(sample(k, Condition.label(c).withCfg(1), 100 + c), u);
            double[] guided = project(sample(k, Condition.label(c).withCfg(3), 130 + c), u);
            double exact = mc[0] * u[0] + mc[1] * u[1];
            double diff = Stats.mean(guided) - Stats.mean(plain), se = Math.hypot(Stats.se(guided), Stats.se(plain));
            assertTrue(diff > Z * se, String.format(Locale.ROOT, "%s, class %d: u·mean %.4f at cfg 3, %.4f at cfg 1 (exact conditional %.4f); "
                    + "moved %.4f, SE %.4f", k, c, Stats.mean(guided), Stats.mean(plain), exact, diff, se));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void guidedPredictionIsTheLinearCombination(Kind k) {
        // x̂ is affine in the model output at a fixed state, so x̂_w = x̂_u + w (x̂_c - x̂_u) at every step
        int n = 64, d = 2;
        double w = 3;
        Process uncond = k.bind().apply(Condition.NONE), cond = k.bind().apply(Condition.label(1)),
                guided = k.bind().apply(Condition.label(1).withCfg(w));
        for (int step : new int[] {1, k.steps() / 2, 3 * k.steps() / 4}) {
            float[][] xh = new float[3][];
            int i = 0;
            for (Process p : List.of(uncond, cond, guided)) {
                Chain ch = p.chain(k.sampler(), k.steps(), n);
                double[] as = ProcessChecks.coefficients(p, ch, k.steps(), step);
                float[] start = new MixtureDenoiser(CCM.mixture()).sampleMarginal(as[0], as[1], n, 140 + step);
                Particles x = ch.newParticles(n), out = x.like(n);
                System.arraycopy(start, 0, x.floats(), 0, n * d);
                ch.prepare(x, step);
                ch.predictData(x, step, out);
                xh[i++] = out.floatsCopy();
            }
            boolean differs = false;
            for (int j = 0; j < n * d; j++) {
                double u = xh[0][j], c = xh[1][j], expected = u + w * (c - u);
                assertEquals(expected, xh[2][j], 1e-5 * (1 + Math.abs(u) + w * Math.abs(c - u)), k + ", step " + step + ", entry " + j);
                differs |= Math.abs(c - u) > 1e-3;
            }
            assertTrue(differs, k + ": the conditional and unconditional predictions differ at step " + step);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void guidanceCostsTwiceTheEvaluations(Kind k) {
        int n = 100, steps = 20;
        long[] nfe = new long[2], vjps = new long[2];
        int i = 0;
        for (Condition c : List.of(Condition.label(1), Condition.label(1).withCfg(3))) {
            Process p = k.bind().apply(c).counted();
            Chain ch = p.chain(k.sampler(), steps, n);
            Particles x = ch.newParticles(n);
            ch.initialNoise(x, 5);
            ch.solve(x, 0, steps, Rng.streams(6, n));
            nfe[i] = p.nfe();
            float[] g = new float[2 * n], out = new float[2 * n];
            java.util.Arrays.fill(g, 1f);
            ch.dataVjp(x, steps / 2, g, out);
            vjps[i++] = p.gradientCalls();
        }
        assertEquals((long) n * steps * k.sampler().evaluationsPerStep(), nfe[0], k + ": without guidance");
        assertEquals(2 * nfe[0], nfe[1], k + ": classifier-free guidance evaluates both halves");
        assertEquals(n, vjps[0]);
        assertEquals(2L * n, vjps[1], k + ": a guided VJP runs both halves");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void perParticleLabelsGiveEachParticleItsClass(Kind k) {
        // particle i of class (i % 3 == 0 ? 0 : 1): 1000 of class 0, 2000 of class 1; under guidance at scale 1
        // on the flow (both halves of the doubled batch per particle), without on VP
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = i % 3 == 0 ? 0 : 1;
        Condition cond = k == FLOW ? Condition.labels(labels).withCfg(1) : Condition.labels(labels);
        float[] x = sample(k, cond, 150);
        for (int c = 0; c < 2; c++) {
            int m = 0;
            for (int l : labels) if (l == c) m++;
            float[] sub = new float[2 * m];
            for (int i = 0, j = 0; i < N; i++)
                if (labels[i] == c) {
                    sub[2 * j] = x[2 * i];
                    sub[2 * j++ + 1] = x[2 * i + 1];
                }
            assertNull(ProcessChecks.moments(sub, m, CCM.conditional(c)), k + ": the " + m + " particles of class " + c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void labelsMoveWithTheirParticles(Kind k) {
        int n = 300, d = 2, step = k.steps() / 2;
        int[] labels = new int[n], anc = new int[n], moved = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7) % 5 < 2 ? 0 : 1;
            anc[i] = (11 * i + 4) % n;
        }
        anc[3] = anc[2];
        for (int i = 0; i < n; i++) moved[i] = labels[anc[i]];
        Process p = k.bind().apply(Condition.labels(labels).withCfg(2));
        Chain ch = p.chain(k.sampler(), k.steps(), n);
        double[] as = ProcessChecks.coefficients(p, ch, k.steps(), step);
        float[] start = new MixtureDenoiser(CCM.mixture()).sampleMarginal(as[0], as[1], n, 160), permuted = new float[n * d];
        for (int i = 0; i < n; i++) System.arraycopy(start, anc[i] * d, permuted, i * d, d);
        long[] rng = Rng.streams(161, n);

        Particles a = ch.newParticles(n);
        System.arraycopy(start, 0, a.floats(), 0, n * d);
        ch.prepare(a, step);
        a.permute(anc);
        assertArrayEquals(moved, java.util.Arrays.copyOf(a.labels(), n), "labels are permuted with the state");
        ch.advance(a, step, rng.clone());
        ch.prepare(a, step + 1);                       // the next evaluation reads the moved labels
        ch.advance(a, step + 1, rng.clone());

        Process q = k.bind().apply(Condition.labels(moved).withCfg(2));
        Chain cq = q.chain(k.sampler(), k.steps(), n);
        Particles b = cq.newParticles(n);
        System.arraycopy(permuted, 0, b.floats(), 0, n * d);
        cq.prepare(b, step);
        cq.advance(b, step, rng.clone());
        cq.prepare(b, step + 1);
        cq.advance(b, step + 1, rng.clone());
        assertArrayEquals(b.floatsCopy(), a.floatsCopy(), k + ": permuted particles step as a run born with their labels");

        // control: the same states under the unpermuted labels step differently
        Process r = k.bind().apply(Condition.labels(labels).withCfg(2));
        Chain cr = r.chain(k.sampler(), k.steps(), n);
        Particles c = cr.newParticles(n);
        System.arraycopy(permuted, 0, c.floats(), 0, n * d);
        cr.prepare(c, step);
        cr.advance(c, step, rng.clone());
        cr.prepare(c, step + 1);
        cr.advance(c, step + 1, rng.clone());
        assertFalse(java.util.Arrays.equals(b.floatsCopy(), c.floatsCopy()), k + ": labels change the step");
    }

    @Test
    void classesOutsideTheModelAreNamed() {
        for (Kind k : List.of(VP, FLOW)) {
            for (Condition bad : List.of(Condition.label(2), Condition.label(7).withCfg(3), Condition.labels(0, 1, 2, 1))) {
                InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> k.bind().apply(bad), k + " " + bad);
                assertEquals("condition", e.setting(), e.getMessage());
                assertTrue(e.getMessage().startsWith("condition") && !e.getMessage().contains("\n"), e.getMessage());
            }
            // a per-particle condition must give one label per particle
            Chain ch = k.bind().apply(Condition.labels(0, 1, 1)).chain(k.sampler(), k.steps(), 8);
            assertEquals("condition", assertThrows(InvalidSettingException.class, () -> ch.newParticles(4)).setting());
            ch.newParticles(3);
        }
        // negative labels, and guidance without a condition
        assertEquals("condition", assertThrows(InvalidSettingException.class, () -> Condition.label(-1)).setting());
        assertEquals("cfg", assertThrows(InvalidSettingException.class, () -> Condition.NONE.withCfg(2)).setting());
        // a label on a model without classes
        ProcessSpec.Vp spec = new ProcessSpec.Vp(BetaSchedule.cosine(), TimestepSpacing.TRAILING);
        MixtureNetwork unconditional = new MixtureNetwork(CCM.mixture(), null, spec, Prediction.EPSILON);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> VpProcess.of(unconditional, Prediction.EPSILON, spec, Condition.label(0)));
        assertEquals("condition", e.setting(), e.getMessage());
    }
}
