package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.Stats;
import fksteer.model.GaussianMixture;
import fksteer.process.BetaSchedule;
import fksteer.process.Chain;
import fksteer.process.Condition;
import fksteer.process.FlowProcess;
import fksteer.process.MixtureDenoiser;
import fksteer.process.Particles;
import fksteer.process.Prediction;
import fksteer.process.Process;
import fksteer.process.ProcessSpec;
import fksteer.process.TimestepSpacing;
import fksteer.process.VpProcess;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mixture file's optional "process", "prediction" and "classes" (README, "Mixture files"): every
 * field read back as written, the defaults, every error one line naming the file and the field, and
 * the loaded network checked against the mixture's exact denoiser.
 */
class ProcessJsonTest {
    @TempDir
    Path dir;

    /** A 2-D, 3-component mixture; extra is appended as more fields. */
    static String file(String extra) {
        return "{\"type\": \"gaussian-mixture\", \"weights\": [0.2, 0.3, 0.5], \"means\": [[-2, 0], [1.5, 1], [0.5, -1.5]], "
                + "\"stds\": [0.4, 0.6, 0.5]" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    Path write(String text) throws Exception {
        Path p = dir.resolve("m.json");
        Files.writeString(p, text);
        return p;
    }

    MixtureModel read(String extra) throws Exception {
        return Models.loadMixtureModel(write(file(extra)));
    }

    /** Loading fails through every entry point with one line naming setting model, the file and each of parts. */
    String rejected(String extra, String... parts) throws Exception {
        Path p = write(file(extra));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.loadProcess(p.toString(), Condition.NONE), extra);
        String m = e.getMessage();
        assertFalse(m.matches("(?s).*\\R.*"), "one line: " + m);
        assertTrue(e.setting().equals("model") && m.contains("m.json"), "names the setting and the file: " + m);
        for (String part : parts) assertTrue(m.contains(part), "mentions " + part + ": " + m);
        assertEquals(m, assertThrows(InvalidSettingException.class, () -> Models.load(p.toString())).getMessage(), "Models.load says the same");
        BadInputException b = assertThrows(BadInputException.class, () -> Models.loadMixtureModel(p));
        assertEquals(m, "model " + b.getMessage(), "the reader's own message, prefixed by the setting");
        return m;
    }

    // ------------------------------------------------------------------ defaults and round trips

    @Test
    void aFileWithoutTheNewFieldsIsTodaysFlow() throws Exception {
        MixtureModel m = read("");
        assertEquals(ProcessSpec.flow(), m.process());
        assertEquals(new ProcessSpec.Flow(0, 1.0), m.process());
        assertSame(Prediction.VELOCITY, m.prediction());
        assertNull(m.classes());
        assertTrue(m.plain());
        assertEquals(0, m.classCount());
        Path p = dir.resolve("m.json");
        // the fast path: the mixture itself as the velocity field
        assertInstanceOf(GaussianMixture.class, Models.load(p.toString()));
        Process pr = Models.loadProcess(p.toString(), Condition.NONE);
        assertInstanceOf(FlowProcess.class, pr);
        assertEquals("flow", pr.kind());
        assertTrue(pr.describe().startsWith("gaussian-mixture(components=3"), pr.describe());
        // so do the explicit defaults
        for (String extra : List.of("\"process\": {\"kind\": \"flow\"}", "\"process\": {\"kind\": \"flow\", \"noiseAt\": 0}",
                "\"prediction\": \"velocity\"", "\"process\": {\"noiseAt\": 0, \"kind\": \"flow\"}, \"prediction\": \"velocity\"")) {
            assertTrue(read(extra).plain(), extra);
            assertInstanceOf(GaussianMixture.class, Models.load(p.toString()), extra);
            assertTrue(Models.loadProcess(p.toString(), Condition.NONE).describe().startsWith("gaussian-mixture(components=3"), extra);
        }
    }

