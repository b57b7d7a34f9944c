package fksteer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fksteer.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fksteer batch in local mode (local[2], three attempts per task): every job id once, each result what
 * fksteer steer gives for that job alone whatever the partitioning, a failed task retried with nothing
 * lost or duplicated, each model shipped and opened once.
 */
class BatchTest {
    /** Jobs of every kind: built-in flow, mixture file, ONNX image model with an ONNX reward, text model, and bad ones. */
    static final List<String> JOBS = List.of(
            "{\"id\": \"fk-1\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particles\": 64, \"steps\": 40, \"seed\": 1, \"lambda\": 2}",
            "{\"id\": \"fk-2\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"quadratic:2,0.5\", \"particles\": 37, \"steps\": 30, \"seed\": 2, \"lambda\": 1.5, \"resample-count\": 3, \"potential\": \"max\"}",
            "{\"id\": \"bon-3\", \"model\": \"checkerboard\", \"method\": \"best-of-n\", \"reward\": \"point:1,1\", \"particles\": 33, \"steps\": 25, \"seed\": 3, \"weighted\": true, \"lambda\": 0.5}",
            "{\"id\": \"zo-4\", \"model\": \"checkerboard\", \"method\": \"zeroth-order\", \"reward\": \"point:-2,-2\", \"particles\": 16, \"steps\": 20, \"seed\": 4, \"cycles\": 2, \"pivot\": [0.5, -1]}",
            "{\"id\": \"sop-5\", \"model\": \"checkerboard\", \"method\": \"search-over-paths\", \"reward\": \"point:0,0\", \"particles\": 8, \"steps\": 20, \"seed\": 5, \"expansions\": 3}",
            "{\"id\": \"bad-flag\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particlez\": 8}",
            "{\"id\": \"bad-value\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particles\": -3}",
            "{\"id\": \"bad-model\", \"model\": \"no-such-model.safetensors\", \"method\": \"fk\", \"reward\": \"point:0,0\"}",
            "{\"id\": \"mnist-9\", \"model\": \"../models/mnist/conditional.json\", \"method\": \"fk\", \"reward\": \"onnx:../models/mnist/classifier.onnx:class=3\", "
                    + "\"condition\": 3, \"particles\": 4, \"steps\": 8, \"seed\": 9}",
            "{\"id\": \"text-10\", \"model\": \"../models/text/fortunes.json\", \"method\": \"fk\", \"reward\": \"sentiment\", \"particles\": 4, \"steps\": 12, \"seed\": 10, \"prompt\": \"Love is\"}",
            "{\"id\": \"text-11\", \"model\": \"../models/text/fortunes.json\", \"method\": \"best-of-n\", \"reward\": \"perplexity\", \"particles\": 3, \"steps\": 10, \"seed\": 11}",
            "{\"id\": \"fk-12\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"line:horizontal,1\", \"particles\": 50, \"steps\": 35, \"seed\": 12, \"intermediate\": \"many:3\", \"threads\": 2}");

