package fksteer.cli;

import fksteer.demo.TextDemo;
import fksteer.kernel.Parallel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "text", mixinStandardHelpOptions = true,
        description = "The paper's text experiment at small scale: a masked diffusion language model (MDLM, trained on Debian's fortunes) "
                + "steered from short prompts toward positive sentiment (VADER) and toward fluency (n-gram perplexity): the base, "
                + "best-of-N and FK at k = 2, 4, 8, judged by a different lexicon (AFINN-165), perplexity and diversity. Writes "
                + "summary.json, samples.md and report.md.",
        footer = {"", "Examples:", "  fksteer demo text", "  fksteer demo text --out my-text --seed 3 --seeds 8"})
final class DemoTextCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "demo-text", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--model", defaultValue = "models/text/fortunes.json", description = "the masked model's card (default ${DEFAULT-VALUE})")
    Path model;

    @Option(names = "--eval", defaultValue = "data/text/heldout-eval.txt", description = "held-out real texts, one per line: the reference "
            + "perplexity and positive rate (default ${DEFAULT-VALUE})")
    Path eval;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--seeds", defaultValue = "3", description = "runs per prompt and method, 2 to 1000 (default ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--steps", defaultValue = "64", description = "ancestral steps of every run, 2 to 10000 (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lambda", defaultValue = "10", description = "FK's tilt: target p(x) exp(lambda r(x)) (default ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--threads", description = "threads, 1 to 256, for fksteer and ONNX Runtime (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer demo text", stderr);
        Validate.positive("--seeds", seeds, 1000);
        if (seeds < 2) throw new IllegalArgumentException("--seeds must be in [2, 1000], got " + seeds);
        Validate.positive("--steps", steps, 10_000);
        if (steps < 2) throw new IllegalArgumentException("--steps must be in [2, 10000], got " + steps);
        if (!(lambda >= 0 && lambda <= 1e6)) throw new IllegalArgumentException("--lambda must be in [0, 1e6], got " + lambda);
        TextDemo demo = new TextDemo(new TextDemo.Settings(model, eval, out, seed, seeds, steps, lambda, Parallel.threads(), quiet)).progressTo(stderr);
        Outputs outputs = new Outputs();
        outputs.folder("out", out);
        long t0 = System.nanoTime();
        Map<String, Object> s = outputs.write(demo::run);
        stdout.printf(Locale.ROOT, "demo text finished in %.1f s: open %s%n", (System.nanoTime() - t0) / 1e9, out.resolve("report.md"));
        return 0;
    }
}
