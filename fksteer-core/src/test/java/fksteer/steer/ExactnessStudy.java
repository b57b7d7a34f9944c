package fksteer.steer;

import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The defaults study of docs/exactness.md: FK's error against exact tilts over a grid of settings, on
 * the mixtures of {@link TiltProblem}, at equal NFE (every setting scores x̂1, which costs no network
 * evaluation, and takes the same steps and particles). For each setting and problem it runs R seeds and
 * reports the RMSE of the weighted mean over the iid floor (k exact samples), the error of log Z, the
 * final ESS and the reward calls.
 *
 * <p>Run (about 10 minutes on 2 cores):
 * <pre>
 * mvn -B -q -o -pl fksteer-core test-compile
 * java -cp "fksteer-core/target/classes:fksteer-core/target/test-classes:$(cat cp.txt)" fksteer.steer.ExactnessStudy grid
 * </pre>
 * with cp.txt from {@code mvn -pl fksteer-core dependency:build-classpath -Dmdep.outputFile=cp.txt}.
 */
public final class ExactnessStudy {

    /** One configuration of the grid; steps 100. */
    record Setting(String name, double start, int count, int every, double ess, double stochasticity, Tempering tempering,
                   Potential potential, double guidance, Intermediate intermediate, int samples) {
        FkSteering fk(int k, double lambda) {
            ResampleSchedule s = new ResampleSchedule(start, count > 0 ? 0.95 : 1.0, count, every, ess);
            return new FkSteering(k, STEPS, new Sampler(Sampler.Kind.SDE, stochasticity), lambda, potential, intermediate, 2, s,
                    Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, guidance, Math.max(1, samples), null, tempering);
        }

        Setting with(String n, Map<String, Object> ch) {
            Setting x = this;
            for (var e : ch.entrySet()) {
                Object v = e.getValue();
                x = switch (e.getKey()) {
                    case "start" -> new Setting(n, (double) v, x.count, x.every, x.ess, x.stochasticity, x.tempering, x.potential, x.guidance, x.intermediate, x.samples);
                    case "count" -> new Setting(n, x.start, (int) v, 0, x.ess, x.stochasticity, x.tempering, x.potential, x.guidance, x.intermediate, x.samples);
                    case "every" -> new Setting(n, x.start, 0, (int) v, x.ess, x.stochasticity, x.tempering, x.potential, x.guidance, x.intermediate, x.samples);
                    case "ess" -> new Setting(n, x.start, x.count, x.every, (double) v, x.stochasticity, x.tempering, x.potential, x.guidance, x.intermediate, x.samples);
                    case "stoch" -> new Setting(n, x.start, x.count, x.every, x.ess, (double) v, x.tempering, x.potential, x.guidance, x.intermediate, x.samples);
                    case "temper" -> new Setting(n, x.start, x.count, x.every, x.ess, x.stochasticity, (Tempering) v, x.potential, x.guidance, x.intermediate, x.samples);
                    case "potential" -> new Setting(n, x.start, x.count, x.every, x.ess, x.stochasticity, x.tempering, (Potential) v, x.guidance, x.intermediate, x.samples);
                    case "guidance" -> new Setting(n, x.start, x.count, x.every, x.ess, x.stochasticity, x.tempering, x.potential, (double) v, x.intermediate, x.samples);
                    case "many" -> new Setting(n, x.start, x.count, x.every, x.ess, x.stochasticity, x.tempering, x.potential, x.guidance, Intermediate.MANY, (int) v);
                    default -> throw new IllegalArgumentException(e.getKey());
                };
            }
            return x;
        }
    }

    static final int STEPS = 100;

    /** The defaults before this study: 5 scorings in [0.6, 0.95], ESS 0.5, stochasticity 0.1, no tempering. */
    static final Setting OLD = new Setting("old defaults", 0.6, 5, 0, 0.5, 0.1, Tempering.NONE, Potential.DIFF, 0, Intermediate.X1HAT, 0);

    /** Per problem and setting: RMSE / floor, its relative SE, log Z bias, final ESS/k, reward calls per particle. */
    record Row(double rmse, double floor, double logZBias, double logZSe, double finalEss, double rewardCalls, double[] sq, double bias) {}