    @Test
    void flowFieldsReadBackAsWritten() throws Exception {
        assertEquals(new ProcessSpec.Flow(1, 1.0), read("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1}").process());
        assertEquals(new ProcessSpec.Flow(1, 3.0), read("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": 3}").process());
        assertEquals(new ProcessSpec.Flow(1, 0.25), read("\"process\": {\"shift\": 0.25, \"noiseAt\": 1, \"kind\": \"flow\"}").process());
        MixtureModel m = read("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": 1e6}, \"prediction\": \"velocity\"");
        assertEquals(new ProcessSpec.Flow(1, 1e6), m.process());
        assertFalse(m.plain());
        Process pr = Models.loadProcess(dir.resolve("m.json").toString(), Condition.NONE);
        assertEquals("flow-noise-at-1", pr.kind());
        assertTrue(pr.describe().contains("flow-noise-at-1, velocity"), pr.describe());
    }

    @Test
    void vpFieldsReadBackAsWrittenWithTheNamedSchedulesDefaults() throws Exception {
        ProcessSpec.Vp linear = new ProcessSpec.Vp(BetaSchedule.linear(), TimestepSpacing.TRAILING);
        assertEquals(linear, read("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\"}, \"prediction\": \"epsilon\"").process());
        assertEquals(new ProcessSpec.Vp(BetaSchedule.scaledLinear(), TimestepSpacing.TRAILING),
                read("\"process\": {\"kind\": \"vp\", \"schedule\": \"scaled-linear\"}, \"prediction\": \"v\"").process());
        assertEquals(new ProcessSpec.Vp(BetaSchedule.cosine(), TimestepSpacing.TRAILING),
                read("\"prediction\": \"x0\", \"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\"}").process());
        // each field on its own; the others keep their defaults
        assertEquals(new BetaSchedule(BetaSchedule.Kind.LINEAR, 2e-4, 0.02, 1000),
                schedule(read("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"betaStart\": 2e-4}, \"prediction\": \"epsilon\"")));
        assertEquals(new BetaSchedule(BetaSchedule.Kind.SCALED_LINEAR, 0.00085, 0.02, 1000),
                schedule(read("\"process\": {\"kind\": \"vp\", \"schedule\": \"scaled-linear\", \"betaEnd\": 0.02}, \"prediction\": \"epsilon\"")));
        assertEquals(new BetaSchedule(BetaSchedule.Kind.LINEAR, 1e-4, 0.02, 250),
                schedule(read("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"trainSteps\": 250}, \"prediction\": \"epsilon\"")));
        assertEquals(new BetaSchedule(BetaSchedule.Kind.COSINE, 0, 0, 4000),
                schedule(read("\"process\": {\"trainSteps\": 4000, \"schedule\": \"cosine\", \"kind\": \"vp\"}, \"prediction\": \"v\"")));
        assertEquals(new BetaSchedule(BetaSchedule.Kind.SCALED_LINEAR, 1e-3, 1.5e-2, 500), schedule(read(
                "\"process\": {\"kind\": \"vp\", \"schedule\": \"scaled-linear\", \"betaStart\": 0.001, \"betaEnd\": 0.015, \"trainSteps\": 500}, "
                        + "\"prediction\": \"x0\"")));
        for (Prediction p : List.of(Prediction.EPSILON, Prediction.V, Prediction.X0)) {
            MixtureModel m = read("\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\"}, \"prediction\": \"" + p.id + "\"");
            assertSame(p, m.prediction());
            Process pr = Models.loadProcess(dir.resolve("m.json").toString(), Condition.NONE);
            VpProcess vp = assertInstanceOf(VpProcess.class, pr);
            assertSame(p, vp.prediction());
            assertEquals(TimestepSpacing.TRAILING, vp.spec().spacing());
        }
    }

    static BetaSchedule schedule(MixtureModel m) {
        return ((ProcessSpec.Vp) m.process()).schedule();
    }

