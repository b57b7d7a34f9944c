package fksteer.cli;

import fksteer.demo.Demo;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = {DemoImagesCommand.class, DemoTextCommand.class},
        description = "The main job: every figure of the reference walkthrough, all methods at matched compute, FK vs best-of-N scaling; "
                + "writes PNGs, results.csv, summary.json and report.md.",
        footer = {"", "Examples:", "  fksteer demo", "  fksteer demo --out my-demo --seed 7", "  fksteer demo --fast --out quick", "  fksteer demo images   (the MNIST text-to-image experiment; see fksteer demo images --help)"})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "demo-out", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--lambda", defaultValue = "1", description = "temperature of the FK runs (default ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--fast", description = "reduced sizes, for tests and a quick look")
    boolean fast;

    @Option(names = "--threads", description = "worker threads, 1 to 256 (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer demo", stderr);
        Demo demo = new Demo(out, seed, fast, quiet, lambda).progressTo(stderr);
        Outputs outputs = new Outputs();
        outputs.folder("out", out);
        Map<String, Object> s = outputs.write(demo::run);
        stdout.printf(Locale.ROOT, "demo finished in %.1f s: open %s%n", (double) s.get("wallSeconds"), out.resolve("report.md"));
        return 0;
    }
}
