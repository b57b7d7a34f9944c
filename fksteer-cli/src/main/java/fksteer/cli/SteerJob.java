package fksteer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import fksteer.kernel.Parallel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * One {@code fksteer steer} run in process, given as a JSON object whose fields are steer's flags by
 * name: {@code {"id": "a", "model": "checkerboard", "method": "fk", "reward": "point:0,0", "particles": 8,
 * "weighted": true, "pivot": [0.5, -1]}}. Its result is the object {@code steer} writes to --out for the
 * same flags, byte for byte but for the timings ({@code wallSeconds}); its failure is the line and exit
 * code {@code steer} gives. {@code fksteer batch} runs many on Spark.
 *
 * <p>A job writes nothing: {@code out} and {@code plot} are refused. A job's {@code threads} is the
 * thread count of that job alone (results do not depend on it).
 */
public final class SteerJob {
    /** The job field that names it; every other field is a steer flag. */
    public static final String ID = "id";
    /** The command a job's errors name, as steer's own do ("fksteer steer: ..."). */
    private static final String COMMAND = "fksteer steer";

    private SteerJob() {}

    /**
     * What a job gave: the JSON object {@code steer} writes (result, null on failure), or the one line
     * {@code steer} prints on stderr with its exit code (error, exitCode).
     */
    public record Outcome(Map<String, Object> result, String error, int exitCode) {
        public boolean ok() {
            return result != null;
        }
    }

    /**
     * The steer arguments of a job object, field by field: a string or number is the flag's value, true
     * gives a switch ({@code "weighted": true}) and false leaves it off, an array is a comma-separated
     * list ({@code "pivot": [0.5, -1]}).
     *
     * @throws IllegalArgumentException one line naming the field, for a field that is not a steer flag
     *         or a value that no flag takes
     */
    public static List<String> args(JsonNode job) {
        if (job == null || !job.isObject()) throw new IllegalArgumentException("a job must be a JSON object of steer flags");
        CommandLine.Model.CommandSpec spec = new CommandLine(new SteerCommand()).getCommandSpec();
        List<String> args = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = job.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals(ID)) continue;
            String field = "field " + fksteer.io.Quote.of(name, 0, 60);
            if (name.startsWith("-"))
                throw new IllegalArgumentException(field + ": job fields are steer's flags without the dashes, e.g. \"particles\"");
            CommandLine.Model.OptionSpec o = name.matches("[a-z][a-z0-9-]*") ? spec.findOption("--" + name) : null;
            if (o == null || name.equals("help") || name.equals("version"))
                throw new IllegalArgumentException(field + " is not a flag of fksteer steer (see fksteer steer --help)");
            if (name.equals("out") || name.equals("plot"))
                throw new IllegalArgumentException(field + ": a job writes no files of its own; fksteer batch writes every result to --out DIR");
            boolean isSwitch = o.arity().max() == 0;
            if (v.isNull()) throw new IllegalArgumentException(field + " is null; give a value or leave the field out");
            if (v.isObject()) throw new IllegalArgumentException(field + " must be a string, number" + (isSwitch ? " or boolean" : "") + ", got an object");
            if (isSwitch) {
                if (!v.isBoolean()) throw new IllegalArgumentException(field + " is a switch: true or false, got " + fksteer.io.Quote.of(v.toString(), 0, 60));
                if (v.booleanValue()) args.add("--" + name);
                continue;
            }
            String value;
            if (v.isArray()) {
                if (o.splitRegex().isEmpty()) throw new IllegalArgumentException(field + " takes one value, got an array");
                List<String> parts = new ArrayList<>();
                for (JsonNode p : v) {
                    if (!p.isValueNode() || p.isNull()) throw new IllegalArgumentException(field + " must be an array of numbers or strings");
                    parts.add(p.asText());
                }
                value = String.join(",", parts);
            } else {
                value = v.asText();
            }
            args.add("--" + name);
            args.add(value);
        }
        return args;
    }

    /**
     * Runs a job object with the model sessions given (which stay open), on threads worker threads
     * unless the job sets its own "threads", and ONNX Runtime on onnxThreads threads (0: as many as
     * threads) unless it sets "onnx-threads". Never throws for bad input or a failed run: that is the
     * outcome's error.
     */
    public static Outcome run(JsonNode job, ModelSessions sessions, int threads, int onnxThreads) {
        List<String> args;
        try {
            args = args(job);
        } catch (IllegalArgumentException e) {
            return new Outcome(null, "fksteer batch: " + Main.oneLine(e.getMessage()), Main.EXIT_BAD_INPUT);
        }
        return run(args, sessions, threads, onnxThreads);
    }

    /** {@link #run(JsonNode, ModelSessions, int, int)} for steer's arguments (without --out and --plot). */
    public static Outcome run(List<String> args, ModelSessions sessions, int threads, int onnxThreads) {
        Validate.positive("threads", threads, Validate.MAX_THREADS);
        if (onnxThreads != 0) Validate.positive("onnxThreads", onnxThreads, fksteer.onnx.OnnxOptions.MAX_THREADS);
        SteerCommand cmd = new SteerCommand();
        CommandLine cl = Main.configured(new CommandLine(cmd));
        cl.setCommandName(COMMAND);
        List<String> full = new ArrayList<>(args);
        full.add("--out");
        full.add("job.json");         // required by the parser; a job writes nothing
        try {
            cl.parseArgs(full.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            return new Outcome(null, Main.parameterError(e), Main.EXIT_BAD_INPUT);
        }
        if (onnxThreads != 0) cmd.onnxFlags.defaultOnnxThreads = onnxThreads;
        if (cl.isUsageHelpRequested() || cl.isVersionHelpRequested())
            return new Outcome(null, "fksteer batch: a job cannot ask for --help or --version", Main.EXIT_BAD_INPUT);
        try {
            int n = threads;
            if (cmd.threads != null) {
                Validate.positive("--threads", cmd.threads, Validate.MAX_THREADS);
                n = cmd.threads;
            }
            return new Outcome(Parallel.withThreads(n, () -> {
                try {
                    return cmd.job(sessions);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new Wrapped(e);
                }
            }), null, 0);
        } catch (Wrapped w) {
            return failed(w.getCause());
        } catch (Exception | OutOfMemoryError e) {
            return failed(e);
        }
    }

    private static Outcome failed(Throwable e) {
        Main.Failure f = Main.failure(e, COMMAND + ": ");
        return new Outcome(null, f.line(), f.exitCode());
    }

    /** A checked exception carried out of the Supplier that Parallel.withThreads runs. */
    private static final class Wrapped extends RuntimeException {
        Wrapped(Exception cause) {
            super(cause);
        }
    }
}
