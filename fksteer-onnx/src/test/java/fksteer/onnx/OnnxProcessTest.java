package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.Stats;
import fksteer.io.MixtureModel;
import fksteer.model.GaussianMixture;
import fksteer.process.Chain;
import fksteer.process.ClassConditionalMixture;
import fksteer.process.Condition;
import fksteer.process.MixtureNetwork;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.solver.Sampler;
import fksteer.steer.Noise;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The exact Gaussian-mixture networks exported to ONNX (make_fixtures.py writes the mixture's ε or
 * velocity in torch ops) are the same networks as fksteer's {@link MixtureNetwork} of the fixture's
 * mixture file, and sampled through ONNX Runtime they keep the data distribution, as the core's
 * ProcessMomentTest asks of the Java networks.
 *
 * <p>Agreement: at 2000 random points (|x| up to 4) and times across the whole range, ONNX and the
 * Java network agree within 1e-5 relative (the graph computes in float64 from float32 inputs, Java in
 * double; a flow's σ or t reaches both as the same float).
 *
 * <p>Moments: N = 3000 samples, mean and covariance within 4.5 standard errors of the exact mixture's
 * (the core's tolerance, fixed before any run). Steps as the core measured them: VP 1000 (DDIM and DDPM
 * are first order), midpoint 100, sde 200. 7 runs compare 35 moments; a correct process fails one with
 * probability under 0.03%.
 */
class OnnxProcessTest {
    static final int N = 3000;
    static final double Z = 4.5;

    static Stream<Arguments> networks() {
        return Stream.of(Arguments.of("mixture-vp.card.json", "mixture-vp.json"), Arguments.of("mixture-flow.card.json", "mixture-flow.json"),
                Arguments.of("mixture-sd3.card.json", "mixture-sd3.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void onnxGraphIsTheExactMixtureNetwork(String card, String json) {
        MixtureModel mm = Fixtures.mixture(json);
        MixtureNetwork exact = new MixtureNetwork(mm.mixture(), mm.classes(), mm.process(), mm.prediction());
        try (OnnxModel m = Fixtures.model(card)) {
            SplittableRandom rng = new SplittableRandom(11);
            int n = 200, d = 2;
            float[] x = new float[n * d], a = new float[n * d], b = new float[n * d];
            int[] labels = new int[n];
            boolean vp = m.card().timeFormat() == ModelCard.TimeFormat.INDEX;
            for (int rep = 0; rep < 10; rep++) {
                for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 8 - 4);
                for (int i = 0; i < n; i++) labels[i] = m.card().conditional() ? rng.nextInt(-1, m.card().classes()) : -1;
                float t = vp ? rng.nextInt(1000) : (float) rng.nextDouble(0.001, 0.999);
                int[] l = m.card().conditional() ? labels : null;
                m.network().predict(x, n, t, l, null, a);
                exact.predict(x, n, t, l, null, b);
                for (int i = 0; i < x.length; i++) {
                    double e = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
                    assertTrue(e <= 1e-5, card + ": at t = " + t + " entry " + i + ": onnx " + a[i] + ", java " + b[i]);
                }
            }
        }
    }

    static Stream<Arguments> samplings() {
        return Stream.of(
                Arguments.of("mixture-vp.card.json", "mixture-vp.json", new Sampler(Sampler.Kind.DDIM, 0), 1000, -1),
                Arguments.of("mixture-vp.card.json", "mixture-vp.json", new Sampler(Sampler.Kind.DDPM, 0), 1000, 0),
                Arguments.of("mixture-vp.card.json", "mixture-vp.json", new Sampler(Sampler.Kind.DDIM, 1), 1000, 1),
                Arguments.of("mixture-flow.card.json", "mixture-flow.json", Sampler.ode(Sampler.Kind.MIDPOINT), 100, -1),
                Arguments.of("mixture-flow.card.json", "mixture-flow.json", new Sampler(Sampler.Kind.SDE, 0.5), 200, -1),
                Arguments.of("mixture-sd3.card.json", "mixture-sd3.json", Sampler.ode(Sampler.Kind.MIDPOINT), 100, -1),
                Arguments.of("mixture-sd3.card.json", "mixture-sd3.json", new Sampler(Sampler.Kind.SDE, 0.5), 200, -1));
    }

    @ParameterizedTest(name = "{0} {2} {3} steps, class {4}")
    @MethodSource("samplings")
    void samplingThroughOnnxKeepsTheMoments(String card, String json, Sampler s, int steps, int label) {
        MixtureModel mm = Fixtures.mixture(json);
        GaussianMixture target = label < 0 ? mm.mixture() : new ClassConditionalMixture(mm.mixture(), mm.classes()).conditional(label);
        try (OnnxModel m = Fixtures.model(card)) {
            Process p = m.process(label < 0 ? Condition.NONE : Condition.label(label)).counted();
            Chain ch = p.chain(s, steps, N);
            Particles x = ch.newParticles(N);
            ch.initialNoise(x, 2024 + label);
            ch.solve(x, 0, steps, Noise.stepStreams(99, N));
            assertEquals((long) N * steps * s.evaluationsPerStep(), p.nfe(), "NFE counted per row and stage");
            assertNull(moments(x.floats(), N, target), card + " " + s.name());
        }
    }

    static String moments(float[] x, int n, GaussianMixture gm) {
        return Stats.moments(x, n, gm.mean(), gm.covariance(), Z);
    }
}
