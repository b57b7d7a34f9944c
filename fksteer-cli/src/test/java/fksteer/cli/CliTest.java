package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

public class CliTest {
    @TempDir
    Path dir;

    /** What a CLI run printed and returned; the other CLI tests use this one runner. */
    public record Run(int code, String out, String err) {}

    static final ObjectMapper JSON = new ObjectMapper();

    public static Run run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Run(code, o.toString(), e.toString());
    }

    Path mixture() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [0.5, 0.5], \"means\": [[-1, 0], [1, 1]], \"stds\": [0.4, 0.6]}");
        return p;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "sample --model checkerboard --sampler warp --steps 10 --particles 8 --out X|--sampler",
            "sample --model checkerboard --steps 0 --particles 8 --out X|--steps",
            "sample --model checkerboard --steps 10 --particles 8 --out X --bogus|--bogus",
            "sample --model checkerboard --steps ten --particles 8 --out X|--steps",
            "sample --model nope.safetensors --steps 10 --particles 8 --out X|--model",
            "sample --model checkerboard --stochasticity -1 --sampler sde --steps 10 --particles 8 --out X|--stochasticity",
            "sample --model checkerboard --steps 10 --particles 8 --out X --plot a.jpg|--plot",
            "steer --model checkerboard --method magic --reward point:0,0 --out X|--method",
            "steer --model checkerboard --method fk --reward point:0 --out X|--reward",
            "steer --model checkerboard --method fk --reward circle:1 --out X|--reward",
            "steer --model checkerboard --method fk --reward point:0,0 --potential huge --out X|--potential",
            "steer --model checkerboard --method fk --reward point:0,0 --resampler magic --out X|--resampler",
            "steer --model checkerboard --method fk --reward point:0,0 --ess-threshold 2 --out X|--ess-threshold",
            "steer --model checkerboard --method fk --reward point:0,0 --resample-count 3 --resample-every 2 --out X|--resample",
            "steer --model checkerboard --method fk --reward point:0,0 --lambda NaN --out X|--lambda",
            "steer --model checkerboard --method search-over-paths --reward point:0,0 --delta-b 0.05 --out X|--delta-b",
            "steer --model checkerboard --method best-of-n --reward point:0,0 --top-k 0 --out X|--top-k",
            "steer --model checkerboard --method fk --reward point:0,0 --guidance 1 --stochasticity 0 --out X|--guidance",
            "steer --model checkerboard --method fk --reward point:0,0 --guidance -1 --out X|--guidance",
            "steer --model checkerboard --method guidance --reward point:0,0 --out X|--guidance",
            "steer --model checkerboard --method fk --reward point:0,0 --intermediate many:0 --out X|--intermediate",
            "steer --model checkerboard --method fk --reward point:0,0 --intermediate psychic --out X|--intermediate",
            "steer --model checkerboard --method fk --reward point:0,0 --tempering adaptive:1.5 --out X|--tempering adaptive:T needs a CESS target T in (0, 1)",
            "steer --model checkerboard --method fk --reward point:0,0 --tempering foo --out X|--tempering must be none, linear, adaptive",
            "steer --model checkerboard --method best-of-n --reward point:0,0 --tempering adaptive --out X|--tempering applies only to --method fk",
            "train --dataset mandelbrot --out X.safetensors|--dataset",
            "train --dataset moons --lr -1 --out X.safetensors|--lr",
            "frobnicate|frobnicate"})
    void badInputIsOneLineWithExitCodeTwo(String args, String flag) {
        Run r = run(args.replace("X", dir.resolve("o.json").toString()).split(" "));
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(flag), "names " + flag + ": " + err);
        assertFalse(err.contains("Exception"), err);
    }

    /**
     * A mixture file of another process runs with that process's samplers: ddim (with --eta), ddpm, a
     * class condition and classifier-free guidance (2 NFE per point and step); a sampler, --eta or
     * --condition that does not fit is one line and exit 2.
     */
    @Test
    void aVpMixtureRunsWithItsSamplersAndConditions() throws Exception {
        Path p = dir.resolve("vp.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [0.5, 0.5], \"means\": [[-2, 0], [2, 1]], \"stds\": [0.4, 0.6], "
                + "\"process\": {\"kind\": \"vp\", \"schedule\": \"cosine\"}, \"prediction\": \"epsilon\", \"classes\": [0, 1]}");
        Path o = dir.resolve("o.json");
        String m = p.toString();
        Run r = run("sample", "--model", m, "--sampler", "ddpm", "--condition", "1", "--steps", "50", "--particles", "400", "--quiet", "--out", o.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(o.toFile());
        assertEquals(400L * 50, j.get("nfe").asLong());
        assertEquals("vp", j.get("config").get("process").asText());
        assertEquals("ddpm", j.get("config").get("sampler").asText());
        double mean = 0;
        for (JsonNode row : j.get("samples")) mean += row.get(0).asDouble() / 400;
        assertEquals(2.0, mean, 4.5 * 0.6 / Math.sqrt(400), "class 1's mean");    // the exact conditional: one component, std 0.6
        r = run("sample", "--model", m, "--sampler", "ddim", "--eta", "1", "--condition", "0", "--cfg", "2", "--steps", "50", "--particles", "400",
                "--quiet", "--out", o.toString());
        assertEquals(0, r.code(), r.err());
        j = JSON.readTree(o.toFile());
        assertEquals(2L * 400 * 50, j.get("nfe").asLong(), "both halves of the guidance batch count");
        assertEquals(1.0, j.get("config").get("eta").asDouble());
        assertEquals(2.0, j.get("config").get("cfg").asDouble());
        r = run("steer", "--model", m, "--method", "fk", "--reward", "linear:1,0.5", "--particles", "64", "--steps", "50", "--quiet", "--out", o.toString());
        assertEquals(0, r.code(), r.err());
        j = JSON.readTree(o.toFile());
        assertEquals("ddim", j.get("config").get("sampler").asText());
        assertEquals(1.0, j.get("config").get("eta").asDouble(), "fk defaults to the paper's DDIM eta = 1");
        for (String[] bad : new String[][] {{"--sampler", "sde"}, {"--sampler", "ddpm", "--eta", "0.5"}, {"--sampler", "ddim", "--eta", "2"},
                {"--condition", "7"}, {"--condition", "99999999999"}, {"--cfg", "2"}, {"--stochasticity", "0.5"}}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("sample", "--model", m, "--steps", "4", "--particles", "8",
                    "--out", o.toString()));
            args.addAll(java.util.List.of(bad));
            r = run(args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            String err = r.err().strip();
            assertFalse(err.contains("\n") || err.contains("Exception"), err);
            assertTrue(err.contains(bad[bad.length - 2]), bad[bad.length - 2] + " named: " + err);
        }
        r = run("sample", "--model", m, "--condition", "99999999999", "--steps", "4", "--particles", "8", "--out", o.toString());
        assertTrue(r.err().contains("class label must be an integer"), "an integer too large is a label out of range, not a vector: " + r.err());
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1], \"means\": [[0]], \"stds\": [1], \"prediction\": \"v\"}");
        r = run("sample", "--model", p.toString(), "--steps", "4", "--particles", "8", "--out", o.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("field \"prediction\" is v, but a flow process needs velocity"), r.err());
    }

    @Test
    void sampleWritesJsonAndPlots() throws Exception {
        Path out = dir.resolve("s.json"), plot = dir.resolve("s.png"), traj = dir.resolve("t.png");
        Run r = run("sample", "--model", mixture().toString(), "--sampler", "heun", "--steps", "16", "--particles", "50", "--seed", "3",
                "--out", out.toString(), "--plot", plot.toString(), "--trajectory-plot", traj.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        assertEquals(50, j.get("samples").size());
        assertEquals(2, j.get("samples").get(0).size());
        assertEquals(50L * 16 * 2, j.get("nfe").asLong());
        assertTrue(j.get("wallSeconds").asDouble() >= 0);
        assertEquals("heun", j.get("config").get("sampler").asText());
        assertEquals(3, j.get("config").get("seed").asLong());
        assertTrue(Files.size(plot) > 1000 && Files.size(traj) > 1000);
        // the same seed gives the same output
        Path out2 = dir.resolve("s2.json");
        run("sample", "--model", mixture().toString(), "--sampler", "heun", "--steps", "16", "--particles", "50", "--seed", "3", "--threads", "1",
                "--out", out2.toString());
        assertEquals(j.get("samples"), new ObjectMapper().readTree(out2.toFile()).get("samples"));
    }

    @Test
    void steerWritesTheContractFields() throws Exception {
        Path out = dir.resolve("fk.json");
        Run r = run("steer", "--model", mixture().toString(), "--method", "fk", "--reward", "linear:1,0.5", "--lambda", "1", "--particles", "64",
                "--steps", "20", "--seed", "1", "--out", out.toString(), "--plot", dir.resolve("fk.png").toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(out.toFile());
        for (String f : new String[] {"samples", "logWeights", "rewards", "nfe", "rewardCalls", "logZ", "ess", "resampleSteps", "uniqueAncestors", "config"})
            assertTrue(j.has(f), "missing " + f);
        assertEquals(64, j.get("logWeights").size());
        assertEquals(20 + 1, j.get("ess").size());
        for (String m : new String[] {"best-of-n", "zeroth-order", "search-over-paths"}) {
            Path o = dir.resolve(m + ".json");
            Run rr = run("steer", "--model", mixture().toString(), "--method", m, "--reward", "point:1,1", "--particles", "16", "--steps", "10",
                    "--out", o.toString(), "--plot", dir.resolve(m + ".png").toString());
            assertEquals(0, rr.code(), m + ": " + rr.err());
            JsonNode jj = new ObjectMapper().readTree(o.toFile());
            assertTrue(jj.get("nfe").asLong() > 0 && jj.get("rewardCalls").asLong() > 0);
        }
    }

    /**
     * --tempering adaptive runs, records its CESS target and reports the tilt of each scored step, rising
     * to at most lambda; the incremental potentials run and are recorded by their CLI names.
     */
    @Test
    void fkTakesTemperingAndTheIncrementalPotentials() throws Exception {
        Path out = dir.resolve("t.json");
        Run r = run("steer", "--model", mixture().toString(), "--method", "fk", "--reward", "point:1,1", "--lambda", "2", "--tempering", "adaptive",
                "--particles", "64", "--steps", "20", "--seed", "1", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(out.toFile());
        assertEquals("adaptive:0.5", j.get("config").get("tempering").asText());
        JsonNode lambdas = j.get("lambdas");
        assertTrue(lambdas != null && lambdas.isArray() && lambdas.size() > 0, "lambdas: " + lambdas);
        double prev = 0;
        for (JsonNode l : lambdas) {
            assertTrue(l.asDouble() >= prev - 1e-12, "the tilt never falls: " + lambdas);
            prev = l.asDouble();
        }
        assertTrue(prev <= 2 + 1e-12, "the last tilt is at most lambda: " + lambdas);

        for (String pot : new String[] {"max-increment", "sum-increment"}) {
            r = run("steer", "--model", mixture().toString(), "--method", "fk", "--reward", "point:1,1", "--potential", pot,
                    "--particles", "64", "--steps", "20", "--quiet", "--out", out.toString());
            assertEquals(0, r.code(), pot + ": " + r.err());
            j = JSON.readTree(out.toFile());
            assertEquals(pot, j.get("config").get("potential").asText());
            assertEquals("none", j.get("config").get("tempering").asText(), "the default tempering");
        }
    }

    /**
     * The CLI's defaults are the library's: fk's schedule starts at 0.6 and its flow sde has stochasticity
     * FkSteering.DEFAULT_STOCHASTICITY = 1; every other sde (sample, guidance) keeps 0.1, and a given
     * --stochasticity is used as given.
     */
    @Test
    void theConfigRecordsTheDefaultsUsed() throws Exception {
        Path out = dir.resolve("d.json");
        Run r = run("steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:1,1", "--particles", "16", "--steps", "20", "--quiet",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode c = JSON.readTree(out.toFile()).get("config");
        assertEquals(fksteer.steer.FkSteering.DEFAULT_STOCHASTICITY, c.get("stochasticity").asDouble());
        assertEquals(1.0, c.get("stochasticity").asDouble());
        assertEquals(0.6, c.get("resampleStart").asDouble());
        assertEquals(fksteer.resample.ResampleSchedule.defaults().start(), c.get("resampleStart").asDouble());
        assertEquals(fksteer.resample.ResampleSchedule.defaults().end(), c.get("resampleEnd").asDouble());
        assertEquals(fksteer.resample.ResampleSchedule.defaults().essThreshold(), c.get("essThreshold").asDouble());
        assertEquals("none", c.get("tempering").asText());

        r = run("steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:1,1", "--stochasticity", "0.3", "--particles", "16",
                "--steps", "20", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0.3, JSON.readTree(out.toFile()).get("config").get("stochasticity").asDouble(), "a given --stochasticity is kept");

        r = run("steer", "--model", "checkerboard", "--method", "guidance", "--reward", "point:1,1", "--guidance", "1", "--particles", "16",
                "--steps", "20", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0.1, JSON.readTree(out.toFile()).get("config").get("stochasticity").asDouble(), "guidance keeps 0.1");

        r = run("sample", "--model", "checkerboard", "--sampler", "sde", "--particles", "16", "--steps", "20", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0.1, JSON.readTree(out.toFile()).get("config").get("stochasticity").asDouble(), "sample keeps 0.1");
    }

    @Test
    void helpEndsWithExamples() {
        for (String c : new String[] {"train", "sample", "steer"}) {
            Run r = run(c, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("Examples:"), c);
        }
    }

    @Test
    void trainWritesALoadableModel() throws Exception {
        Path m = dir.resolve("m.safetensors");
        Run r = run("train", "--dataset", "8gaussians", "--steps", "20", "--batch", "256", "--hidden", "16", "--layers", "2", "--out", m.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        Run s = run("sample", "--model", m.toString(), "--steps", "4", "--particles", "8", "--out", dir.resolve("x.json").toString());
        assertEquals(0, s.code(), s.err());
    }
}
