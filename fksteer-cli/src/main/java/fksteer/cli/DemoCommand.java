package fksteer.cli;

import fksteer.demo.Demo;
import fksteer.kernel.Parallel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The main job: every figure of the reference walkthrough, all methods at matched compute, FK vs best-of-N scaling; "
                + "writes PNGs, results.csv, summary.json and report.md.",
        footer = {"", "Examples:", "  fksteer demo", "  fksteer demo --out my-demo --seed 7", "  fksteer demo --fast --out quick"})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo-out", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--lambda", defaultValue = "1", description = "temperature of the FK runs (default ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--fast", description = "reduced sizes, for tests and a quick look")
    boolean fast;

    @Option(names = "--threads", description = "worker threads (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        Demo demo = new Demo(out, seed, fast, quiet, lambda);
        Outputs outputs = new Outputs();
        outputs.folder("out", out);
        Map<String, Object> s = outputs.write(demo::run);
        System.out.printf(Locale.ROOT, "demo finished in %.1f s: open %s%n", (double) s.get("wallSeconds"), out.resolve("report.md"));
        return 0;
    }
}
