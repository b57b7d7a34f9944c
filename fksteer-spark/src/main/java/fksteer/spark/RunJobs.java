package fksteer.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fksteer.cli.ModelSessions;
import fksteer.cli.SteerJob;
import fksteer.io.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * What an executor does with a partition of jobs: runs each in turn, in process, and gives one result
 * line per job. The ONNX sessions live as long as the executor's JVM, one per model ({@link #SESSIONS});
 * the model files come from the broadcast bundles, written to local disk once per JVM.
 */
final class RunJobs implements FlatMapFunction<Iterator<List<Job>>, String> {
    /** The sessions of this JVM: each model is opened once, whatever the number of jobs and tasks. */
    static final ModelSessions SESSIONS = new ModelSessions();

    private final Broadcast<Map<String, ModelBundle>> bundles;
    private final int threads;
    /** Tests: a task failure to inject (null: none). */
    private final Batch.Fault fault;

    RunJobs(Broadcast<Map<String, ModelBundle>> bundles, int threads, Batch.Fault fault) {
        this.bundles = bundles;
        this.threads = threads;
        this.fault = fault;
    }

    @Override
    public Iterator<String> call(Iterator<List<Job>> slices) {
        List<String> out = new ArrayList<>();
        while (slices.hasNext()) {
            for (Job job : slices.next()) {
                out.add(run(job, bundles.value(), threads));
                TaskContext tc = TaskContext.get();
                if (fault != null && job.id().equals(fault.afterJob()) && tc != null && tc.attemptNumber() < fault.attempts())
                    throw new IllegalStateException("injected task failure after job " + job.id() + " (attempt " + tc.attemptNumber() + " of partition " + tc.partitionId() + ")");
            }
        }
        return out.iterator();
    }

    /** The key that follows the id in a failed job's line. */
    static final String ERROR = "\"error\":";

    /** How every result line of this job starts: {"id":"...", in the JSON of the line. */
    static String idPrefix(String id) {
        try {
            String s = Json.line(Map.of(SteerJob.ID, id));
            return s.substring(0, s.length() - 1) + ",";
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);    // a string always writes
        }
    }

    /** One job's result line: {"id": ..., then what steer writes} or {"id": ..., "error": ..., "exitCode": ...}. */
    static String run(Job job, Map<String, ModelBundle> bundles, int threads) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put(SteerJob.ID, job.id());
        List<ModelBundle> used = new ArrayList<>();
        SteerJob.Outcome o;
        String model = null, reward = null;
        try {
            ObjectNode node = (ObjectNode) job.node();
            model = text(node, "model");
            reward = text(node, "reward");
            ObjectNode local = localPaths(node, model, reward, bundles, used);
            JsonNode device = local.get("device");
            if (device != null && device.isTextual()) local.put("device", taskDevice(device.asText(), gpus()));
            o = SteerJob.run(local, SESSIONS, threads, onnxThreads());
        } catch (IOException | RuntimeException e) {
            // the driver read this line as a JSON object; a bundle that cannot be written lands here
            o = new SteerJob.Outcome(null, "fksteer batch: " + fksteer.io.Quote.of(String.valueOf(e.getMessage()), 0, 400), 1);
        }
        if (o.ok()) {
            Map<String, Object> r = o.result();
            Object cfg = r.get("config");
            if (cfg instanceof Map<?, ?> c) {
                @SuppressWarnings("unchecked")
                Map<String, Object> config = (Map<String, Object>) unmap(c, used);
                if (model != null) config.put("model", model);
                if (reward != null) config.put("reward", reward);
                r.put("config", config);
            }
            r.computeIfPresent("warnings", (k, w) -> unmap(w, used));
            line.putAll(r);
        } else {
            line.put("error", unmap(o.error(), used));
            line.put("exitCode", o.exitCode());
        }
        try {
            return Json.line(line);
        } catch (IOException e) {
            // a non-finite number reached the writer: a bug, reported as this job's error, never written as NaN
            Map<String, Object> err = new LinkedHashMap<>();
            err.put(SteerJob.ID, job.id());
            err.put("error", "fksteer steer: internal error: " + e.getMessage());
            err.put("exitCode", 1);
            try {
                return Json.line(err);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    /**
     * ONNX Runtime's threads for a job that does not set "onnx-threads": every core of the executor
     * (spark.executor.cores, else the JVM's processors). The tasks of an executor share one session per
     * model, whose calls take turns, so each call may as well use them all: measured on local[2], 2 cores,
     * the text model's jobs run 1.4x faster than with one thread per call (BENCHMARKS.md).
     */
    static int onnxThreads() {
        org.apache.spark.SparkEnv env = org.apache.spark.SparkEnv.get();
        int cores = Runtime.getRuntime().availableProcessors();
        if (env != null) cores = env.conf().getInt("spark.executor.cores", cores);
        return Math.max(1, Math.min(fksteer.onnx.OnnxOptions.MAX_THREADS, cores));
    }

    /** The GPU addresses Spark gave this task (spark.task.resource.gpu.amount), or none. */
    private static String[] gpus() {
        TaskContext tc = TaskContext.get();
        if (tc == null) return new String[0];
        var r = tc.resources().get("gpu");
        return r.isDefined() ? r.get().addresses() : new String[0];
    }

    /**
     * A job's --device on this task: "cuda" without an index is the first GPU Spark gave the task
     * (cuda:ADDRESS), so that tasks sharing an executor use the GPUs they were given; any other value is
     * the job's own.
     */
    static String taskDevice(String device, String[] gpus) {
        if (!device.strip().equalsIgnoreCase("cuda") || gpus.length == 0) return device;
        return gpus[0].matches("[0-9]{1,4}") ? "cuda:" + gpus[0] : device;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** The job with its model and onnx: reward files at their local copies. */
    private static ObjectNode localPaths(ObjectNode node, String model, String reward, Map<String, ModelBundle> bundles, List<ModelBundle> used) {
        ObjectNode local = node.deepCopy();
        if (model != null && bundles.containsKey(model)) {
            ModelBundle b = bundles.get(model);
            used.add(b);
            local.put("model", b.local().toString());
        }
        if (reward != null) {
            Matcher m = ModelBundle.ONNX_TERM.matcher(reward);
            StringBuilder s = new StringBuilder();
            while (m.find()) {
                ModelBundle b = bundles.get(m.group(1));
                if (b != null) used.add(b);
                m.appendReplacement(s, Matcher.quoteReplacement(b == null ? m.group() : "onnx:" + b.local()));
            }
            m.appendTail(s);
            local.put("reward", s.toString());
        }
        return local;
    }

    /** v with the executor's paths in its strings rewritten to the driver's (see ModelBundle.unmap). */
    private static Object unmap(Object v, List<ModelBundle> used) {
        if (used.isEmpty()) return v;
        if (v instanceof String s) {
            for (ModelBundle b : used) s = b.unmap(s);
            return s;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), unmap(e.getValue(), used));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(unmap(x, used));
            return out;
        }
        return v;
    }
}
