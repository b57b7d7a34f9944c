package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.model.GaussianMixture;
import fksteer.solver.Sampler;
import fksteer.steer.BestOfN;
import fksteer.steer.FkSteering;
import fksteer.steer.SteerResult;
import org.junit.jupiter.api.Test;

/**
 * clipSample (diffusers' clip_sample): every x̂0 the VP schedulers form is clamped to [-r, r], so
 * DDIM's and DDPM's last step (ᾱ_prev = 1, x = x̂0) lands in [-r, r]; without it the same model's
 * samples leave the range. Off by default, so the exact-mixture tests run unclipped.
 */
class ClipSampleTest {
    /** Data at ±2 with std 0.3: about half of every component lies outside [-1.5, 1.5]. */
    static final GaussianMixture GM = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{2, -2}, {-2, 2}}, new double[] {0.3, 0.3});

    static final fksteer.reward.Reward ZERO = new fksteer.reward.Rewards.Linear(new double[] {0, 0}, "zero");

    static Process vp(double clip) {
        ProcessSpec.Vp spec = new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING, clip);
        return spec.bind(new MixtureNetwork(GM, null, spec, Prediction.EPSILON), Prediction.EPSILON, Condition.NONE);
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void clippedSamplesStayInRangeAndUnclippedOnesDoNot() {
        for (Sampler s : new Sampler[] {new Sampler(Sampler.Kind.DDIM, 1), new Sampler(Sampler.Kind.DDIM, 0), new Sampler(Sampler.Kind.DDPM, 0)}) {
            SteerResult clipped = new BestOfN(2000, 50, s, 1, false, 1).run(vp(1.5), ZERO, 3);
            SteerResult free = new BestOfN(2000, 50, s, 1, false, 1).run(vp(0), ZERO, 3);
            assertTrue(maxAbs(clipped.samples()) <= 1.5f, s + ": " + maxAbs(clipped.samples()));
            assertTrue(maxAbs(free.samples()) > 2.0, s + " unclipped: " + maxAbs(free.samples()));
            // most of the mass sits beyond the clip, so many coordinates end exactly on it
            int onEdge = 0;
            for (float v : clipped.samples()) if (Math.abs(v) == 1.5f) onEdge++;
            assertTrue(onEdge > 1000, s + ": " + onEdge + " coordinates on the clip");
        }
    }

    @Test
    void theDenoisedPredictionIsClippedToo() {
        Process p = vp(1.0);
        Chain c = p.chain(new Sampler(Sampler.Kind.DDIM, 1), 20, 64);
        Particles x = c.newParticles(64), x0 = c.newParticles(64);
        c.initialNoise(x, 1);
        long[] rng = fksteer.rng.Rng.streams(2, 64);
        for (int s = 0; s < 15; s++) {                 // three quarters of the way, where x̂0 is near ±2
            c.prepare(x, s);
            c.advance(x, s, rng);
        }
        c.prepare(x, 15);
        c.predictData(x, 15, x0);
        assertEquals(1.0, maxAbs(java.util.Arrays.copyOf(x0.floats(), 128)), 0.0, "x̂0 of ±2 data is clamped to exactly 1");
    }

    @Test
    void settingsAreChecked() {
        assertThrows(InvalidSettingException.class, () -> new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING, -1));
        assertThrows(InvalidSettingException.class, () -> new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING, Double.NaN));
        assertEquals(0, new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING).clipSample());
        // FK without guidance runs; guidance needs the clipped prediction's gradient, which is refused in one line
        FkSteering fk = FkSteering.defaults(8, 10).withSampler(new Sampler(Sampler.Kind.DDIM, 1));
        fk.run(vp(1), ZERO, 1);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> fk.withGuidance(1).run(vp(1), new fksteer.reward.Rewards.Linear(new double[] {1, 0}, "linear"), 1));
        assertTrue(e.getMessage().contains("clipSample"), e.getMessage());
    }
}