    static Row measure(TiltProblem p, Setting st, int k, int seeds, int seed0) {
        double[] sq = new double[seeds], z = new double[seeds], err = new double[p.dim()];
        double ess = 0, calls = 0;
        for (int s = 0; s < seeds; s++) {
            SteerResult r = st.fk(k, p.lambda()).run(p.gm(), p.reward(), seed0 + s);
            sq[s] = p.squaredError(r);
            for (int c = 0; c < err.length; c++) err[c] += (r.weightedMean(c) - p.mean()[c]) / seeds;
            z[s] = Math.exp((double) r.diagnostics().get("logZ") - p.exact().logZ());
            ess += (double) r.diagnostics().get("finalEss") / k;
            calls += (double) r.rewardCalls() / k;
        }
        double ms = 0, mz = 0, vz = 0;
        for (int s = 0; s < seeds; s++) {
            ms += sq[s];
            mz += z[s];
        }
        ms /= seeds;
        mz /= seeds;
        for (int s = 0; s < seeds; s++) vz += (z[s] - mz) * (z[s] - mz);
        double seZ = Math.sqrt(vz / (seeds - 1) / seeds);
        double b2 = 0;
        for (double e : err) b2 += e * e;
        return new Row(Math.sqrt(ms), p.floor(k), Math.log(mz), seZ / mz, ess / seeds, calls / seeds, sq, Math.sqrt(b2));
    }

