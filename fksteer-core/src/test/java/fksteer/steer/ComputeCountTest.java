package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.model.VelocityField;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Every method's reported NFE and reward calls equal what an independent counting model saw. */
class ComputeCountTest {
    static final GaussianMixture GM = Mixtures.twoComponents();

    static final class Counting implements fksteer.model.DifferentiableField {
        final AtomicLong rows = new AtomicLong();

        public int dim() {
            return 2;
        }

        public void velocity(float[] x, int n, float t, float[] out) {
            rows.addAndGet(n);
            GM.velocity(x, n, t, out);
        }

        /** A VJP costs one forward pass per point. */
        public void vjp(float[] x, int n, float t, float[] g, float[] out) {
            rows.addAndGet(n);
            GM.vjp(x, n, t, g, out);
        }
    }

    static final class CountingR implements fksteer.reward.DifferentiableReward {
        final AtomicLong rows = new AtomicLong();
        final Reward inner = new Rewards.Point(new double[] {1, 0.5}, "point:1,0.5");

        public int dim() {
            return 2;
        }

        public void evaluate(float[] x, int n, double[] out) {
            rows.addAndGet(n);
            inner.evaluate(x, n, out);
        }

        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            rows.addAndGet(n);
            ((fksteer.reward.DifferentiableReward) inner).valueAndGradient(x, n, out, grad);
        }

        public String spec() {
            return inner.spec();
        }
    }

    static void check(SteeringMethod m, long expectedRewardCalls) {
        Counting f = new Counting();
        CountingR r = new CountingR();
        SteerResult res = m.run(f, r, 4);
        assertEquals(f.rows.get(), res.nfe(), m.name() + " nfe");
        assertEquals(m.plannedNfe(), res.nfe(), m.name() + " planned nfe");
        assertEquals(r.rows.get(), res.rewardCalls(), m.name() + " reward calls");
        assertEquals(expectedRewardCalls, res.rewardCalls(), m.name() + " reward calls formula");
    }

    @Test
    void bestOfN() {
        check(new BestOfN(100, 17, Sampler.ode(Sampler.Kind.HEUN), 3, false, 1), 100);
    }

    @Test
    void zerothOrder() {
        check(new ZerothOrder(50, 4, 10, Sampler.ode(Sampler.Kind.MIDPOINT), 1.0, false, null), 4 * 50);
    }

    @Test
    void searchOverPaths() {
        // t: 0.8 -> stages (0.7, 0.84) and (0.74, 0.88), (0.78, 0.92), (0.82, 0.96); then to 1
        SearchOverPaths s = new SearchOverPaths(40, 3, 0.8, 0.1, 0.14, 0.01, Sampler.ode(Sampler.Kind.MIDPOINT), false, Intermediate.X1HAT);
        check(s, 4L * 40 * 3 + 40);
        // by hand: 80 steps to 0.8, 4 stages of 14 steps on 120 points (+1 velocity for x̂1), 4 steps to 1
        assertEquals(40L * 80 * 2 + 4L * 120 * (14 * 2 + 1) + 40L * 4 * 2, s.plannedNfe());
    }

    @Test
    void guidedAndManySample() {
        FkSteering f = new FkSteering(32, 20, new Sampler(Sampler.Kind.SDE, 0.5), 1, Potential.DIFF, Intermediate.MANY, 3,
                new ResampleSchedule(0.2, 0.9, 4, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, 0.5, 5);
        // guidance starts at the schedule's first step (t = 0.2: step 4) and scores every guided step
        int first = f.schedule().steps(20).get(0), guided = 20 - first;
        assertEquals(4, first);
        assertEquals(guided, f.scoredSteps().size());
        // many:5 with 3 SDE lookahead steps: 5 x 3 x 2 NFE and 5 reward calls per particle per scoring; guidance adds one VJP a guided step
        assertEquals(32L * (20 * 2 + guided + guided * 5 * 3 * 2), f.plannedNfe());
        // reward calls: 5 per particle per scoring, the guidance gradient (with r(x̂)) each guided step, and the final reward
        check(f, 32L * (guided * 5 + guided + 1));
        check(new GuidedSampling(16, 10, new Sampler(Sampler.Kind.SDE, 1), 1.0), 16L * (10 + 1));
    }

    /** The learned reward's training is counted apart: the model saw sampling NFE plus training NFE. */
    @Test
    void learnedTrainingIsCountedSeparately() {
        FkSteering f = new FkSteering(16, 10, new Sampler(Sampler.Kind.SDE, 0.5), 1, Potential.DIFF, Intermediate.LEARNED, 3,
                new ResampleSchedule(0.2, 0.9, 3, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
        Counting c = new Counting();
        SteerResult r = f.run(c, new CountingR(), 2);
        long training = (long) r.diagnostics().get("learnedTrainingNfe");
        assertEquals(f.plannedNfe(), r.nfe());
        assertEquals((long) FkSteering.LEARNED_TRAJECTORIES * 10 * 2, training);
        assertEquals(c.rows.get(), r.nfe() + training);
    }

    @Test
    void fk() {
        for (Intermediate i : new Intermediate[] {Intermediate.XT, Intermediate.X1HAT, Intermediate.LOOKAHEAD}) {
            FkSteering f = new FkSteering(64, 40, new Sampler(Sampler.Kind.SDE, 0.2), 1, Potential.DIFF, i, 3,
                    new ResampleSchedule(0.25, 0.9, 0, 5, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
            int scored = f.schedule().steps(40).size();
            assertEquals(6, scored); // steps 10, 15, 20, 25, 30, 35 (t from 0.25 to 0.9 of 40 steps)
            check(f, 64L * (scored + 1));
        }
    }
}
