package fksteer.cli;

import fksteer.demo.ImagesDemo;
import fksteer.kernel.Parallel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "images", mixinStandardHelpOptions = true,
        description = "The paper's text-to-image experiment at small scale, on MNIST: an unconditional digit model steered toward a class "
                + "by a classifier reward (best-of-N and FK at k = 2..16) against a bigger class-conditional model with CFG, judged by a "
                + "separate classifier. Writes image grids, accuracy-vs-nfe.png, summary.json and report.md.",
        footer = {"", "Examples:", "  fksteer demo images", "  fksteer demo images --out my-images --seed 3 --seeds 24"})
final class DemoImagesCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", defaultValue = "demo-images", description = "output folder (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--models", defaultValue = "models/mnist", description = "folder of the MNIST models and cards (default ${DEFAULT-VALUE})")
    Path models;

    @Option(names = "--data", defaultValue = "data/mnist/digits.fkd.gz", description = "the digit file, for held-out real digits (default ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--seeds", defaultValue = "20", description = "runs per class and method, 2 to 1000 (default ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--steps", defaultValue = "25", description = "DDIM steps of every run, 2 to 1000 (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lambda", defaultValue = "1", description = "FK's tilt: target p(x) exp(lambda log p(c|x)) (default ${DEFAULT-VALUE})")
    double lambda;

    @Option(names = "--threads", description = "threads, 1 to 256, for fksteer and ONNX Runtime (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bars")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer demo images", stderr);
        ImagesDemo demo = new ImagesDemo(new ImagesDemo.Settings(models, data, out, seed, seeds, steps, lambda, Parallel.threads(), quiet))
                .progressTo(stderr);
        Outputs outputs = new Outputs();
        outputs.folder("out", out);
        long t0 = System.nanoTime();
        Map<String, Object> s = outputs.write(demo::run);
        stdout.printf(Locale.ROOT, "demo images finished in %.1f s: open %s%n", (System.nanoTime() - t0) / 1e9, out.resolve("report.md"));
        return 0;
    }
}
