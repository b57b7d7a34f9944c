package fksteer.spark;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.io.AtomicFiles;
import fksteer.io.InvalidSettingException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Many steering jobs on Spark: the jobs are cut into partitions, each partition runs on an executor
 * through {@code mapPartitions} ({@link RunJobs}), and the results come back to the driver in the
 * jobs' order. A failed job is a result line with its error; a failed task is retried by Spark, and
 * since a job's result depends only on its flags and seed, a retry gives the same lines.
 *
 * <pre>{@code
 * try (SparkSession spark = SparkSession.builder().master("local[2]").getOrCreate()) {
 *     Batch.Summary s = Batch.run(spark, Job.read(Path.of("jobs.jsonl")), Batch.Options.defaults(), Path.of("out"), null);
 * }
 * }</pre>
 */
public final class Batch {
    private Batch() {}

    /**
     * How a batch runs.
     *
     * @param partitions how many parts the jobs are cut into (0: four per task slot, at most one job each)
     * @param threads    worker threads of each job (0: spark.task.cpus); a job's own "threads" wins
     * @param parquet    where the Parquet copy goes, a path or URI Spark writes to (null: none)
     */
    public record Options(int partitions, int threads, String parquet) {
        public Options {
            if (partitions < 0) throw new InvalidSettingException("partitions", "must be >= 0 (0 = automatic), got " + partitions);
            if (threads < 0 || threads > 256) throw new InvalidSettingException("threads", "must be in [1, 256] (0 = spark.task.cpus), got " + threads);
        }

        public static Options defaults() {
            return new Options(0, 0, null);
        }

        public Options withPartitions(int p) {
            return new Options(p, threads, parquet);
        }

        public Options withThreads(int t) {
            return new Options(partitions, t, parquet);
        }

        public Options withParquet(String uri) {
            return new Options(partitions, threads, uri);
        }
    }

    /**
     * Tests only: the task holding job afterJob fails right after running it, on each of its first
     * attempts, as a lost executor would (the results it computed are lost with it).
     */
    record Fault(String afterJob, int attempts) implements java.io.Serializable {}

    /** What a batch did: jobs run, failed jobs, partitions, bytes of model files shipped, and the seconds it took. */
    public record Summary(int jobs, int failed, int partitions, int bundles, long shippedBytes, double seconds) {}

    /** Progress: jobs done, of total. */
    @FunctionalInterface
    public interface Progress {
        void done(long done, long total);
    }

    /**
     * Runs the jobs and writes {@code out/results.jsonl} (one line per job, in the jobs' order),
     * atomically, and the Parquet copy where the options say. out must be a folder that can be written
     * (checked by the caller before anything runs).
     */
    public static Summary run(SparkSession spark, List<Job> jobs, Options options, Path out, Progress progress) throws IOException {
        return run(spark, jobs, bundles(jobs), options, null, out, progress);
    }

    /**
     * The model files the jobs name, read on the driver to be shipped: a card with its files, a mixture or
     * safetensors file, each onnx:FILE reward.
     *
     * @throws fksteer.io.InvalidSettingException naming jobs when they hold more than 1 GiB in all
     */
    static Map<String, ModelBundle> bundles(List<Job> jobs) throws IOException {
        Map<String, ModelBundle> bundles = new HashMap<>();
        for (Job j : jobs) {
            JsonNode n = j.node();
            JsonNode m = n.get("model"), r = n.get("reward");
            ModelBundle.add(bundles, m != null && m.isTextual() ? m.asText() : null, r != null && r.isTextual() ? r.asText() : null);
        }
        return bundles;
    }

