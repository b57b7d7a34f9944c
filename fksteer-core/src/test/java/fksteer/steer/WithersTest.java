package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.io.InvalidSettingException;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.solver.Sampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every method starts from documented defaults; each wither changes its one setting and validates. */
class WithersTest {
    static final Sampler SDE = new Sampler(Sampler.Kind.SDE, 0.1), MID = Sampler.ode(Sampler.Kind.MIDPOINT);
    static final Sampler FK_SDE = new Sampler(Sampler.Kind.SDE, FkSteering.DEFAULT_STOCHASTICITY);

    @Test
    void fkDefaultsAreTheDocumentedOnes() {
        FkSteering d = FkSteering.defaults(64, 100);
        assertEquals(new FkSteering(64, 100, FK_SDE, d.lambda(), Potential.DIFF, Intermediate.X1HAT, 4, ResampleSchedule.defaults(),
                Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, 0, 4, null), d);
    }

    @Test
    void eachFkWitherChangesOneSetting() {
        FkSteering d = FkSteering.defaults(64, 100);
        ResampleSchedule every = new ResampleSchedule(0.2, 0.9, 0, 5, 1.0);
        Sampler ref = new Sampler(Sampler.Kind.REFERENCE_SDE, 0.5);
        assertEquals(new FkSteering(32, 100, FK_SDE, d.lambda(), Potential.DIFF, Intermediate.X1HAT, 4, ResampleSchedule.defaults(),
                Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, 0, 4, null), d.withParticles(32));
        FkSteering all = d.withSteps(50).withSampler(ref).withLambda(1).withPotential(Potential.MAX)
                .withIntermediate(Intermediate.MANY).withLookaheadSteps(3).withManySamples(8).withSchedule(every)
                .withResampler(Resampler.RESIDUAL).withOutput(FkSteering.OutputPolicy.ARGMAX).withSnapshotEvery(10);
        assertEquals(new FkSteering(64, 50, ref, 1, Potential.MAX, Intermediate.MANY, 3, every, Resampler.RESIDUAL,
                FkSteering.OutputPolicy.ARGMAX, 10, 0, 8, null), all);
        assertEquals(new Sampler(Sampler.Kind.SDE, 1.0), d.withStochasticity(1).sampler());
        assertEquals(2.0, d.withGuidance(2).guidance());
        assertEquals(Tempering.adaptive(0.7), d.withTempering(Tempering.adaptive(0.7)).tempering());
        assertEquals(Tempering.NONE, d.tempering());
        assertNull(d.learned());
    }

    @Test
    void withersValidateAndNameTheSetting() {
        FkSteering d = FkSteering.defaults(64, 100);
        assertSetting("particles", () -> d.withParticles(0));
        assertSetting("lambda", () -> d.withLambda(Double.NaN));
        assertSetting("guidance", () -> d.withStochasticity(0).withGuidance(1));
        assertSetting("guidance", () -> d.withGuidance(1).withSampler(MID));
        assertSetting("lookaheadSteps", () -> d.withIntermediate(Intermediate.LOOKAHEAD).withLookaheadSteps(0));
        assertSetting("snapshotEvery", () -> d.withSnapshotEvery(-1));
        assertSetting("topK", () -> BestOfN.defaults(8, 10).withTopK(9));
        assertSetting("solver", () -> ZerothOrder.defaults(8, 10).withSolver(SDE));
        assertSetting("deltaF", () -> SearchOverPaths.defaults(8, 100).withDeltaF(0.9));
        assertSetting("deltaB", () -> SearchOverPaths.defaults(8, 5));      // 0.14 is less than one step of 0.2
        assertSetting("sampler", () -> GuidedSampling.defaults(8, 10, 1).withStochasticity(0));
    }

    @Test
    void theOtherMethodsStartFromTheirDocumentedDefaults() {
        assertEquals(new BestOfN(512, 100, MID, 1, false, 1.0), BestOfN.defaults(512, 100));
        assertEquals(new BestOfN(16, 20, SDE, 4, true, 2.0),
                BestOfN.defaults(512, 100).withParticles(16).withSteps(20).withSampler(SDE).withTopK(4).withWeighted(true).withLambda(2));

        ZerothOrder z = ZerothOrder.defaults(256, 100);
        assertEquals(new ZerothOrder(256, 5, 100, MID, 1.0, false, null), z);
        ZerothOrder z2 = z.withCandidates(8).withCycles(2).withSteps(10).withSolver(Sampler.ode(Sampler.Kind.RK4)).withRadius(0.5)
                .withGaussian(true).withPivot(new double[] {1, 2});
        assertEquals(java.util.List.of(8, 2, 10, Sampler.Kind.RK4, 0.5, true),
                java.util.List.of(z2.candidates(), z2.cycles(), z2.steps(), z2.solver().kind(), z2.radius(), z2.gaussian()));
        assertEquals(2.0, z2.pivot()[1]);

        assertEquals(new SearchOverPaths(64, 8, 0.8, 0.1, 0.14, 0.01, MID, false, Intermediate.XT), SearchOverPaths.defaults(64, 100));
        assertEquals(new SearchOverPaths(4, 2, 0.5, 0.2, 0.3, 0.05, Sampler.ode(Sampler.Kind.EULER), true, Intermediate.X1HAT),
                SearchOverPaths.defaults(64, 100).withParticles(4).withExpansions(2).withTStart(0.5).withDeltaB(0.3).withDeltaF(0.2)
                        .withSteps(20).withSolver(Sampler.ode(Sampler.Kind.EULER)).withPathKernel(true).withScoreOn(Intermediate.X1HAT));

        assertEquals(new GuidedSampling(32, 100, SDE, 1.5), GuidedSampling.defaults(32, 100, 1.5));
        assertEquals(new GuidedSampling(8, 10, new Sampler(Sampler.Kind.SDE, 1.0), 2),
                GuidedSampling.defaults(32, 100, 1.5).withParticles(8).withSteps(10).withStochasticity(1).withGuidance(2));
    }

    static void assertSetting(String setting, Executable e) {
        assertEquals(setting, assertThrows(InvalidSettingException.class, e).setting());
    }
}