    public static void main(String[] args) {
        String what = args.length > 0 ? args[0] : "grid";
        int k = args.length > 1 ? Integer.parseInt(args[1]) : 1024, seeds = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        List<TiltProblem> problems = List.of(TiltProblem.strongLinear(), TiltProblem.threeModes(), TiltProblem.fiveDLinear(),
                TiltProblem.fiveDQuadratic());
        List<Setting> settings = new ArrayList<>();
        switch (what) {
            case "grid" -> {
                settings.add(OLD);
                settings.add(OLD.with("start 0.3", Map.of("start", 0.3)));
                settings.add(OLD.with("start 0.1", Map.of("start", 0.1)));
                settings.add(OLD.with("count 10", Map.of("count", 10)));
                settings.add(OLD.with("every 5", Map.of("every", 5)));
                settings.add(OLD.with("every 1", Map.of("every", 1)));
                settings.add(OLD.with("ess 0.3", Map.of("ess", 0.3)));
                settings.add(OLD.with("ess 0.8", Map.of("ess", 0.8)));
                settings.add(OLD.with("ess 1", Map.of("ess", 1.0)));
                settings.add(OLD.with("stoch 0.5", Map.of("stoch", 0.5)));
                settings.add(OLD.with("stoch 1", Map.of("stoch", 1.0)));
                settings.add(OLD.with("adaptive", Map.of("temper", Tempering.adaptive(0.5))));
                settings.add(OLD.with("linear", Map.of("temper", Tempering.LINEAR)));
            }
            case "quick" -> settings.add(OLD);
            case "grid3" -> {
                Setting b = OLD.with("s0.1 e1", Map.of("start", 0.1, "every", 1));
                for (double st : new double[] {1, 2, 3}) {
                    settings.add(b.with("st" + st, Map.of("stoch", st)));
                    settings.add(b.with("st" + st + " ess0.3", Map.of("stoch", st, "ess", 0.3)));
                    settings.add(b.with("st" + st + " g1", Map.of("stoch", st, "guidance", 1.0)));
                    settings.add(b.with("st" + st + " g2", Map.of("stoch", st, "guidance", 2.0)));
                }
                settings.add(b.with("s0.3 st1", Map.of("start", 0.3, "stoch", 1.0)));
                settings.add(b.with("e2 st1", Map.of("every", 2, "stoch", 1.0)));
                settings.add(b.with("e5 st1", Map.of("every", 5, "stoch", 1.0)));
            }
            case "temper" -> {
                Setting b = OLD.with("st1", Map.of("stoch", 1.0));
                for (Setting sc : List.of(b.with("c5 s0.6", Map.of()), b.with("c5 s0.1", Map.of("start", 0.1)), b.with("e10 s0.1", Map.of("start", 0.1, "every", 10)))) {
                    settings.add(sc);
                    settings.add(sc.with(sc.name() + " ad0.5", Map.of("temper", Tempering.adaptive(0.5))));
                    settings.add(sc.with(sc.name() + " ad0.9", Map.of("temper", Tempering.adaptive(0.9))));
                    settings.add(sc.with(sc.name() + " lin", Map.of("temper", Tempering.LINEAR)));
                }
            }
            case "final" -> {
                settings.add(OLD);
                Setting c10 = OLD.with("s0.1 c10 st1", Map.of("start", 0.1, "count", 10, "stoch", 1.0));
                settings.add(c10);
                settings.add(c10.with("s0.1 c10 st0.5", Map.of("stoch", 0.5)));
                settings.add(c10.with("s0.1 c10 st2", Map.of("stoch", 2.0)));
                settings.add(c10.with("s0.1 e1 st1", Map.of("every", 1)));
                settings.add(c10.with("s0.1 c5 st1", Map.of("count", 5)));
                settings.add(c10.with("s0.1 c20 st1", Map.of("count", 20)));
                settings.add(c10.with("s0.1 c10 st1 ad", Map.of("temper", Tempering.adaptive(0.5))));
            }
            case "starts" -> {
                for (double st : new double[] {1.0, 0.1})
                    for (double start : new double[] {0.1, 0.2, 0.3, 0.4, 0.6})
                        settings.add(OLD.with("start " + start + " st" + st, Map.of("start", start, "stoch", st)));
            }
            case "guided" -> {
                Setting d = OLD.with("unguided, defaults", Map.of("stoch", 1.0));
                Setting early = d.with("unguided, from 0.1", Map.of("start", 0.1));
                settings.add(d);
                settings.add(early);
                for (double g : new double[] {0.5, 1.0}) {
                    settings.add(d.with("guided " + g + ", from 0.6", Map.of("guidance", g)));
                    settings.add(early.with("guided " + g + ", from 0.1", Map.of("guidance", g)));
                }
                settings.add(early.with("guided 0.5, from 0.1, adaptive", Map.of("guidance", 0.5, "temper", Tempering.adaptive(0.5))));
                settings.add(early.with("guided 0.5, from 0.1, many:4 twist", Map.of("guidance", 0.5, "many", 4)));
            }
            case "potentials" -> {
                Setting b = OLD.with("st1", Map.of("stoch", 1.0));
                for (Potential pt : Potential.values()) {
                    settings.add(b.with(pt.cliName(), Map.of("potential", pt)));
                    settings.add(b.with(pt.cliName() + " ad0.5", Map.of("potential", pt, "temper", Tempering.adaptive(0.5))));
                }
            }
            case "grid2" -> {
                Tempering ad = Tempering.adaptive(0.5);
                settings.add(OLD);
                settings.add(OLD.with("s0.1 e1", Map.of("start", 0.1, "every", 1)));
                settings.add(OLD.with("s0.1 e1 st1", Map.of("start", 0.1, "every", 1, "stoch", 1.0)));
                settings.add(OLD.with("s0.1 e1 ad", Map.of("start", 0.1, "every", 1, "temper", ad)));
                settings.add(OLD.with("s0.1 e1 ad st0.5", Map.of("start", 0.1, "every", 1, "temper", ad, "stoch", 0.5)));
                settings.add(OLD.with("s0.1 e1 ad st1", Map.of("start", 0.1, "every", 1, "temper", ad, "stoch", 1.0)));
                settings.add(OLD.with("s0 e1 ad st1", Map.of("start", 0.0, "every", 1, "temper", ad, "stoch", 1.0)));
                settings.add(OLD.with("s0.1 e1 ad0.8 st1", Map.of("start", 0.1, "every", 1, "temper", Tempering.adaptive(0.8), "stoch", 1.0)));
                settings.add(OLD.with("s0.1 e1 ad st1 ess0.8", Map.of("start", 0.1, "every", 1, "temper", ad, "stoch", 1.0, "ess", 0.8)));
                settings.add(OLD.with("s0.1 e1 lin st1", Map.of("start", 0.1, "every", 1, "temper", Tempering.LINEAR, "stoch", 1.0)));
                settings.add(OLD.with("s0.1 e1 st1 g1", Map.of("start", 0.1, "every", 1, "stoch", 1.0, "guidance", 1.0)));
                settings.add(OLD.with("s0.1 e1 ad st1 g1", Map.of("start", 0.1, "every", 1, "temper", ad, "stoch", 1.0, "guidance", 1.0)));
            }
            default -> throw new IllegalArgumentException(what);
        }
        System.out.printf(Locale.ROOT, "k = %d, %d seeds, %d steps%n", k, seeds, STEPS);
        Map<String, Row> base = new LinkedHashMap<>();
        for (TiltProblem p : problems) {
            System.out.printf(Locale.ROOT, "%n### %s (floor %.4f)%n| setting | RMSE/floor | bias/floor | log Z bias (SE) | final ESS/k | reward calls/k |%n|---|---|---|---|---|---|%n",
                    p.name(), p.floor(k));
            for (Setting st : settings) {
                long t0 = System.nanoTime();
                Row r = measure(p, st, k, seeds, 0);
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %+.3f (%.3f) | %.2f | %.0f | %.1fs%n", st.name(), r.rmse() / r.floor(), r.bias() / r.floor(), r.logZBias(),
                        r.logZSe(), r.finalEss(), r.rewardCalls(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
