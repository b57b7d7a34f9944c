package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fksteer.model.DifferentiableField;
import fksteer.model.VelocityField;
import fksteer.reward.DifferentiableReward;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers under hostile input (issue 9's fuzz suite): every mutated safetensors file, mixture file
 * and reward spec from {@link Fuzz} must end, within 10 s, either as a model or reward that is finite
 * where it promises to be, or as one BadInputException (InvalidSettingException for rewards) with a
 * one-line message; never another exception. Cases whose fate is certain (a truncated file, a
 * duplicate name, a spec with a space inside a number; a valid input) must meet it.
 */
class InputFuzzTest {
    static final int SAFETENSORS = 1100, MIXTURES = 330, REWARDS = 330;

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
            // a mixture promises finite velocities for states far beyond its means (Models.MAX_MEAN)
            tally(counts, c.family(), outcome(c, label, p.getFileName().toString(), () -> Models.load(p.toString()), f -> {
                assertFinite(f, r, 1, label);
                assertFinite(f, r, 1e8, label);
            }));
            Files.delete(p);
        }
        checkCounts(counts, Fuzz.MIXTURE_FAMILIES, MIXTURES);
        assertTrue(counts.get("extremes")[0] > 0 && counts.get("extremes")[1] > 0, "extremes: some accepted, some refused");
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
