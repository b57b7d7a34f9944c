package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job object is steer's flags by name; its result is what steer writes, its failure the line steer prints. */
class SteerJobTest {
    static final ObjectMapper M = new ObjectMapper();

    static JsonNode job(String json) throws Exception {
        return M.readTree(json);
    }

    @Test
    void batchInTheCliJarSaysWhereItLives() {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"batch", "--jobs", "j.jsonl"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true)));
        assertTrue(err.toString().startsWith("fksteer batch: runs on Spark from the fksteer-spark module, not this jar: use ./fksteer batch"), err.toString());
        assertEquals(1, err.toString().strip().lines().count());
    }

    @Test
    void fieldsBecomeFlags() throws Exception {
        assertEquals(List.of("--model", "checkerboard", "--weighted", "--pivot", "0.5,-1", "--particles", "8", "--lambda", "0.001", "--reward", "point:0,0"),
                SteerJob.args(job("{\"id\": \"x\", \"model\": \"checkerboard\", \"weighted\": true, \"quiet\": false, \"pivot\": [0.5, -1], "
                        + "\"particles\": 8, \"lambda\": 1e-3, \"reward\": \"point:0,0\"}")));
    }

    @Test
    void whatNoFlagTakesIsOneLineNamingTheField() throws Exception {
        String[][] cases = {
                {"{\"--particles\": 8}", "field '--particles': job fields are steer's flags without the dashes"},
                {"{\"particlez\": 8}", "field 'particlez' is not a flag of fksteer steer"},
                {"{\"Particles\": 8}", "field 'Particles' is not a flag of fksteer steer"},
                {"{\"help\": true}", "field 'help' is not a flag of fksteer steer"},
                {"{\"out\": \"x.json\"}", "field 'out': a job writes no files of its own"},
                {"{\"plot\": \"x.png\"}", "field 'plot': a job writes no files of its own"},
                {"{\"particles\": null}", "field 'particles' is null"},
                {"{\"particles\": {}}", "field 'particles' must be a string, number, got an object"},
                {"{\"particles\": [1, 2]}", "field 'particles' takes one value, got an array"},
                {"{\"weighted\": \"yes\"}", "field 'weighted' is a switch: true or false"},
                {"{\"pivot\": [[1], 2]}", "field 'pivot' must be an array of numbers or strings"}};
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SteerJob.args(job(c[0])), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]), c[0] + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
        }
        assertThrows(IllegalArgumentException.class, () -> SteerJob.args(job("[1, 2]")));
    }

    @Test
    void aJobIsSteerInProcess(@TempDir Path dir) throws Exception {
        String json = "{\"id\": \"a\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particles\": 37, \"steps\": 20, \"seed\": 4}";
        SteerJob.Outcome o;
        try (ModelSessions s = new ModelSessions()) {
            o = SteerJob.run(job(json), s, 3, 0);
        }
        assertTrue(o.ok(), String.valueOf(o.error()));
        List<String> args = new ArrayList<>(List.of("steer"));
        args.addAll(SteerJob.args(job(json)));
        Path out = dir.resolve("a.json");
        args.addAll(List.of("--threads", "3", "--out", out.toString(), "--quiet"));
        assertEquals(0, Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
        JsonNode alone = M.readTree(out.toFile());
        JsonNode job = M.readTree(fksteer.io.Json.line(o.result()));
        ((com.fasterxml.jackson.databind.node.ObjectNode) alone).remove("wallSeconds");
        ((com.fasterxml.jackson.databind.node.ObjectNode) job).remove("wallSeconds");
        assertEquals(alone, job);
        assertEquals(3, job.get("config").get("threads").asInt());
    }

    @Test
    void aBadJobIsTheLineAndExitCodeSteerGives() throws Exception {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:0,0", "--particles", "0", "--out", "x.json"},
                new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        SteerJob.Outcome o = SteerJob.run(job("{\"id\": \"b\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particles\": 0}"),
                new ModelSessions(), 1, 0);
        assertFalse(o.ok());
        assertEquals(err.toString().strip(), o.error());
        assertEquals(code, o.exitCode());
        assertEquals(2, o.exitCode());
        StringWriter err2 = new StringWriter();
        int code2 = Main.run(new String[] {"steer", "--model", "checkerboard", "--method", "fk", "--reward", "point:0,0", "--modle", "x", "--out", "x.json"},
                new PrintWriter(new StringWriter()), new PrintWriter(err2, true));
        SteerJob.Outcome unknown = SteerJob.run(List.of("--model", "checkerboard", "--method", "fk", "--reward", "point:0,0", "--modle", "x"), new ModelSessions(), 1, 0);
        assertEquals(code2, unknown.exitCode());
        assertEquals(err2.toString().strip(), unknown.error());
        assertTrue(unknown.error().startsWith("fksteer steer: "), unknown.error());
        Map<String, Object> none = SteerJob.run(job("{\"id\": \"c\", \"threads\": 0, \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\"}"),
                new ModelSessions(), 1, 0).result();
        assertEquals(null, none, "threads 0 is refused");
    }
}