    @Test
    void classesReadBackAsWritten() throws Exception {
        MixtureModel m = read("\"classes\": [1, 0, 1]");
        assertArrayEquals(new int[] {1, 0, 1}, m.classes());
        assertEquals(2, m.classCount());
        assertFalse(m.plain());
        assertEquals(ProcessSpec.flow(), m.process());
        assertArrayEquals(new int[] {0, 0, 0}, read("\"classes\": [0, 0, 0]").classes());
        assertArrayEquals(new int[] {2, 0, 1}, read("\"classes\": [2, 0, 1], \"process\": {\"kind\": \"vp\", \"schedule\": \"linear\"}, "
                + "\"prediction\": \"epsilon\"").classes());
        Process pr = Models.loadProcess(dir.resolve("m.json").toString(), Condition.label(2));
        assertTrue(pr.describe().contains("3 classes"), pr.describe());
        // a JSON tree reads the same
        var tree = new ObjectMapper().readTree(file("\"classes\": [2, 0, 1], \"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\", "
                + "\"trainSteps\": 300}, \"prediction\": \"v\""));
        MixtureModel t = Models.parseMixtureModel(tree, "tree");
        assertArrayEquals(new int[] {2, 0, 1}, t.classes());
        assertEquals(new BetaSchedule(BetaSchedule.Kind.COSINE, 0, 0, 300), schedule(t));
        assertSame(Prediction.V, t.prediction());
    }

    // ------------------------------------------------------------------ errors: one line naming the field

    static final String VP = "\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\"}";

