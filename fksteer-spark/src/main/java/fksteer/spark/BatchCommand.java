package fksteer.spark;

import fksteer.cli.Outputs;
import fksteer.io.AtomicFiles;
import fksteer.io.InvalidSettingException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run many steering jobs on Apache Spark: one JSON object per line of --jobs, each a fksteer steer run by its flags "
                + "(\"model\", \"method\", \"reward\", \"particles\", \"seed\", ...) with an \"id\". Writes DIR/results.jsonl (one line per job, "
                + "in the jobs' order: {\"id\", then the fields fksteer steer writes} or {\"id\", \"error\", \"exitCode\"}) and DIR/results.parquet.",
                "Exit code: 0 when every job ran, 1 when some failed (their lines say why; the others are written), 2 for bad flags or a bad jobs file."},
        footer = {"", "Examples:",
                "  fksteer batch --jobs jobs.jsonl --out results --master local[2]",
                "  spark-submit --class fksteer.spark.BatchMain fksteer-spark.jar --jobs jobs.jsonl --out results --parquet hdfs:///fksteer/results.parquet"})
final class BatchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--jobs", required = true, description = "the jobs: a JSON-lines file, one object per line")
    Path jobs;

    @Option(names = "--out", required = true, description = "output folder (created if missing): results.jsonl and results.parquet")
    Path out;

    @Option(names = "--master", description = "Spark master: local[N], local[N,F] (F attempts per task), spark://HOST:PORT, yarn, ... "
            + "(default: spark-submit's, else local[*])")
    String master;

    @Option(names = "--partitions", description = "parts the jobs are cut into, 1 to 1000000 (default: 4 per task slot, at most one job each)")
    Integer partitions;

    @Option(names = "--threads", description = "worker threads of each job, 1 to 256 (default: spark.task.cpus); a job's \"threads\" wins; results do not depend on it")
    Integer threads;

    @Option(names = "--parquet", description = "where the Parquet copy goes: a path or a URI every executor can write (hdfs://, s3a://), or none "
            + "(default: DIR/results.parquet, on a local master only)")
    String parquet;

    @Option(names = "--quiet", description = "no progress lines (failures are still reported)")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (partitions != null && (partitions < 1 || partitions > 1_000_000))
            throw new IllegalArgumentException("--partitions must be in [1, 1000000], got " + partitions);
        if (threads != null && (threads < 1 || threads > 256)) throw new IllegalArgumentException("--threads must be in [1, 256], got " + threads);
        SparkConf conf = new SparkConf();            // spark-submit's settings, when it launched us
        String m = master != null ? master : conf.get("spark.master", "local[*]");
        checkMaster(m);
        boolean local = m.toLowerCase(Locale.ROOT).startsWith("local");
        if (parquet == null && !local)
            throw new IllegalArgumentException("--parquet is needed with the master " + m + ": a path or URI every executor can write "
                    + "(hdfs://..., s3a://..., a shared folder), or none");
        if (parquet != null && parquet.isBlank()) throw new IllegalArgumentException("--parquet must be a path, a URI or none, got ''");

        // the jobs, their model files and every path are checked before Spark starts or any job runs
        List<Job> list = Job.read(jobs);
        java.util.Map<String, ModelBundle> bundles = Batch.bundles(list);
        Outputs outputs = new Outputs();
        Path real = outputs.folder("out", out);          // created if new, and removed again if the batch writes nothing
        Path own = real.resolve("results.parquet");
        // where the Parquet copy goes (null: none)
        String target = parquet == null ? own.toString() : parquet.equalsIgnoreCase("none") ? null : parquet;
        Batch.Summary s;
        try {
            s = outputs.write(() -> {
                AtomicFiles.check("out", real.resolve("results.jsonl"));       // not a folder, FIFO or read-only file
                if (parquet != null && target != null && !target.contains("://") && !target.startsWith("file:")) {
                    Path p = Path.of(target).toAbsolutePath().normalize();
                    if (!real.equals(p.getParent())) AtomicFiles.checkFolder("parquet", p);      // directly in --out: checked with it
                }
                return run(conf, m, local, list, bundles, real, target, err);
            });
        } catch (SparkFailed e) {
            err.println(e.getMessage());
            err.flush();
            return 1;
        }
        // the folder's own Parquet copy, from an earlier run, would not match the new results.jsonl
        if ((target == null || !Path.of(target).toAbsolutePath().normalize().equals(own)) && Files.isDirectory(own, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Batch.delete(own);
            err.println("fksteer batch: removed " + own + ", an earlier run's, which no longer matches results.jsonl");
        }
        stdout.printf(Locale.ROOT, "batch: %d jobs (%d failed) in %d partitions, %.3f s, %.2f jobs/s; model files shipped: %d (%d bytes) -> %s%n",
                s.jobs(), s.failed(), s.partitions(), s.seconds(), s.jobs() / s.seconds(), s.bundles(), s.shippedBytes(), real.resolve("results.jsonl"));
        if (s.failed() > 0) {
            err.println("fksteer batch: " + s.failed() + " of " + s.jobs() + " jobs failed; their lines in results.jsonl hold the error");
            err.flush();
            return 1;
        }
        return 0;
    }

    /** Spark failed as a whole (not a job): its one line; nothing was written. */
    private static final class SparkFailed extends RuntimeException {
        SparkFailed(String line) {
            super(line);
        }
    }

    /** Starts Spark and runs the batch, writing into real (inside the command's Outputs batch). */
    private Batch.Summary run(SparkConf conf, String m, boolean local, List<Job> list, java.util.Map<String, ModelBundle> bundles, Path real,
            String parquetTarget, PrintWriter err) throws java.io.IOException {
        conf.setAppName("fksteer batch").setMaster(m);
        if (!local && !conf.contains("spark.jars")) {
            // started by ./fksteer rather than spark-submit: the executors need this jar (fksteer-spark.jar) too
            java.security.CodeSource src = BatchCommand.class.getProtectionDomain().getCodeSource();
            if (src != null && src.getLocation().getPath().endsWith(".jar")) conf.set("spark.jars", src.getLocation().toString());
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        if (local) conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        try (SparkSession spark = SparkSession.builder().config(conf).getOrCreate()) {
            spark.sparkContext().setLogLevel("WARN");
            if (!quiet) {
                err.println("fksteer batch: " + list.size() + " jobs on " + m);
                err.flush();
            }
            try {
                return Batch.run(spark, list, bundles, new Batch.Options(partitions == null ? 0 : partitions, threads == null ? 0 : threads, parquetTarget),
                        null, real, quiet ? null : Batch.lines(err));
            } catch (Exception e) {       // Spark's errors are checked exceptions thrown undeclared (Scala)
                if (!(e instanceof org.apache.spark.SparkException) && !spark.sparkContext().isStopped()) throw e;
                // the cluster went away, or a task failed more often than spark.task.maxFailures allows
                throw new SparkFailed(spark.sparkContext().isStopped()
                        ? "fksteer batch: Spark stopped before the jobs were done (its lines above say why: an unreachable master, a removed application); nothing was written"
                        : "fksteer batch: Spark failed, nothing was written: " + sparkReason(e));
            }
        }
    }

    /** The first line of the innermost Spark error's message ("Master removed our application: FAILED"). */
    static String sparkReason(Throwable e) {
        String why = String.valueOf(e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause())
            if (t instanceof org.apache.spark.SparkException && t.getMessage() != null) why = t.getMessage();
        return why.lines().findFirst().orElse("").strip();
    }

    /** A master Spark understands, checked here so a typo is one line, not a stack trace. */
    static void checkMaster(String m) {
        String l = m.toLowerCase(Locale.ROOT);
        if (l.matches("local(\\[(\\*|[1-9][0-9]{0,3})(,[1-9][0-9]{0,3})?\\])?") || l.matches("(spark|k8s|mesos)://\\S+") || l.equals("yarn")) return;
        throw new IllegalArgumentException("--master must be local, local[N], local[*], local[N,F], spark://HOST:PORT, k8s://... or yarn, got '" + m + "'");
    }
}
