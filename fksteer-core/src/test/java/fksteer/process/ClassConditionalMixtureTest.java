package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.io.InvalidSettingException;
import fksteer.model.GaussianMixture;
import fksteer.rng.Rng;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free guidance on a class-conditional mixture: at scale 1 the guided sampler draws the exact
 * conditional p(x | c); above 1 it moves the samples further toward the class, as the guided score
 * ∇log p(x) + w ∇log p(c | x) says.
 */
class ClassConditionalMixtureTest {
    /** Class 0: one component at (-1, 0); class 1: two components at (1.2, 0.8) and (0.5, -1.5). */
    static final ClassConditionalMixture CCM = new ClassConditionalMixture(new GaussianMixture(new double[] {0.4, 0.35, 0.25},
            new double[][] {{-1, 0}, {1.2, 0.8}, {0.5, -1.5}}, new double[] {0.5, 0.4, 0.45}), new int[] {0, 1, 1});
    static final int N = SchedulerTest.N;

    /** DDIM (η = 1, cosine, all 1000 steps) on the guided ε from the exact marginal of start at the first step. */
    static float[] sample(int c, double scale, GaussianMixture start, long seed) {
        GaussianScheduler sch = new DdimScheduler(BetaSchedule.cosine(), Prediction.EPSILON, 1000, TimestepSpacing.TRAILING, 1);
        int[] ts = sch.timesteps();
        double ab0 = sch.alphaBar(ts[0]);
        float[] x = new MixtureDenoiser(start).sampleMarginal(Math.sqrt(ab0), Math.sqrt(1 - ab0), N, seed);
        float[] out = new float[2 * N], next = new float[2 * N], noise = new float[2 * N];
        long[] st = Rng.streams(seed + 17, N);
        for (int t : ts) {
            double ab = sch.alphaBar(t);
            CCM.predictGuided(Prediction.EPSILON, Math.sqrt(ab), Math.sqrt(1 - ab), 0, 0, x, N, c, scale, out);
            for (int i = 0; i < N; i++) Rng.fillGaussian(st, i, noise, 2 * i, 2);
            sch.step(out, t, x, noise, next, 2 * N);
            float[] tmp = x;
            x = next;
            next = tmp;
        }
        return x;
    }

    @Test
    void guidanceAtScaleOneDrawsTheExactConditional() {
        for (int c : new int[] {0, 1}) {
            GaussianMixture exact = CCM.conditional(c);
            assertNull(SchedulerTest.check(sample(c, 1.0, exact, 40 + c), exact), "class " + c);
        }
        assertEquals(1.0, CCM.conditional(1).weights()[0] + CCM.conditional(1).weights()[1], 1e-12);
        assertEquals(0.35 / 0.6, CCM.conditional(1).weights()[0], 1e-12);
    }

    @Test
    void guidanceAboveOneMovesSamplesTowardTheClass() {
        // toward class 0 along u = (mu_0 - E[x | class 1]) / |.|: the guided mean lies further along u than the
        // conditional's, by more than 4 standard errors of the difference
        GaussianMixture c0 = CCM.conditional(0), c1 = CCM.conditional(1);
        double[] m0 = c0.mean(), m1 = c1.mean(), u = {m0[0] - m1[0], m0[1] - m1[1]};
        double norm = Math.hypot(u[0], u[1]);
        u[0] /= norm;
        u[1] /= norm;
        float[] plain = sample(0, 1.0, c0, 7), guided = sample(0, 3.0, c0, 8);
        double[] pp = project(plain, u), pg = project(guided, u);
        double diff = Stats.mean(pg) - Stats.mean(pp), se = Math.hypot(Stats.se(pg), Stats.se(pp));
        assertTrue(diff > 4 * se, String.format(java.util.Locale.ROOT, "guided mean moved %.4f along u (SE %.4f)", diff, se));
    }

    static double[] project(float[] x, double[] u) {
        double[] p = new double[N];
        for (int i = 0; i < N; i++) p[i] = x[2 * i] * u[0] + x[2 * i + 1] * u[1];
        return p;
    }

    @Test
    void badLabelsAndConditionsAreNamed() {
        GaussianMixture gm = CCM.mixture();
        assertEquals("classes", assertThrows(InvalidSettingException.class, () -> new ClassConditionalMixture(gm, new int[] {0, 1})).setting());
        assertEquals("classes", assertThrows(InvalidSettingException.class, () -> new ClassConditionalMixture(gm, new int[] {0, -1, 1})).setting());
        assertEquals("condition", assertThrows(InvalidSettingException.class, () -> CCM.conditional(2)).setting());
        assertEquals("cfg", assertThrows(InvalidSettingException.class,
                () -> CCM.predictGuided(Prediction.EPSILON, 0.5, 0.8, 0, 0, new float[2], 1, 0, Double.NaN, new float[2])).setting());
    }
}