    @Test
    void badProcessObjectsAreNamed() throws Exception {
        rejected("\"process\": \"flow\"", "field \"process\" must be an object", "got the string 'flow'");
        rejected("\"process\": null", "field \"process\" must be an object");
        rejected("\"process\": [{\"kind\": \"flow\"}]", "field \"process\" must be an object", "an array");
        rejected("\"process\": {}", "field \"process\" needs \"kind\": \"flow\", \"vp\" or \"masked\"");
        rejected("\"process\": {\"noiseAt\": 1}", "field \"process\" needs \"kind\"");
        rejected("\"process\": {\"kind\": \"Flow\"}", "field \"process\".\"kind\" must be one of \"flow\", \"vp\"", "'Flow'");
        rejected("\"process\": {\"kind\": \"ddpm\"}", "field \"process\".\"kind\" must be one of", "'ddpm'");
        rejected("\"process\": {\"kind\": 1}", "field \"process\".\"kind\" must be one of", "'1'");
        rejected("\"process\": {\"kind\": \"flow\", \"foo\": 1}", "field \"process\" has unknown field 'foo'", "\"noiseAt\", \"shift\"",
                "\"trainSteps\"");
        rejected("\"process\": {\"Kind\": \"flow\"}", "unknown field 'Kind'");
        rejected("\"process\": {\"kind\": \"flow\", \"timestepSpacing\": \"leading\"}", "unknown field 'timestepSpacing'");
        rejected("\"process\": {\"kind\": \"flow\", \"kind\": \"vp\"}", "Duplicate field 'kind'");
        rejected("\"process\": {\"kind\": \"flow\"}, \"process\": {\"kind\": \"flow\"}", "Duplicate field 'process'");
        // a field of the other kind
        rejected("\"process\": {\"kind\": \"flow\", \"schedule\": \"linear\"}", "field \"process\".\"schedule\" is not a field of a flow process",
                "\"kind\", \"noiseAt\", \"shift\"");
        rejected("\"process\": {\"noiseAt\": 1, \"kind\": \"vp\", \"schedule\": \"linear\"}, \"prediction\": \"epsilon\"",
                "field \"process\".\"noiseAt\" is not a field of a vp process");
        // masked diffusion: its own schedule and fields; a mixture file cannot be a token model
        rejected("\"process\": {\"kind\": \"masked\"}", "needs \"schedule\": \"log-linear\" for kind masked");
        rejected("\"process\": {\"kind\": \"masked\", \"schedule\": \"linear\"}", "needs \"schedule\": \"log-linear\" for kind masked", "'linear'");
        rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"log-linear\"}", "(log-linear is masked diffusion's)");
        rejected("\"process\": {\"kind\": \"masked\", \"schedule\": \"log-linear\", \"eps\": 0.9}", "field \"process\".\"eps\"", "(0, 0.5]");
        rejected("\"process\": {\"kind\": \"masked\", \"schedule\": \"log-linear\", \"shift\": 2}",
                "field \"process\".\"shift\" is not a field of a masked process");
        rejected("\"process\": {\"kind\": \"masked\", \"schedule\": \"log-linear\"}", "prediction");
    }

    @Test
    void badFlowFieldsAreNamed() throws Exception {
        for (String v : List.of("2", "-1", "1.0", "\"1\"", "true", "null", "1e0", "4294967297"))
            rejected("\"process\": {\"kind\": \"flow\", \"noiseAt\": " + v + "}", "field \"process\".\"noiseAt\" must be an integer in [0, 1]");
        for (String v : List.of("0", "-1", "1000001", "1e400", "\"3\"", "null", "9.9e-7", "4.9e-324"))
            rejected("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": " + v + "}",
                    "field \"process\".\"shift\" must be a number in [1.0E-6, 1000000.0]");
        assertEquals(new ProcessSpec.Flow(1, 1e-6), read("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": 1e-6}").process());
        // shift only with noise at 1, even at its default value
        rejected("\"process\": {\"kind\": \"flow\", \"shift\": 3}", "field \"process\".\"shift\" applies to \"noiseAt\": 1 only");
        rejected("\"process\": {\"kind\": \"flow\", \"noiseAt\": 0, \"shift\": 1}", "\"shift\" applies to \"noiseAt\": 1 only");
    }

    @Test
    void badVpFieldsAreNamed() throws Exception {
        rejected("\"process\": {\"kind\": \"vp\"}, \"prediction\": \"epsilon\"", "field \"process\" needs \"schedule\"", "\"cosine\"");
        for (String s : List.of("\"Linear\"", "\"scaled_linear\"", "\"squaredcos_cap_v2\"", "\"sigmoid\"", "1", "null"))
            rejected("\"process\": {\"kind\": \"vp\", \"schedule\": " + s + "}, \"prediction\": \"epsilon\"",
                    "field \"process\".\"schedule\" must be one of \"linear\", \"scaled-linear\", \"cosine\"");
        for (String v : List.of("1", "0", "100001", "1000.0", "1e3", "\"1000\"", "-5", "99999999999999999999"))
            rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\", \"trainSteps\": " + v + "}, \"prediction\": \"v\"",
                    "field \"process\".\"trainSteps\" must be an integer in [2, 100000]");
        for (String b : List.of("betaStart", "betaEnd"))
            for (String v : List.of("0", "1", "-1e-4", "9e-9", "1e-300", "1.5", "\"0.01\"", "null", "1e400"))
                rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"" + b + "\": " + v + "}, \"prediction\": \"epsilon\"",
                        "field \"process\".\"" + b + "\" must be", "[1.0E-8, 1)");
        rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"betaStart\": 0.03, \"betaEnd\": 0.02}, \"prediction\": \"epsilon\"",
                "field \"process\".\"betaStart\" must be <= \"betaEnd\"", "0.03 > 0.02");
        rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"betaStart\": 0.05}, \"prediction\": \"epsilon\"",
                "\"betaStart\" must be <= \"betaEnd\"", "0.05 > 0.02 (the default)");
        // cosine has no β range: a value there would be ignored, so it is refused
        for (String b : List.of("betaStart", "betaEnd"))
            rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\", \"" + b + "\": 0.001}, \"prediction\": \"epsilon\"",
                    "field \"process\".\"" + b + "\" applies to the linear and scaled-linear schedules only");
        // a schedule that destroys all signal
        rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"trainSteps\": 100000}, \"prediction\": \"epsilon\"",
                "field \"process\" leaves alpha-bar = ", "at its noisiest step 99999, below 1.0E-20");
        rejected("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\", \"betaStart\": 0.5, \"betaEnd\": 0.9}, \"prediction\": \"epsilon\"",
                "leaves alpha-bar");
        // the largest accepted cosine schedule keeps enough
        assertEquals(BetaSchedule.MAX_TRAIN_STEPS, schedule(read("\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\", \"trainSteps\": 100000}, "
                + "\"prediction\": \"epsilon\"")).trainSteps());
    }

    @Test
    void predictionsMustFitTheProcess() throws Exception {
        rejected(VP, "field \"prediction\" is missing; a vp process needs \"epsilon\", \"v\" or \"x0\"");
        rejected(VP + ", \"prediction\": \"velocity\"", "field \"prediction\" is velocity, but a vp process needs epsilon, v or x0");
        for (String p : List.of("epsilon", "v", "x0")) {
            rejected("\"prediction\": \"" + p + "\"", "field \"prediction\" is " + p + ", but a flow process needs velocity");
            rejected("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1}, \"prediction\": \"" + p + "\"", "field \"prediction\" is " + p);
        }
        for (String p : List.of("\"eps\"", "\"v_prediction\"", "\"sample\"", "\"Epsilon\"", "\"\"", "1", "null", "[\"v\"]"))
            rejected(VP + ", \"prediction\": " + p, "field \"prediction\" must be one of \"velocity\", \"epsilon\", \"x0\", \"v\"");
    }

    @Test
    void classesMustLabelEveryComponentWithoutGaps() throws Exception {
        rejected("\"classes\": [0, 1]", "field \"classes\" must give one label per component (3), got 2");
        rejected("\"classes\": [0, 1, 0, 1]", "one label per component (3), got 4");
        rejected("\"classes\": []", "one label per component (3), got 0");
        rejected("\"classes\": [0, 2, 0]", "field \"classes\" uses labels up to 2 but not 1", "0..K-1");
        rejected("\"classes\": [1, 1, 1]", "uses labels up to 1 but not 0");
        rejected("\"classes\": [0, 1, 3]", "field \"classes\" uses label 3 with only 3 components");
        rejected("\"classes\": [0, 1, 2147483647]", "uses label 2147483647");
        for (String v : List.of("-1", "0.0", "1e0", "\"0\"", "null", "[0]", "2147483648", "true"))
            rejected("\"classes\": [0, " + v + ", 1]", "field \"classes\"[1] must be an integer >= 0");
        for (String v : List.of("0", "\"0,1,2\"", "null", "{}"))
            rejected("\"classes\": " + v, "field \"classes\" must be an array of class labels");
    }

    @Test
    void unknownTopLevelFieldsListTheNewOnes() throws Exception {
        rejected("\"Process\": {\"kind\": \"flow\"}", "unknown field 'Process'", "\"process\", \"prediction\", \"classes\"");
        rejected("\"schedule\": \"linear\"", "unknown field 'schedule'");
    }

    // ------------------------------------------------------------------ loading entry points and conditions

    @Test
    void modelsLoadRefusesANonDefaultMixtureAndPointsToLoadProcess() throws Exception {
        String[][] cases = {
                {VP + ", \"prediction\": \"epsilon\"", "\"process\" kind vp (linear) and \"prediction\" epsilon"},
                {"\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": 3}", "\"process\" kind flow with noiseAt 1 and shift 3.0"},
                {"\"classes\": [0, 1, 0]", "\"classes\" (2)"},
                {"\"classes\": [0, 1, 0], \"prediction\": \"v\", \"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\"}",
                        "\"process\" kind vp (cosine), \"prediction\" v and \"classes\" (2)"}};
        for (String[] c : cases) {
            Path p = write(file(c[0]));
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.load(p.toString()));
            String m = e.getMessage();
            assertEquals("model", e.setting());
            assertFalse(m.matches("(?s).*\\R.*"), m);
            assertTrue(m.contains("m.json") && m.contains(c[1] + " cannot run here") && m.contains("Models.loadProcess"), m);
            BadInputException b = assertThrows(BadInputException.class, () -> Models.loadMixture(p));
            assertTrue(b.getMessage().contains(c[1]) && b.getMessage().contains("Models.loadMixtureModel"), b.getMessage());
            var tree = new ObjectMapper().readTree(file(c[0]));
            assertThrows(BadInputException.class, () -> Models.parseMixture(tree, "tree"));
            assertTrue(Models.loadProcess(p.toString(), Condition.NONE) != null);
        }
    }

    @Test
    void aConditionNeedsAModelWithClasses() throws Exception {
        Path plain = write(file(""));
        for (String spec : List.of("checkerboard", plain.toString())) {
            for (Condition c : List.of(Condition.label(0), Condition.label(0).withCfg(2), Condition.vector(new float[] {1, 2}))) {
                InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.loadProcess(spec, c));
                assertEquals("condition", e.setting());
                assertTrue(e.getMessage().contains("the model") && e.getMessage().contains("takes no condition"), e.getMessage());
                assertFalse(e.getMessage().matches("(?s).*\\R.*"));
            }
        }
        assertTrue(assertThrows(InvalidSettingException.class, () -> Models.loadProcess(plain.toString(), Condition.label(1))).getMessage()
                .contains("no \"classes\""));
        assertEquals("condition", assertThrows(InvalidSettingException.class, () -> Models.loadProcess("checkerboard", null)).setting());
        // a model with classes: labels 0..K-1 only, no vectors
        Path labelled = write(file("\"classes\": [0, 1, 1]"));
        assertEquals("condition", assertThrows(InvalidSettingException.class, () -> Models.loadProcess(labelled.toString(), Condition.label(2)))
                .setting());
        assertEquals("condition", assertThrows(InvalidSettingException.class,
                () -> Models.loadProcess(labelled.toString(), Condition.vector(new float[] {1}))).setting());
        assertInstanceOf(FlowProcess.class, Models.loadProcess(labelled.toString(), Condition.label(1).withCfg(3)));
        assertInstanceOf(FlowProcess.class, Models.loadProcess(labelled.toString(), Condition.NONE));
        // bad model files still name model
        assertEquals("model", assertThrows(InvalidSettingException.class, () -> Models.loadProcess(dir.resolve("none.json").toString(),
                Condition.NONE)).setting());
        assertEquals("model", assertThrows(InvalidSettingException.class, () -> Models.loadProcess("", Condition.NONE)).setting());
    }

    // ------------------------------------------------------------------ the loaded network is the exact one

    static final GaussianMixture GM = new GaussianMixture(new double[] {0.2, 0.3, 0.5}, new double[][] {{-2, 0}, {1.5, 1}, {0.5, -1.5}},
            new double[] {0.4, 0.6, 0.5});

    static float[] points(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[2 * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (scale * r.nextGaussian());
        return x;
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), what + " entry " + i);
    }

    /** A loaded vp network's output at a timestep is the mixture's exact ε (v, x0) at that timestep's ᾱ. */
    @Test
    void aLoadedVpNetworkGivesTheMixturesExactPrediction() throws Exception {
        int n = 64;
        float[] x = points(n, 3, 1.5), got = new float[2 * n], want = new float[2 * n];
        for (String sched : List.of("linear", "scaled-linear", "cosine"))
            for (Prediction p : List.of(Prediction.EPSILON, Prediction.V, Prediction.X0)) {
                MixtureModel m = read("\"process\": {\"kind\": \"vp\", \"schedule\": \"" + sched + "\"}, \"prediction\": \"" + p.id + "\"");
                double[] ab = schedule(m).alphasCumprod();
                for (int t : new int[] {0, 1, 250, 500, 999}) {
                    m.network().predict(x, n, t, null, null, got);
                    new MixtureDenoiser(GM).predict(p, Math.sqrt(ab[t]), Math.sqrt(1 - ab[t]), 0, 0, x, n, want);
                    assertClose(want, got, 1e-5, sched + " " + p.id + " at t = " + t);
                }
            }
        // and at timestep 500 of linear ε, by hand for one point: E[ε | x] = sum_j w_j (s / v_j) (x - a μ_j)
        MixtureModel m = read("\"process\": {\"kind\": \"vp\", \"schedule\": \"linear\"}, \"prediction\": \"epsilon\"");
        double ab = schedule(m).alphasCumprod()[500], a = Math.sqrt(ab), s = Math.sqrt(1 - ab);
        float[] one = {0.3f, -0.7f}, out = new float[2];
        m.network().predict(one, 1, 500, null, null, out);
        double[] lw = new double[3], e = new double[2];
        double z = 0;
        for (int j = 0; j < 3; j++) {
            double v = a * a * GM.stds()[j] * GM.stds()[j] + s * s, q = 0;
            for (int k = 0; k < 2; k++) q += Math.pow(one[k] - a * GM.means()[j][k], 2);
            z += lw[j] = GM.weights()[j] * Math.exp(-q / (2 * v)) / v;   // N(x; a μ_j, v I) in 2-D, up to 1/(2π)
        }
        for (int j = 0; j < 3; j++) {
            double v = a * a * GM.stds()[j] * GM.stds()[j] + s * s;
            for (int k = 0; k < 2; k++) e[k] += lw[j] / z * s / v * (one[k] - a * GM.means()[j][k]);
        }
        assertEquals(e[0], out[0], 1e-6);
        assertEquals(e[1], out[1], 1e-6);
    }

    /** Flows: noise at 0 gives the mixture's own velocity field; noise at 1 gives u = ε - x0 at σ. */
    @Test
    void aLoadedFlowNetworkGivesTheMixturesExactVelocity() throws Exception {
        int n = 64;
        float[] x = points(n, 4, 1.5), got = new float[2 * n], want = new float[2 * n];
        MixtureModel m0 = read("\"classes\": [0, 0, 0]");        // not plain: served by the network
        MixtureModel m1 = read("\"process\": {\"kind\": \"flow\", \"noiseAt\": 1, \"shift\": 3}");
        for (float t : new float[] {0f, 0.1f, 0.5f, 0.9f, 0.999f}) {
            m0.network().predict(x, n, t, null, null, got);
            GM.velocity(x, n, t, want);
            assertClose(want, got, 1e-5, "noise at 0, t = " + t);
        }
        for (float t : new float[] {1e-3f, 0.1f, 0.5f, 0.9f, 1f}) {     // σ; the denoiser divides by s = σ, so not at 0
            m1.network().predict(x, n, t, null, null, got);
            new MixtureDenoiser(GM).predict(Prediction.VELOCITY, 1 - t, t, -1, 1, x, n, want);
            assertClose(want, got, 1e-5, "noise at 1, σ = " + t);
        }
    }

    /**
     * End to end: a vp/ε file sampled through loadProcess (DDIM η = 1 on 250 trailing steps, from
     * N(0, I) at step T - 1) draws the mixture, and with a class label its exact conditional.
     */
    @Test
    void aLoadedVpProcessSamplesTheMixtureAndItsClasses() throws Exception {
        Path p = write(file("\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\"}, \"prediction\": \"epsilon\", \"classes\": [0, 1, 1]"));
        int n = 3000;
        GaussianMixture class1 = new GaussianMixture(new double[] {0.375, 0.625}, new double[][] {{1.5, 1}, {0.5, -1.5}}, new double[] {0.6, 0.5});
        for (Object[] c : new Object[][] {{Condition.NONE, GM}, {Condition.label(1), class1}, {Condition.label(0),
                new GaussianMixture(new double[] {1}, new double[][] {{-2, 0}}, new double[] {0.4})}}) {
            Process pr = Models.loadProcess(p.toString(), (Condition) c[0]);
            Chain ch = pr.chain(new Sampler(Sampler.Kind.DDIM, 1), 250, n);
            assertEquals(0f, ch.time(0), "trailing spacing starts at step T - 1, the noisiest");
            Particles x = ch.newParticles(n);
            ch.initialNoise(x, 11);
            ch.solve(x, 0, ch.steps(), Rng.streams(12, n));
            GaussianMixture truth = (GaussianMixture) c[1];
            double[] mean = Stats.mean(x.floats(), n, 2), mu = truth.mean();
            double[][] cov = truth.covariance();
            for (int k = 0; k < 2; k++) {
                double se = Math.sqrt(cov[k][k] / n);
                assertEquals(mu[k], mean[k], 4.5 * se, String.format(Locale.ROOT, "%s: mean[%d]", c[0], k));
            }
        }
    }
}
