package fksteer.cli;

import fksteer.io.BadInputException;
import fksteer.io.InvalidSettingException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The fksteer command line. Bad input: one line on stderr and exit code 2. */
@Command(name = "fksteer", mixinStandardHelpOptions = true, version = "fksteer 0.1.0",
        description = "Inference-time scaling and Feynman-Kac steering of flow-matching models.",
        subcommands = {TrainCommand.class, SampleCommand.class, SteerCommand.class, DemoCommand.class, BenchCommand.class, JmhCommand.class, 
                CommandLine.HelpCommand.class},
        footer = {"", "fksteer batch runs many steer jobs on Apache Spark, from its own module: ./fksteer batch --help (docs/batch.md)",
                "", "Examples:", "  fksteer demo", "  fksteer sample --model checkerboard --sampler midpoint --steps 150 --particles 2048 --seed 1 --out s.json --plot s.png",
                "  fksteer steer --model checkerboard --method fk --reward quadratic:2,0.5 --particles 1024 --steps 100 --seed 1 --out fk.json --plot fk.png"})
public final class Main implements Runnable {

    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: use one of train, sample, steer, demo, bench, jmh, batch");
    }

    public static void main(String[] args) {
        // library warnings (System.Logger -> java.util.logging), such as the scalar-fallback notice, as one line each
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%5$s%n");
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && args[0].equals("batch")) {
            // this jar carries no Spark: the launcher runs batch from the fksteer-spark module
            err.println("fksteer batch: runs on Spark from the fksteer-spark module, not this jar: use ./fksteer batch, or spark-submit "
                    + "--class fksteer.spark.BatchMain fksteer-spark/target/fksteer-spark.jar (docs/batch.md)");
            err.flush();
            return EXIT_BAD_INPUT;
        }
        if (args.length > 1 && args[0].equals("jmh") && !args[1].equals("--help") && !args[1].equals("-h")) {
            // JMH parses its own flags (-p, -wi, -prof ...): hand them over untouched
            try {
                org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
                return 0;
            } catch (Exception e) {
                err.println("fksteer jmh: " + oneLine(String.valueOf(e.getMessage())));
                return 1;
            }
        }
        return execute(new CommandLine(new Main()), args, out, err);
    }

    /**
     * Runs a command line the way every fksteer command runs (fksteer batch's too): bad input is one
     * line on err and exit code 2; a failed write, an I/O error or the heap running out exit 1.
     */
    public static int execute(CommandLine cl, String[] args, PrintWriter out, PrintWriter err) {
        configured(cl);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println(parameterError(ex));
            err.flush();
            return EXIT_BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((ex, c, parse) -> {
            Failure f = failure(ex, c.getCommandSpec().qualifiedName(" ") + ": ");   // "fksteer demo images: ..."
            err.println(f.line());
            if (f.internal() && Boolean.getBoolean("fksteer.debug")) ex.printStackTrace(err);
            err.flush();
            return f.exitCode();
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands Exceptions to the handler above; an Error comes straight through
            return outOfMemory(err, commandPrefix(cl, args));
        }
    }

    /** The parser settings of every fksteer command line. */
    static CommandLine configured(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(220); // never wrap the runnable examples in the footers
        return cl;
    }

    /** The line a command prints for flags it cannot parse ("fksteer steer: Unknown option ... (see --help)"). */
    static String parameterError(CommandLine.ParameterException ex) {
        return ex.getCommandLine().getCommandSpec().qualifiedName(" ") + ": " + oneLine(ex.getMessage()) + " (see --help)";
    }

    /** How a command failed: the one line it prints on stderr, its exit code, and whether it is a bug. */
    record Failure(String line, int exitCode, boolean internal) {}

    /**
     * The line and exit code of an exception a command threw, prefix being "fksteer steer: ": bad input
     * exits 2; an output that cannot be written, an I/O error, the heap running out or a bug exit 1.
     */
    static Failure failure(Throwable ex, String prefix) {
        if (outOfMemory(ex) != null) return new Failure(prefix + outOfMemoryMessage(), 1, false);
        if (ex instanceof Outputs.CannotWriteException cannot) return new Failure(prefix + oneLine(cannot.getMessage()), 1, false);
        if (ex instanceof InvalidSettingException bad) return new Failure(prefix + oneLine(bad.message(Main::flag)), EXIT_BAD_INPUT, false);
        if (ex instanceof BadInputException || ex instanceof IllegalArgumentException)
            return new Failure(prefix + oneLine(ex.getMessage()), EXIT_BAD_INPUT, false);
        if (ex instanceof java.io.IOException) return new Failure(prefix + "I/O error: " + oneLine(String.valueOf(ex.getMessage())), 1, false);
        return new Failure(prefix + "internal error: " + oneLine(String.valueOf(ex)), 1, true);
    }

    /** The OutOfMemoryError in t's cause chain, or null. */
    static OutOfMemoryError outOfMemory(Throwable t) {
        for (int depth = 0; t != null && depth < 16; t = t.getCause(), depth++)
            if (t instanceof OutOfMemoryError oom) return oom;
        return null;
    }

    /** One line, exit code 1: the heap ran out despite the estimate (or where there is none). */
    private static int outOfMemory(PrintWriter err, String prefix) {
        err.println(prefix + outOfMemoryMessage());
        err.flush();
        return 1;
    }

    private static String outOfMemoryMessage() {
        long max = Runtime.getRuntime().maxMemory(), mb = Math.max(64, 2 * ((max + (1L << 20) - 1) >> 20));
        String twice = mb >= 4096 ? ((mb + 1023) >> 10) + "g" : mb + "m";
        return "out of memory (the Java heap is at most " + Memory.size(max) + "); raise it, e.g. FKSTEER_JVM_OPTS=-Xmx"
                + twice + ", or make the run smaller (--particles, --batch)";
    }

    private static String commandPrefix(CommandLine cl, String[] args) {
        for (String a : args)
            if (cl.getSubcommands().containsKey(a)) return cl.getCommandName() + " " + a + ": ";
        return cl.getCommandName() + ": ";
    }

    /** Library settings whose flag is not their Java name in kebab case. */
    private static final java.util.Map<String, String> FLAGS = java.util.Map.of(
            "candidates", "--particles",                  // ZerothOrder
            "solver", "--sampler",                        // ZerothOrder, SearchOverPaths
            "hiddenLayers", "--layers",                   // MlpFlow.architecture
            "stepSize", "step size 1/--steps",            // SearchOverPaths
            "manySamples", "--intermediate many:K",       // FkSteering
            "output", "--output-policy");                 // FkSteering.OutputPolicy

    /**
     * The CLI flag of a library setting: its Java name in kebab case ("lookaheadSteps" -> "--lookahead-steps"),
     * or the flag in {@link #FLAGS}. (SettingNamesTest checks that every setting the library names has its flag.)
     */
    static String flag(String setting) {
        String f = FLAGS.get(setting);
        if (f != null) return f;
        return "--" + setting.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    static String oneLine(String s) {
        if (s == null) return "invalid input";
        return s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
