package fksteer.cli;

import fksteer.data.Dataset;
import fksteer.io.Models;
import fksteer.train.FlowMatchingTrainer;
import fksteer.train.TrainConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a flow-matching MLP on a 2D dataset and save it as safetensors (PyTorch names).",
        footer = {"", "Examples:",
                "  fksteer train --dataset checkerboard --out checkerboard.safetensors",
                "  fksteer train --dataset moons --steps 2000 --hidden 128 --seed 3 --out moons.safetensors"})
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--dataset", required = true, description = "checkerboard, moons, 8gaussians, rings or spiral")
    String dataset;

    @Option(names = "--steps", defaultValue = "10000", description = "Adam steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "8192", description = "fresh samples per step (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lr-schedule", defaultValue = "constant", description = "constant (the reference) or cosine decay to 0 (default ${DEFAULT-VALUE})")
    String lrSchedule;

    @Option(names = "--hidden", defaultValue = "64", description = "hidden width (default ${DEFAULT-VALUE})")
    int hidden;

    @Option(names = "--layers", defaultValue = "3", description = "hidden layers (default ${DEFAULT-VALUE})")
    int layers;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "worker threads, 1 to 256 (default: all cores)")
    Integer threads;

    @Option(names = "--out", required = true, description = "output FILE.safetensors")
    Path out;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer train", stderr);
        Dataset.byName(dataset);
        dataset = dataset.toLowerCase(Locale.ROOT);
        lrSchedule = lrSchedule.toLowerCase(Locale.ROOT);
        if (!lrSchedule.equals("constant") && !lrSchedule.equals("cosine"))
            throw new IllegalArgumentException("--lr-schedule must be constant or cosine, got '" + lrSchedule + "'");
        Outputs outputs = new Outputs();
        outputs.file("out", out, ".safetensors");
        TrainConfig cfg = new TrainConfig(dataset, steps, batch, lr, hidden, layers, seed, lrSchedule.equals("cosine"));
        Memory.require("batch", batch, Memory.train(cfg));
        FlowMatchingTrainer tr = new FlowMatchingTrainer(cfg);
        long t0 = System.nanoTime();
        double loss;
        try (ProgressBar bar = ProgressBar.open("train " + dataset, stderr, quiet)) {
            loss = tr.train((s, total, l) -> {
                bar.value("loss", l);
                bar.progress(s, total, "steps");
                return true;
            });
            bar.finish();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<String, String> md = new LinkedHashMap<>();
        md.put("dataset", dataset);
        md.put("command", String.format(Locale.ROOT, "fksteer train --dataset %s --steps %d --batch %d --lr %s --lr-schedule %s --hidden %d --layers %d --seed %d",
                dataset, steps, batch, lr, lrSchedule, hidden, layers, seed));
        md.put("final_loss", String.format(Locale.ROOT, "%.6f", loss));
        outputs.write(() -> {
            Models.saveMlp(tr.model(), out, md);
            return null;
        });
        stdout.printf(Locale.ROOT, "trained %s in %.1f s, final loss %.4f, wrote %s%n", dataset, secs, loss, out);
        return 0;
    }
}
