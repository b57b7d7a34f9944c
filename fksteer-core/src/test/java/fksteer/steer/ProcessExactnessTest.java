package fksteer.steer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.process.BetaSchedule;
import fksteer.process.Condition;
import fksteer.process.MixtureNetwork;
import fksteer.process.Prediction;
import fksteer.process.Process;
import fksteer.process.ProcessSpec;
import fksteer.process.TimestepSpacing;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one FK loop hits the exact tilt p(x) exp(lambda a.x) / Z through every kind of process: a VP
 * model predicting ε sampled with DDIM η = 1 (the paper's setting), the SD3-style flow with noise at
 * σ = 1 and a timestep shift, and a guided proposal under VP whose p/τ weights come from the exposed
 * Gaussian transition. Same statistics and tolerances as {@link FkExactnessTest}: R = 32 replicates of
 * k = 1024 particles, the replicate mean within 3 SE of the exact tilted mean and of Z, log Z within
 * 0.05 nats.
 *
 * <p>VP runs use 1000 DDIM steps (trailing spacing, starting at T - 1 where N(0, I) is the marginal to
 * within ᾱ = 4e-5): DDIM is first order and loses a few % of variance at 200 steps, which would bias
 * the tilted mean by about the tolerance.
 */
class ProcessExactnessTest {
    static final GaussianMixture GM = Mixtures.twoComponents();
    static final double[] A = {1.0, 0.5};
    static final double LAMBDA = 1.0;
    static final int R = 32, K = 1024;

    static Process vp(Prediction p) {
        ProcessSpec.Vp spec = new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING);
        return spec.bind(new MixtureNetwork(GM, null, spec, p), p, Condition.NONE);
    }

    static Process flowNoiseAtOne(double shift) {
        ProcessSpec.Flow spec = new ProcessSpec.Flow(1, shift);
        return spec.bind(new MixtureNetwork(GM, null, spec, Prediction.VELOCITY), Prediction.VELOCITY, Condition.NONE);
    }

    static FkSteering fk(int steps, Sampler sampler, double guidance) {
        return new FkSteering(K, steps, sampler, LAMBDA, Potential.DIFF, Intermediate.X1HAT, 4, new ResampleSchedule(0.6, 0.95, 5, 0, 1.0),
                Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0).withGuidance(guidance);
    }

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("vp/epsilon/ddim eta=1", vp(Prediction.EPSILON), fk(1000, new Sampler(Sampler.Kind.DDIM, 1), 0)),
                Arguments.of("vp/v/ddpm", vp(Prediction.V), fk(1000, new Sampler(Sampler.Kind.DDPM, 0), 0)),
                Arguments.of("flow noise at 1, shift 3/sde", flowNoiseAtOne(3), fk(200, new Sampler(Sampler.Kind.SDE, 0.5), 0)),
                Arguments.of("vp/epsilon/ddim eta=1, guided", vp(Prediction.EPSILON), fk(1000, new Sampler(Sampler.Kind.DDIM, 1), 1.0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void weightedMeanAndLogZMatchTheExactTilt(String name, Process process, FkSteering fk) {
        GaussianMixture.Tilted tilt = GM.tiltLinear(A, LAMBDA);
        double[][] est = new double[2][R];
        double[] z = new double[R];
        long nfe = -1;
        for (int s = 0; s < R; s++) {
            SteerResult r = fk.run(process, new Rewards.Linear(A, "linear"), 7000 + s);
            est[0][s] = r.weightedMean(0);
            est[1][s] = r.weightedMean(1);
            z[s] = Math.exp((double) r.diagnostics().get("logZ"));
            assertTrue(!((List<?>) r.diagnostics().get("resampleSteps")).isEmpty(), name + ": the setting must resample");
            nfe = r.nfe();
            assertEquals(fk.guidance() > 0, (long) r.diagnostics().get("gradientCalls") > 0, name + ": guided exactly when asked");
        }
        assertEquals(fk.plannedNfe(process), nfe, name + ": NFE counted exactly");
        double[] exact = tilt.mixture().mean();
        for (int c = 0; c < 2; c++) {
            double se = Stats.se(est[c]);
            assertEquals(exact[c], Stats.mean(est[c]), 3 * se, name + " coordinate " + c + " (se " + se + ")");
        }
        assertTrue(Math.abs(exact[0] - GM.mean()[0]) > 2.5 * Stats.se(est[0]), name + ": tilt too weak to detect");
        double zExact = Math.exp(tilt.logZ());
        assertEquals(zExact, Stats.mean(z), 3 * Stats.se(z), name + " Z");
        assertEquals(tilt.logZ(), Math.log(Stats.mean(z)), 0.05, name + " log Z");
    }
}
