package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fksteer.kernel.Finite;
import fksteer.model.DifferentiableField;
import fksteer.model.VelocityField;
import fksteer.process.Chain;
import fksteer.process.Condition;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.reward.DifferentiableReward;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers under hostile input (issue 9's fuzz suite): every mutated safetensors file, mixture file
 * (with and without "process", "prediction" and "classes") and reward spec from {@link Fuzz} must end,
 * within 10 s, either as a model or reward that is finite where it promises to be (a mixture's process
 * through {@link Models#loadProcess} and a short chain), or as one BadInputException (InvalidSettingException for rewards) with a
 * one-line message; never another exception. Cases whose fate is certain (a truncated file, a
 * duplicate name, a spec with a space inside a number; a valid input) must meet it.
 */
class InputFuzzTest {
    static final int SAFETENSORS = 1100, MIXTURES = 330, REWARDS = 330, PROCESS_MIXTURES = 300;

    @TempDir
    Path dir;

    enum Outcome { ACCEPTED, REJECTED }

    /** Runs body with a 10 s limit; any exception but BadInputException (or an assertion) fails the test. */
    static <T> Outcome outcome(Fuzz.Case c, String label, String mustName, Callable<T> load, java.util.function.Consumer<T> check) {
        Object[] result = new Object[2];
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            T loaded;
            try {
                loaded = load.call();
            } catch (Throwable t) {
                result[1] = t;
                return;
            }
            check.accept(loaded);
            result[0] = loaded;
        }, label);
        Throwable t = (Throwable) result[1];
        if (t == null) {
            if (c.expect() == Fuzz.Expect.REJECT) fail(label + ": accepted, but must be rejected");
            return Outcome.ACCEPTED;
        }
        if (!(t instanceof BadInputException)) throw new AssertionError(label + ": threw " + t, t);
        String msg = t.getMessage();
        assertTrue(msg != null && !msg.isBlank(), label + ": empty message");
        assertTrue(!msg.matches("(?s).*(\\R|[\\x00-\\x1f]).*"), label + ": the message is not one line: " + msg);
        assertTrue(msg.length() <= 600, label + ": a " + msg.length() + "-character message: " + msg);
        if (mustName != null) assertTrue(msg.contains(mustName), label + ": the message does not name " + mustName + ": " + msg);
        if (c.expect() == Fuzz.Expect.ACCEPT) fail(label + ": rejected, but must be accepted: " + msg);
        return Outcome.REJECTED;
    }

    /** v and, for differentiable fields, the VJP of a unit cotangent are finite on a few points of scale s. */
    static void assertFinite(VelocityField f, SplittableRandom r, double scale, String label) {
        int d = f.dim(), n = 4;
        float[] x = new float[n * d], v = new float[n * d], g = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        java.util.Arrays.fill(g, 1f);
        for (float t : new float[] {0f, 0.5f, 0.999f, 1f}) {
            f.velocity(x, n, t, v);
            for (float a : v) assertTrue(Float.isFinite(a), label + ": non-finite velocity at t = " + t + " on inputs of scale " + scale);
            if (f instanceof DifferentiableField df) {
                df.vjp(x, n, t, g, v);
                for (float a : v) assertTrue(Float.isFinite(a), label + ": non-finite vector-Jacobian product at t = " + t);
            }
        }
    }

    static void tally(Map<String, int[]> counts, String family, Outcome o) {
        counts.computeIfAbsent(family, k -> new int[2])[o.ordinal()]++;
    }

    @Test
    void mutatedSafetensorsFilesLoadAsFiniteModelsOrFailWithOneLine() throws Exception {
        Map<String, int[]> counts = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < SAFETENSORS; i++) {
            Fuzz.Case c = Fuzz.safetensors(i);
            Path p = dir.resolve("case" + i + ".safetensors");
            Files.write(p, c.bytes());
            String label = "safetensors " + c.family() + " case " + i;
            // an MLP promises finite outputs on unit-scale inputs (Models.MAX_ACTIVATION)
            tally(counts, c.family(), outcome(c, label, p.getFileName().toString(), () -> Models.load(p.toString()),
                    f -> assertFinite(f, r, 1, label)));
            Files.delete(p);
        }
        checkCounts(counts, Fuzz.SAFETENSORS_FAMILIES, SAFETENSORS);
        assertTrue(counts.get("extremes")[0] > 0 && counts.get("extremes")[1] > 0, "extremes: some accepted, some refused");
        assertTrue(counts.get("bit-flips")[1] > 0);
    }

    @Test
    void mutatedMixtureFilesLoadAsFiniteModelsOrFailWithOneLine() throws Exception {
        Map<String, int[]> counts = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(10);
        for (int i = 0; i < MIXTURES; i++) {
            Fuzz.Case c = Fuzz.mixture(i);
            Path p = dir.resolve("case" + i + ".json");
            Files.write(p, c.bytes());
            String label = "mixture " + c.family() + " case " + i + " " + Quote.of(c.text());
            // a mixture promises finite velocities for states far beyond its means (Models.MAX_MEAN), and its process runs finite
            tally(counts, c.family(), outcome(c, label, p.getFileName().toString(), () -> Models.loadProcess(p.toString(), Condition.NONE), pr -> {
                assertRunsFinite(pr, r, label);
                VelocityField f = Models.load(p.toString());
                assertFinite(f, r, 1, label);
                assertFinite(f, r, 1e8, label);
            }));
            Files.delete(p);
        }
        checkCounts(counts, Fuzz.MIXTURE_FAMILIES, MIXTURES);
        assertTrue(counts.get("extremes")[0] > 0 && counts.get("extremes")[1] > 0, "extremes: some accepted, some refused");
    }

    /**
     * Mixture files with "process", "prediction" and "classes": each loads through loadProcess as a
     * process whose short chains (and, with classes, its guided conditional chains) stay finite, Models.load
     * takes it or refuses it in one line, or it fails with one line naming the file.
     */
    @Test
    void mutatedProcessMixtureFilesLoadAsFiniteProcessesOrFailWithOneLine() throws Exception {
        Map<String, int[]> counts = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(12);
        int[] kinds = new int[3]; // accepted flow, flow-noise-at-1, vp
        for (int i = 0; i < PROCESS_MIXTURES; i++) {
            Fuzz.Case c = Fuzz.processMixture(i);
            Path p = dir.resolve("case" + i + ".json");
            Files.write(p, c.bytes());
            String label = "process mixture " + c.family() + " case " + i + " " + Quote.of(c.text(), 0, 400);
            tally(counts, c.family(), outcome(c, label, p.getFileName().toString(), () -> Models.loadProcess(p.toString(), Condition.NONE), pr -> {
                kinds[List.of("flow", "flow-noise-at-1", "vp").indexOf(pr.kind())]++;
                assertRunsFinite(pr, r, label);
                MixtureModel m = Models.loadMixtureModel(p);
                if (m.classCount() > 0)
                    for (Condition cond : List.of(Condition.label(m.classCount() - 1), Condition.label(0).withCfg(3)))
                        assertRunsFinite(Models.loadProcess(p.toString(), cond), r, label + " under " + cond);
                if (m.plain()) assertFinite(Models.load(p.toString()), r, 1e8, label);
                else {
                    InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Models.load(p.toString()), label);
                    assertTrue(e.getMessage().contains("Models.loadProcess") && !e.getMessage().matches("(?s).*\\R.*"), label + ": " + e.getMessage());
                }
            }));
            Files.delete(p);
        }
        checkCounts(counts, Fuzz.PROCESS_FAMILIES, PROCESS_MIXTURES);
        assertTrue(counts.get("extremes")[0] > 0 && counts.get("extremes")[1] > 0, "extremes: some accepted, some refused");
        assertTrue(counts.get("garbage")[0] > 0 && counts.get("garbage")[1] > 0, "garbage: some accepted, some refused");
        for (int k : kinds) assertTrue(k > 10, "every kind of process ran: " + java.util.Arrays.toString(kinds));
    }

    /**
     * Two steps of the process's deterministic and stochastic samplers from its noise, every denoised
     * prediction and state finite; then a two-step lookahead from step 1 on states of scale 1e8.
     */
    static void assertRunsFinite(Process pr, SplittableRandom r, String label) {
        int n = 4, d = pr.dim();
        for (Sampler s : List.of(pr.deterministicSampler(), pr.stochasticSampler())) {
            String what = label + ", " + s.kind().cliName;
            Chain ch = pr.chain(s, 2, n);
            Particles x = ch.newParticles(n), hat = ch.newParticles(n);
            ch.initialNoise(x, r.nextLong());
            long[] rng = Rng.streams(r.nextLong(), n);
            for (int k = 0; k < ch.steps(); k++) {
                ch.prepare(x, k);
                ch.predictData(x, k, hat);
                assertTrue(Finite.all(hat.floats(), n * d), what + ": non-finite denoised prediction at step " + k);
                ch.advance(x, k, rng);
                assertTrue(Finite.all(x.floats(), n * d), what + ": non-finite state after step " + k);
            }
            Chain tail = ch.tail(1, 2, pr.deterministicSampler(), n);
            float[] far = x.floats();
            for (int i = 0; i < n * d; i++) far[i] = (float) ((2 * r.nextDouble() - 1) * 1e8);
            tail.solve(x, 0, tail.steps(), rng);
            assertTrue(Finite.all(x.floats(), n * d), what + ": non-finite lookahead from states of scale 1e8");
        }
    }

    @Test
    void mutatedRewardSpecsParseAsFiniteRewardsOrFailWithOneLine() {
        Map<String, int[]> counts = new TreeMap<>();
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < REWARDS; i++) {
            Fuzz.Case c = Fuzz.reward(i);
            String spec = c.text();
            String label = "reward " + c.family() + " case " + i + " " + Quote.of(spec);
            Outcome o = outcome(c, label, null, () -> Rewards.parse(spec), rw -> {
                assertFiniteReward(rw, r, label);
                if (c.twin() != null) assertSameReward(rw, Rewards.parse(c.twin()), r, label);
            });
            tally(counts, c.family(), o);
            if (o == Outcome.REJECTED) {
                String msg = captureMessage(spec);
                assertTrue(msg.startsWith("reward "), label + ": names the setting: " + msg);
                assertTrue(msg.length() <= 250, label + ": quotes too much: " + msg);
            }
        }
        checkCounts(counts, Fuzz.REWARD_FAMILIES, REWARDS);
    }

    static String captureMessage(String spec) {
        try {
            Rewards.parse(spec);
        } catch (InvalidSettingException e) {
            assertEquals("reward", e.setting());
            return e.getMessage();
        }
        throw new AssertionError("not rejected twice: " + spec);
    }

    /** Values are finite at every finite float point, gradients wherever |x| <= 1e30 (Rewards.MAX_COORDINATE). */
    static void assertFiniteReward(Reward rw, SplittableRandom r, String label) {
        int d = rw.dim(), n = 4;
        float[] x = new float[n * d], g = new float[n * d];
        double[] out = new double[n];
        for (double scale : new double[] {1, 1e30, Float.MAX_VALUE}) {
            for (int i = 0; i < x.length; i++) x[i] = (float) ((2 * r.nextDouble() - 1) * scale);
            if (scale == Float.MAX_VALUE) x[0] = Float.MAX_VALUE;
            rw.evaluate(x, n, out);
            for (double v : out) assertTrue(Double.isFinite(v), label + ": non-finite reward on points of scale " + scale);
            if (scale <= 1e30 && rw instanceof DifferentiableReward dr) {
                dr.valueAndGradient(x, n, out, g);
                for (float v : g) assertTrue(Float.isFinite(v), label + ": non-finite gradient on points of scale " + scale);
            }
        }
    }

    static void assertSameReward(Reward a, Reward b, SplittableRandom r, String label) {
        assertEquals(b.dim(), a.dim(), label);
        int d = a.dim(), n = 3;
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) (4 * r.nextDouble() - 2);
        double[] va = new double[n], vb = new double[n];
        a.evaluate(x, n, va);
        b.evaluate(x, n, vb);
        assertTrue(java.util.Arrays.equals(va, vb), label + ": differs from its plain twin");
    }

    static void checkCounts(Map<String, int[]> counts, java.util.List<String> families, int total) {
        StringBuilder b = new StringBuilder("fuzz (family: accepted/rejected):");
        counts.forEach((k, v) -> b.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1]));
        assertEquals(families.size(), counts.size(), "every family ran: " + b);
        int sum = 0;
        for (var e : counts.entrySet()) {
            int n = e.getValue()[0] + e.getValue()[1];
            assertTrue(n >= total / families.size(), e.getKey() + ": " + n + " cases; " + b);
            sum += n;
        }
        assertEquals(total, sum);
    }
}