    /**
     * {@link #run(SparkSession, List, Options, Path, Progress)} with the jobs' {@link #bundles}, read
     * already, and a fault to inject (null: none).
     */
    static Summary run(SparkSession spark, List<Job> jobs, Map<String, ModelBundle> bundles, Options options, Fault fault, Path out,
            Progress progress) throws IOException {
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkContext sc = spark.sparkContext();
        int parts = options.partitions() > 0 ? Math.min(options.partitions(), jobs.size())
                : Math.min(jobs.size(), Math.max(1, 4 * sc.defaultParallelism()));
        int threads = options.threads() > 0 ? options.threads() : Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));

        // model files: read once on the driver (bundles), shipped once to each executor
        long shipped = ModelBundle.bytes(bundles);     // at most ModelBundle.MAX_BYTES: add refuses more
        Broadcast<Map<String, ModelBundle>> shippedBundles = jsc.broadcast(bundles);

        // slice i of the jobs is partition i: one element per partition, so partition sizes are known here
        List<List<Job>> slices = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) slices.add(new ArrayList<>(jobs.subList((int) ((long) i * jobs.size() / parts), (int) ((long) (i + 1) * jobs.size() / parts))));
        JavaRDD<String> results = jsc.parallelize(slices, parts)
                .mapPartitions(new RunJobs(shippedBundles, threads, fault))
                .persist(StorageLevel.MEMORY_AND_DISK_SER());
        try {
            Listener listener = new Listener(slices, jobs.size(), progress);
            sc.addSparkListener(listener);
            long count;
            try {
                count = results.count();
            } finally {
                sc.removeSparkListener(listener);
            }
            if (count != jobs.size()) throw new IllegalStateException("the batch gave " + count + " result lines for " + jobs.size() + " jobs");
            if (progress != null) progress.done(jobs.size(), jobs.size());

            // the Parquet copy first (a local one to a temp folder), so that a failure there leaves no new results.jsonl
            Path staged = options.parquet() == null ? null : stageParquet(spark, results, options.parquet());
            // results.jsonl, in the jobs' order, streamed from the cached partitions
            int[] failed = {0};
            try {
                AtomicFiles.write(out.resolve("results.jsonl"), os -> {
                    Iterator<String> it = results.toLocalIterator();
                    int i = 0;
                    while (it.hasNext()) {
                        String line = it.next();
                        // each line starts with its id (RunJobs writes it first, then "error" for a failed job): checked
                        // without parsing lines that may be megabytes long
                        String id = RunJobs.idPrefix(jobs.get(i++).id());
                        if (!line.startsWith(id))
                            throw new IllegalStateException("result " + i + " is not for job " + jobs.get(i - 1).id() + ": " + fksteer.io.Quote.of(line, 0, 80));
                        if (line.startsWith(RunJobs.ERROR, id.length())) failed[0]++;
                        write(os, line);
                    }
                });
                if (staged != null) commitParquet(staged, Path.of(options.parquet()).toAbsolutePath());
                staged = null;
            } finally {
                if (staged != null) delete(staged);
            }
            return new Summary(jobs.size(), failed[0], parts, bundles.size(), shipped, (System.nanoTime() - t0) / 1e9);
        } finally {
            results.unpersist(false);
            shippedBundles.destroy();
        }
    }

    private static void write(OutputStream os, String line) throws IOException {
        os.write(line.getBytes(StandardCharsets.UTF_8));
        os.write('\n');
    }

    /** The columns of the Parquet copy: the summary of each result, and its whole line as JSON. */
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("ok", DataTypes.BooleanType, false)
            .add("exitCode", DataTypes.IntegerType, false)
            .add("error", DataTypes.StringType, true)
            .add("method", DataTypes.StringType, true)
            .add("nfe", DataTypes.LongType, true)
            .add("rewardCalls", DataTypes.LongType, true)
            .add("meanReward", DataTypes.DoubleType, true)
            .add("maxReward", DataTypes.DoubleType, true)
            .add("wallSeconds", DataTypes.DoubleType, true)
            .add("json", DataTypes.StringType, false);

    static Row row(String line) throws IOException {
        JsonNode n = Job.STRICT.readTree(line);
        boolean ok = !n.has("error");
        return RowFactory.create(n.get("id").asText(), ok, ok ? 0 : n.get("exitCode").asInt(), ok ? null : n.get("error").asText(),
                ok ? n.path("method").asText() : null, ok ? n.path("nfe").asLong() : null, ok ? n.path("rewardCalls").asLong() : null,
                ok ? n.path("meanReward").asDouble() : null, ok ? n.path("maxReward").asDouble() : null,
                ok ? n.path("wallSeconds").asDouble() : null, line);
    }

    /**
     * Writes the Parquet copy: a URI (hdfs://, s3a://, file:) directly, replacing what is there, and
     * returns null; a local path to a temp folder beside it, returned for {@link #commitParquet}.
     */
    private static Path stageParquet(SparkSession spark, JavaRDD<String> results, String target) throws IOException {
        Dataset<Row> df = spark.createDataFrame(results.map(Batch::row), SCHEMA);
        if (target.contains("://") || target.startsWith("file:")) {
            df.write().mode(SaveMode.Overwrite).parquet(target);
            return null;
        }
        Path dst = Path.of(target).toAbsolutePath();
        Path tmp = dst.resolveSibling("." + dst.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        delete(tmp);
        try {
            df.write().parquet(tmp.toUri().toString());
        } catch (RuntimeException e) {
            delete(tmp);
            throw e;
        }
        return tmp;
    }

    /** Moves a staged Parquet copy in place; an earlier copy is replaced only now, once the new one is whole. */
    private static void commitParquet(Path staged, Path dst) throws IOException {
        Path old = dst.resolveSibling("." + dst.getFileName() + ".old-" + ProcessHandle.current().pid());
        delete(old);
        if (Files.exists(dst, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.move(dst, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(staged, dst, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        delete(old);
    }

    /** Deletes a file or a folder with everything in it (links are deleted, not followed); nothing there is fine. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Counts the jobs of each partition whose task succeeded (once per partition, whatever the retries). */
    private static final class Listener extends SparkListener {
        private final int[] sizes;
        private final boolean[] finished;
        private final long total;
        private final Progress progress;
        private long done;

        Listener(List<List<Job>> slices, long total, Progress progress) {
            this.sizes = slices.stream().mapToInt(List::size).toArray();
            this.finished = new boolean[sizes.length];
            this.total = total;
            this.progress = progress;
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
            if (progress == null || e.reason() != Success$.MODULE$) return;
            int p = e.taskInfo().partitionId();
            if (p < 0 || p >= sizes.length || finished[p]) return;
            finished[p] = true;
            done += sizes[p];
            if (done < total) progress.done(done, total);
        }
    }

    /** Prints progress as "fksteer batch: 12/100 jobs done" lines, at most one a second but the first. */
    static Progress lines(PrintWriter err) {
        long[] last = {0};
        return (d, t) -> {
            long now = System.nanoTime();
            if (d < t && last[0] != 0 && now - last[0] < 1_000_000_000L) return;
            last[0] = now;
            err.println("fksteer batch: " + d + "/" + t + " jobs done");
            err.flush();
        };
    }
}
