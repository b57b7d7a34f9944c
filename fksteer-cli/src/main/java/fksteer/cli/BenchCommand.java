package fksteer.cli;

import fksteer.io.Json;
import fksteer.bench.Bench;
import fksteer.kernel.Parallel;
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

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the benchmark workloads: median ms after warm-up, GFLOP/s and %% of the measured FMA peak.",
        footer = {"", "Workloads: peak-fma, mlp-forward-1024, mlp-forward-8192, train-step-8192, fk-checkerboard-1024x100, train-checkerboard-10k, onnx-mlp-1024, onnx-fk-conv-64 (these two need a source checkout's ONNX fixtures)",
                "", "Examples:", "  fksteer bench", "  fksteer bench --workload mlp-forward-1024 --workload fk-checkerboard-1024x100 --threads 1 --out bench.json"})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workload", description = "workload to run (repeatable; default: all)")
    List<String> workloads;

    @Option(names = "--threads", description = "worker threads, 1 to 256 (default: all cores)")
    Integer threads;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Option(names = "--out", description = "write {\"workloads\": [...]} JSON here")
    Path out;

    @Override
    public Integer call() throws Exception {
        java.io.PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        Validate.threads(threads, "fksteer bench", stderr);
        List<String> names = new ArrayList<>();
        for (String n : workloads == null || workloads.isEmpty() ? Bench.WORKLOADS : workloads) {
            if (!Bench.WORKLOADS.contains(n.toLowerCase(Locale.ROOT)))
                throw new IllegalArgumentException("--workload must be one of " + String.join(", ", Bench.WORKLOADS) + "; got '" + n + "'");
            names.add(n.toLowerCase(Locale.ROOT));
        }
        Outputs outputs = new Outputs();
        outputs.file("out", out, ".json");
        List<String> run = new ArrayList<>(names);
        if (!run.contains("peak-fma")) run.add(0, "peak-fma");
        List<Bench.Result> res;
        try (ProgressBar bar = ProgressBar.open("bench", stderr, quiet)) {
            res = Bench.runAll(run, bar);
            bar.finish();
        }
        double peak = res.get(run.indexOf("peak-fma")).gflops();
        stdout.printf(Locale.ROOT, "threads %d, vector %s, peak measured %.0f GFLOP/s%n", Parallel.threads(),
                jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, peak);
        stdout.printf(Locale.ROOT, "%-26s %10s %10s %8s  %s%n", "workload", "median ms", "GFLOP/s", "% peak", "notes");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Bench.Result r : res) {
            if (!names.contains(r.name())) continue;
            String notes = r.extra().isEmpty() ? "" : r.extra().toString();
            stdout.printf(Locale.ROOT, "%-26s %10.3f %10.1f %7.1f%%  %s%n", r.name(), r.medianMs(), r.gflops(), 100 * r.gflops() / peak, notes);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("medianMs", Math.round(r.medianMs() * 1e3) / 1e3); // to the microsecond
            m.put("minMs", Math.round(r.minMs() * 1e3) / 1e3);
            m.put("runs", r.runs());
            m.put("gflops", r.gflops());
            m.put("percentOfPeak", 100 * r.gflops() / peak);
            m.putAll(r.extra());
            rows.add(m);
        }
        if (out != null) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("threads", Parallel.threads());
            o.put("peakGflops", peak);
            o.put("workloads", rows);
            outputs.write(() -> {
                Json.write(out, o);
                return null;
            });
        }
        return 0;
    }
}