    static SparkSession spark;
    static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,3]").appName("BatchTest").config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (e.reason() instanceof ExceptionFailure) FAILED_TASKS.incrementAndGet();
            }
        });
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    static List<Job> jobs(Path dir) throws Exception {
        Path f = dir.resolve("jobs.jsonl");
        Files.writeString(f, String.join("\n", JOBS) + "\n");
        return Job.read(f);
    }

    /** The result lines of a batch, each parsed, by position. */
    static List<JsonNode> lines(Path out) throws Exception {
        List<JsonNode> l = new ArrayList<>();
        for (String s : Files.readAllLines(out.resolve("results.jsonl"), StandardCharsets.UTF_8)) l.add(Job.STRICT.readTree(s));
        return l;
    }

    /** A result without what is timing, not output. */
    static JsonNode untimed(JsonNode n) {
        ObjectNode c = n.deepCopy();
        c.remove("wallSeconds");
        return c;
    }

    /** What fksteer steer gives for one job alone: its JSON (plus "id"), or {"id", "error", "exitCode"}. */
    static JsonNode steerAlone(String jobLine, Path dir) throws Exception {
        JsonNode job = Job.STRICT.readTree(jobLine);
        List<String> args = new ArrayList<>(List.of("steer"));
        Path out = dir.resolve(job.get("id").asText() + ".json");
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", job.get("id").asText());
        List<String> flags;
        try {
            flags = fksteer.cli.SteerJob.args(job);
        } catch (IllegalArgumentException e) {
            return null;       // no steer command line exists for it
        }
        args.addAll(flags);
        if (!job.has("threads")) args.addAll(List.of("--threads", "1"));    // the batch's default: spark.task.cpus = 1
        if (job.get("model").asText().startsWith("../models/"))              // ONNX models: the executor's cores
            args.addAll(List.of("--onnx-threads", String.valueOf(RunJobs.onnxThreads())));
        args.addAll(List.of("--out", out.toString(), "--quiet"));
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        ObjectNode r = Job.STRICT.createObjectNode();
        r.put("id", job.get("id").asText());
        if (code != 0) {
            r.put("error", err.toString().strip());
            r.put("exitCode", code);
            return r;
        }
        r.setAll((ObjectNode) Job.STRICT.readTree(out.toFile()));
        return r;
    }

    @Test
    void everyIdOnceAndEachResultIsSteersForThatJobAloneWhateverThePartitioning(@TempDir Path dir) throws Exception {
        List<Job> jobs = jobs(dir);
        Map<String, JsonNode> alone = new HashMap<>();
        for (String j : JOBS) {
            JsonNode a = steerAlone(j, dir);
            if (a != null) alone.put(a.get("id").asText(), untimed(a));
        }
        assertEquals(JOBS.size() - 1, alone.size(), "every job but the misspelt flag has a steer command line");
        List<JsonNode> first = null;
        for (int parts : new int[] {1, 3, JOBS.size()}) {
            Path out = Files.createDirectory(dir.resolve("out-" + parts));
            Batch.Summary s = Batch.run(spark, jobs, Batch.Options.defaults().withPartitions(parts).withParquet(out.resolve("results.parquet").toString()), out, null);
            assertEquals(parts, s.partitions());
            List<JsonNode> got = lines(out);
            assertEquals(JOBS.size(), got.size(), "one line per job");
            for (int i = 0; i < JOBS.size(); i++) {
                String id = jobs.get(i).id();
                assertEquals(id, got.get(i).get("id").asText(), "line " + (i + 1) + " is job " + id + " (the jobs' order)");
                JsonNode expected = alone.get(id);
                if (expected != null) assertEquals(expected, untimed(got.get(i)), "job " + id + " at " + parts + " partitions equals steer alone");
            }
            assertEquals(3, s.failed(), "the misspelt flag, the bad value and the missing model file: " + got);
            JsonNode misspelt = got.get(5);
            assertEquals(2, misspelt.get("exitCode").asInt());
            assertTrue(misspelt.get("error").asText().contains("field 'particlez' is not a flag of fksteer steer"), misspelt.toString());
            assertEquals(3, s.bundles(), "two cards and a classifier; no bundle for a file that does not exist");
            if (first == null) first = got;
            else for (int i = 0; i < got.size(); i++) assertEquals(untimed(first.get(i)), untimed(got.get(i)), "line " + (i + 1) + " whatever the partitioning");
        }
        assertEquals(2, RunJobs.SESSIONS.loads(), "each of the two cards opened once in this JVM, however many jobs and batches");
    }

    @Test
    void aFailedTaskIsRetriedWithNothingLostOrDuplicated(@TempDir Path dir) throws Exception {
        List<Job> jobs = jobs(dir);
        Path clean = Files.createDirectory(dir.resolve("clean")), retried = Files.createDirectory(dir.resolve("retried"));
        Batch.run(spark, jobs, Batch.Options.defaults().withPartitions(4), clean, null);
        int failedBefore = FAILED_TASKS.get();
        List<long[]> progress = new ArrayList<>();
        Batch.run(spark, jobs, Batch.bundles(jobs), Batch.Options.defaults().withPartitions(4), new Batch.Fault("text-10", 1), retried,
                (d, t) -> progress.add(new long[] {d, t}));
        spark.sparkContext().listenerBus().waitUntilEmpty(60_000);     // listener events arrive asynchronously
        assertTrue(FAILED_TASKS.get() > failedBefore, "the injected failure failed a task, which Spark retried");
        List<JsonNode> a = lines(clean), b = lines(retried);
        assertEquals(JOBS.size(), b.size(), "nothing lost, nothing duplicated");
        for (int i = 0; i < a.size(); i++) assertEquals(untimed(a.get(i)), untimed(b.get(i)), "line " + (i + 1));
        assertEquals(List.of((long) JOBS.size(), (long) JOBS.size()), List.of(progress.getLast()[0], progress.getLast()[1]), "progress ends at all jobs done");
        for (int i = 1; i < progress.size(); i++) assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress never goes back");
    }

    /** A task that fails on every attempt (local[2,3]: three) fails the batch, and nothing is written. */
    @Test
    void aTaskThatNeverSucceedsFailsTheBatchAndWritesNothing(@TempDir Path dir) throws Exception {
        List<Job> jobs = jobs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Batch.run(spark, jobs, Batch.bundles(jobs),
                Batch.Options.defaults().withPartitions(3).withParquet(out.resolve("results.parquet").toString()), new Batch.Fault("fk-2", 3), out, null));
        assertTrue(e instanceof org.apache.spark.SparkException, e.toString());
        assertTrue(BatchCommand.sparkReason(e).contains("injected task failure after job fk-2 (attempt 2"), BatchCommand.sparkReason(e));
        try (var s = Files.list(out)) {
            assertEquals(List.of(), s.toList(), "no results.jsonl, no Parquet copy, no temp files");
        }
        Path again = Files.createDirectory(dir.resolve("again"));
        Batch.run(spark, jobs, Batch.Options.defaults().withPartitions(3), again, null);
        assertEquals(JOBS.size(), lines(again).size(), "the session still runs batches after a failed one");
    }

    @Test
    void theParquetCopyHoldsEveryResultLine(@TempDir Path dir) throws Exception {
        List<Job> jobs = jobs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        String pq = out.resolve("results.parquet").toString();
        Batch.run(spark, jobs, Batch.Options.defaults().withParquet(pq), out, null);
        List<Row> rows = spark.read().parquet(pq).collectAsList();
        List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(lines.size(), rows.size());
        Map<String, Row> byId = new HashMap<>();
        for (Row r : rows) assertEquals(null, byId.put(r.getAs("id"), r), "one row per id");
        for (String l : lines) {
            JsonNode n = Job.STRICT.readTree(l);
            Row r = byId.get(n.get("id").asText());
            assertEquals(l, r.getAs("json"));
            assertEquals(!n.has("error"), r.<Boolean>getAs("ok"));
            if (n.has("nfe")) assertEquals(n.get("nfe").asLong(), r.<Long>getAs("nfe"));
        }
        // a second batch replaces the copy whole
        Batch.run(spark, jobs.subList(0, 2), Batch.Options.defaults().withParquet(pq), out, null);
        assertEquals(2, spark.read().parquet(pq).count());
        assertEquals(2, Files.readAllLines(out.resolve("results.jsonl")).size());
        try (var s = Files.list(out)) {
            assertEquals(List.of("results.jsonl", "results.parquet"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp files left");
        }
    }

    /**
     * A card whose files share no folder but "/" (its network beside it, its reference texts in the
     * project), with a network that is not ONNX: the job's error names the files as steer's does.
     */
    @Test
    void aCorruptCardWhoseFilesShareOnlyTheRootFailsAsSteerDoes(@TempDir Path dir) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode card = (ObjectNode) Job.STRICT.readTree(Path.of("../models/text/fortunes.json").toFile());
        card.put("referenceTexts", Path.of("../data/text/heldout-ngram.txt").toRealPath().toString());
        Path cardFile = dir.resolve("broken.json");
        Job.STRICT.writeValue(cardFile.toFile(), card);
        Files.write(dir.resolve(card.get("file").asText()), new byte[] {1, 2, 3, 4});
        String job = "{\"id\": \"broken\", \"model\": \"" + cardFile + "\", \"method\": \"fk\", \"reward\": \"sentiment\", \"particles\": 4, \"steps\": 8}";
        Path jobs = Files.writeString(dir.resolve("jobs.jsonl"), job + "\n");
        Path out = Files.createDirectory(dir.resolve("out"));
        Batch.Summary s = Batch.run(spark, Job.read(jobs), Batch.Options.defaults(), out, null);
        assertEquals(1, s.bundles(), "the card, its network and its reference texts, in one bundle");
        JsonNode expected = steerAlone(job, dir), got = lines(out).get(0);
        assertTrue(expected.get("error").asText().contains("ONNX Runtime cannot load it"), expected.toString());
        assertEquals(expected, got);
    }

    /** The same job at awkward sizes, on 1 and on 2 threads, cold and after warm-up jobs: the same output. */
    @Test
    void theSameSeedGivesTheSameResultOnAnyThreadsColdOrWarm(@TempDir Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        String job = "{\"id\": \"%s\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"quadratic:2,0.5\", \"lambda\": 2, "
                + "\"steps\": 37, \"seed\": 5, \"particles\": %d, \"threads\": %d}";
        for (int p : new int[] {1023, 257}) lines.add(String.format(job, "cold-" + p, p, 1));
        for (int k = 0; k < 6; k++) lines.add(String.format(job, "warm-up-" + k, 512, 2).replace("\"seed\": 5", "\"seed\": " + (100 + k)));
        for (int p : new int[] {1023, 257}) lines.add(String.format(job, "warm-" + p, p, 2));
        Path jobs = Files.writeString(dir.resolve("jobs.jsonl"), String.join("\n", lines) + "\n");
        Path out = Files.createDirectory(dir.resolve("out"));
        Batch.run(spark, Job.read(jobs), Batch.Options.defaults().withPartitions(2), out, null);
        Map<String, JsonNode> got = new HashMap<>();
        for (JsonNode n : lines(out)) got.put(n.get("id").asText(), n);
        for (int p : new int[] {1023, 257}) {
            ObjectNode cold = (ObjectNode) untimed(got.get("cold-" + p)), warm = (ObjectNode) untimed(got.get("warm-" + p));
            assertEquals(1, cold.get("config").get("threads").asInt());
            assertEquals(2, warm.get("config").get("threads").asInt());
            for (ObjectNode n : List.of(cold, warm)) {
                n.remove("id");
                ((ObjectNode) n.get("config")).remove("threads");
            }
            assertEquals(cold, warm, p + " particles");
        }
    }

    @Test
    void onlyWhatSteerReadsAsAFileIsShipped(@TempDir Path dir) throws Exception {
        Path cb = Files.writeString(Path.of("checkerboard"), "not a model");     // beside the jobs, where steer would look
        try {
            List<Job> jobs = jobs(dir);
            assertEquals(3, Batch.bundles(jobs).size(), "a file named checkerboard is not the built-in model: " + Batch.bundles(jobs).keySet());
        } finally {
            Files.delete(cb);
        }
    }

    @Test
    void modelFilesAreShippedOncePerJvm(@TempDir Path dir) throws Exception {
        List<Job> jobs = jobs(dir);
        Path out = Files.createDirectory(dir.resolve("out"));
        Batch.run(spark, jobs, Batch.Options.defaults().withPartitions(JOBS.size()), out, null);
        int writes = ModelBundle.writes();
        Batch.run(spark, jobs, Batch.Options.defaults().withPartitions(5), out, null);
        assertEquals(writes, ModelBundle.writes(), "a second batch of the same model files writes none");
        assertTrue(writes <= 3, "each of the three bundles written at most once in this JVM: " + writes);
        assertFalse(lines(out).get(9).has("error"), "the text job ran from its shipped copy");
        assertEquals("../models/text/fortunes.json", lines(out).get(9).get("config").get("model").asText(), "config names the model as the job did");
    }
}
