package fksteer.cli;

import fksteer.io.Json;
import fksteer.kernel.Parallel;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.plot.Panel;
import fksteer.plot.Plots;
import fksteer.steer.Noise;
import fksteer.solver.Sampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a model from noise to data with its process's samplers: ODE solvers or the SDE for flows, DDIM or DDPM for VP diffusion.",
        footer = {"", "Examples:",
                "  fksteer sample --model checkerboard --sampler midpoint --steps 150 --particles 2048 --seed 1 --out s.json --plot s.png",
                "  fksteer sample --model checkerboard --sampler sde --stochasticity 0.5 --steps 100 --particles 2048 --seed 1 --out sde.json --trajectory-plot traj.png",
                "  fksteer sample --model mixture.json --sampler rk4 --steps 20 --particles 10000 --seed 7 --out gm.json"})
final class SampleCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, description = "checkerboard, FILE.safetensors, FILE.json (a gaussian mixture) or CARD.json (an ONNX model card)")
    String model;

    @Option(names = "--steps", defaultValue = "100", description = "solver steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--particles", defaultValue = "2048", description = "number of samples (default ${DEFAULT-VALUE})")
    int particles;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--threads", description = "worker threads, 1 to 256 (default: all cores); results do not depend on it")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--out", required = true, description = "output FILE.json")
    Path out;

    @Option(names = "--prompt", description = "text models: the text every sample starts with, kept as is while the model writes the rest")
    String prompt;

    @Option(names = "--plot", description = "scatter plot of the samples, axes fitted to them (PNG); for an ONNX card's [C, H, W] images "
            + "(C = 1 or 3), a grid of the samples (at most 1024) over the card's dataRange; a decoder's images over their own min..max")
    Path plot;

    @Option(names = "--trajectory-plot", description = "9 panels t = 0, 1/8, ..., 1 (PNG); points only")
    Path trajectoryPlot;

    @CommandLine.Mixin
    ProcessOptions processOptions = new ProcessOptions();

    @CommandLine.Mixin
    OnnxFlags onnxFlags = new OnnxFlags();

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer sample", stderr);
        Validate.positive("--steps", steps, 1_000_000);
        Validate.positive("--particles", particles, 50_000_000);
        Outputs outputs = new Outputs();
        outputs.file("out", out, ".json");
        outputs.file("plot", plot, ".png");
        outputs.file("trajectoryPlot", trajectoryPlot, ".png");
        try (OnnxFlags.Loaded loaded = onnxFlags.open(model, processOptions.condition())) {
            return run(loaded, outputs, stdout, stderr);
        }
    }

    private int run(OnnxFlags.Loaded loaded, Outputs outputs, java.io.PrintWriter stdout, java.io.PrintWriter stderr) throws Exception {
        loaded.refuseUnused();
        OnnxFlags.Drawn drawn = plot == null ? null : loaded.requirePlottable("--plot");
        if (trajectoryPlot != null) loaded.requirePlottable("--trajectory-plot");
        Process f = loaded.prompted(prompt).counted();
        Sampler s = processOptions.sampler(f, false);
        if ((drawn == OnnxFlags.Drawn.POINTS || trajectoryPlot != null) && f.dim() < 2)
            throw new IllegalArgumentException("--plot needs a model of dimension >= 2, this one has " + f.dim());
        String title = s.name() + ", " + steps + " steps";
        ImagePlot grid = drawn == null || drawn == OnnxFlags.Drawn.POINTS ? null : ImagePlot.of(
                (drawn == OnnxFlags.Drawn.IMAGES ? f.shape() : loaded.onnx.decoder().outputShape()).dims(),
                drawn == OnnxFlags.Drawn.DECODED_IMAGES, particles, false, title);
        Memory.Footprint footprint = Memory.sample(s, f.dim(), drawn == OnnxFlags.Drawn.POINTS, trajectoryPlot != null);
        if (f instanceof fksteer.process.MaskedProcess mp) footprint = Memory.plus(footprint, mp.cacheBytes(1));   // the cached model output
        Memory.require(particles, grid == null ? footprint : Memory.plus(footprint, grid.bytesPerImage()));
        int d = f.dim();
        long t0 = System.nanoTime();
        Chain chain = f.chain(s, steps, particles);
        Particles p = chain.newParticles(particles);
        chain.initialNoise(p, seed);
        float[] x = p.discrete() ? null : p.floats();
        long[] rng = Noise.stepStreams(seed, particles);
        List<Panel> traj = new ArrayList<>();
        int[] snap = new int[9];
        for (int k = 0; k <= 8; k++) snap[k] = (int) Math.round(k * steps / 8.0);
        int nextSnap = 0;
        try (ProgressBar bar = ProgressBar.open("sample " + s.name(), stderr, quiet)) {
            bar.progress(0, steps, "steps");
            for (int st = 0; st <= steps; st++) {
                while (trajectoryPlot != null && nextSnap <= 8 && snap[nextSnap] == st) {
                    traj.add(Panel.of(String.format(Locale.ROOT, "t = %.3f", chain.time(st)), x.clone(), particles, d));
                    nextSnap++;
                }
                if (st == steps) break;
                chain.prepare(p, st);
                chain.advance(p, st, rng);
                bar.progress(st + 1, steps, "steps");
            }
            bar.finish();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model", model);
        cfg.put("modelDescription", f.describe());
        processOptions.record(cfg, f, s);
        cfg.put("steps", steps);
        cfg.put("particles", particles);
        cfg.put("seed", seed);
        cfg.put("threads", Parallel.threads());
        loaded.record(cfg);
        Map<String, Object> o = new LinkedHashMap<>();
        float[] decoded = null;
        if (p.discrete()) {
            o.put("texts", loaded.texts(p.tokens(), particles));
            o.put("tokens", Json.rows(p.tokens(), particles, d));
            if (prompt != null) o.put("prompt", prompt);
        } else {
            o.put("samples", Json.rows(x, particles, d));
            o.put("shape", f.shape().dims());                   // each row of "samples" is one sample of this shape, flat
            decoded = loaded.decoded(x, particles);
            if (decoded != null) o.put("decoded", Json.rows(decoded, particles, loaded.decodedSize()));
        }
        o.put("nfe", f.nfe());
        o.put("wallSeconds", Validate.seconds(wall));
        if (d == 2 && Validate.isCheckerboard(model)) o.put("onSupportFraction", fksteer.data.Checkerboard.onSupportFraction(x, particles, null));
        o.put("config", cfg);
        float[] dec = decoded;
        outputs.write(() -> {
            Json.write(out, o);
            if (grid != null) grid.write(plot, title, grid.decoded() ? dec : x, grid.decoded() ? null : loaded.dataRange(), null);
            else if (plot != null) Plots.panels(plot, null, List.of(Panel.of(title, x, particles, d)), 480, 1);
            if (trajectoryPlot != null) Plots.panels(trajectoryPlot, title + ": noise to data", traj, 260, 9);
            return null;
        });
        stdout.printf(Locale.ROOT, "%d samples, nfe %d, %.3f s -> %s%n", particles, f.nfe(), wall, out);
        return 0;
    }
}
