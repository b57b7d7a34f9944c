package fksteer.steer;

import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

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

    /** One configuration of the grid: a named FK template (steps 100) whose particles and lambda each problem sets. */
    record Setting(String name, FkSteering template) {
        FkSteering fk(int k, double lambda) {
            return template.withParticles(k).withLambda(lambda);
        }

        /** This setting, renamed, with the changes applied in order. */
        @SafeVarargs
        final Setting with(String n, UnaryOperator<FkSteering>... changes) {
            FkSteering f = template;
            for (UnaryOperator<FkSteering> c : changes) f = c.apply(f);
            return new Setting(n, f);
        }
    }

    /** The first scored step's time. */
    static UnaryOperator<FkSteering> start(double v) {
        return f -> f.withSchedule(new ResampleSchedule(v, f.schedule().end(), f.schedule().count(), f.schedule().every(), f.schedule().essThreshold()));
    }

    /** n scorings in [start, 0.95]. */
    static UnaryOperator<FkSteering> count(int n) {
        return f -> f.withSchedule(new ResampleSchedule(f.schedule().start(), 0.95, n, 0, f.schedule().essThreshold()));
    }

    /** A scoring every n steps from start to the end. */
    static UnaryOperator<FkSteering> every(int n) {
        return f -> f.withSchedule(new ResampleSchedule(f.schedule().start(), 1.0, 0, n, f.schedule().essThreshold()));
    }

    static UnaryOperator<FkSteering> ess(double v) {
        return f -> f.withSchedule(new ResampleSchedule(f.schedule().start(), f.schedule().end(), f.schedule().count(), f.schedule().every(), v));
    }

    static UnaryOperator<FkSteering> stoch(double v) {
        return f -> f.withStochasticity(v);
    }

    static UnaryOperator<FkSteering> temper(Tempering t) {
        return f -> f.withTempering(t);
    }

    static UnaryOperator<FkSteering> potential(Potential p) {
        return f -> f.withPotential(p);
    }

    static UnaryOperator<FkSteering> guidance(double g) {
        return f -> f.withGuidance(g);
    }

    /** The many:K intermediate (2 lookahead steps). */
    static UnaryOperator<FkSteering> many(int k) {
        return f -> f.withManySamples(k).withIntermediate(Intermediate.MANY);
    }

    static final int STEPS = 100;

    /** The defaults before this study: 5 scorings in [0.6, 0.95], ESS 0.5, stochasticity 0.1, no tempering. */
    static final Setting OLD = new Setting("old defaults", new FkSteering(1, STEPS, new Sampler(Sampler.Kind.SDE, 0.1), 1.0, Potential.DIFF,
            Intermediate.X1HAT, 2, new ResampleSchedule(0.6, 0.95, 5, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0, 0, 1,
            null, Tempering.NONE));

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
                settings.add(OLD.with("start 0.3", start(0.3)));
                settings.add(OLD.with("start 0.1", start(0.1)));
                settings.add(OLD.with("count 10", count(10)));
                settings.add(OLD.with("every 5", every(5)));
                settings.add(OLD.with("every 1", every(1)));
                settings.add(OLD.with("ess 0.3", ess(0.3)));
                settings.add(OLD.with("ess 0.8", ess(0.8)));
                settings.add(OLD.with("ess 1", ess(1.0)));
                settings.add(OLD.with("stoch 0.5", stoch(0.5)));
                settings.add(OLD.with("stoch 1", stoch(1.0)));
                settings.add(OLD.with("adaptive", temper(Tempering.adaptive(0.5))));
                settings.add(OLD.with("linear", temper(Tempering.LINEAR)));
            }
            case "quick" -> settings.add(OLD);
            case "grid3" -> {
                Setting b = OLD.with("s0.1 e1", start(0.1), every(1));
                for (double st : new double[] {1, 2, 3}) {
                    settings.add(b.with("st" + st, stoch(st)));
                    settings.add(b.with("st" + st + " ess0.3", stoch(st), ess(0.3)));
                    settings.add(b.with("st" + st + " g1", stoch(st), guidance(1.0)));
                    settings.add(b.with("st" + st + " g2", stoch(st), guidance(2.0)));
                }
                settings.add(b.with("s0.3 st1", start(0.3), stoch(1.0)));
                settings.add(b.with("e2 st1", every(2), stoch(1.0)));
                settings.add(b.with("e5 st1", every(5), stoch(1.0)));
            }
            case "temper" -> {
                Setting b = OLD.with("st1", stoch(1.0));
                for (Setting sc : List.of(b.with("c5 s0.6"), b.with("c5 s0.1", start(0.1)), b.with("e10 s0.1", start(0.1), every(10)))) {
                    settings.add(sc);
                    settings.add(sc.with(sc.name() + " ad0.5", temper(Tempering.adaptive(0.5))));
                    settings.add(sc.with(sc.name() + " ad0.9", temper(Tempering.adaptive(0.9))));
                    settings.add(sc.with(sc.name() + " lin", temper(Tempering.LINEAR)));
                }
            }
            case "final" -> {
                settings.add(OLD);
                Setting c10 = OLD.with("s0.1 c10 st1", start(0.1), count(10), stoch(1.0));
                settings.add(c10);
                settings.add(c10.with("s0.1 c10 st0.5", stoch(0.5)));
                settings.add(c10.with("s0.1 c10 st2", stoch(2.0)));
                settings.add(c10.with("s0.1 e1 st1", every(1)));
                settings.add(c10.with("s0.1 c5 st1", count(5)));
                settings.add(c10.with("s0.1 c20 st1", count(20)));
                settings.add(c10.with("s0.1 c10 st1 ad", temper(Tempering.adaptive(0.5))));
            }
            case "starts" -> {
                for (double st : new double[] {1.0, 0.1})
                    for (double start : new double[] {0.1, 0.2, 0.3, 0.4, 0.6})
                        settings.add(OLD.with("start " + start + " st" + st, start(start), stoch(st)));
            }
            case "guided" -> {
                Setting d = OLD.with("unguided, defaults", stoch(1.0));
                Setting early = d.with("unguided, from 0.1", start(0.1));
                settings.add(d);
                settings.add(early);
                for (double g : new double[] {0.5, 1.0}) {
                    settings.add(d.with("guided " + g + ", from 0.6", guidance(g)));
                    settings.add(early.with("guided " + g + ", from 0.1", guidance(g)));
                }
                settings.add(early.with("guided 0.5, from 0.1, adaptive", guidance(0.5), temper(Tempering.adaptive(0.5))));
                settings.add(early.with("guided 0.5, from 0.1, many:4 twist", guidance(0.5), many(4)));
            }
            case "potentials" -> {
                Setting b = OLD.with("st1", stoch(1.0));
                for (Potential pt : Potential.values()) {
                    settings.add(b.with(pt.cliName(), potential(pt)));
                    settings.add(b.with(pt.cliName() + " ad0.5", potential(pt), temper(Tempering.adaptive(0.5))));
                }
            }
            case "grid2" -> {
                Tempering ad = Tempering.adaptive(0.5);
                settings.add(OLD);
                settings.add(OLD.with("s0.1 e1", start(0.1), every(1)));
                settings.add(OLD.with("s0.1 e1 st1", start(0.1), every(1), stoch(1.0)));
                settings.add(OLD.with("s0.1 e1 ad", start(0.1), every(1), temper(ad)));
                settings.add(OLD.with("s0.1 e1 ad st0.5", start(0.1), every(1), temper(ad), stoch(0.5)));
                settings.add(OLD.with("s0.1 e1 ad st1", start(0.1), every(1), temper(ad), stoch(1.0)));
                settings.add(OLD.with("s0 e1 ad st1", start(0.0), every(1), temper(ad), stoch(1.0)));
                settings.add(OLD.with("s0.1 e1 ad0.8 st1", start(0.1), every(1), temper(Tempering.adaptive(0.8)), stoch(1.0)));
                settings.add(OLD.with("s0.1 e1 ad st1 ess0.8", start(0.1), every(1), temper(ad), stoch(1.0), ess(0.8)));
                settings.add(OLD.with("s0.1 e1 lin st1", start(0.1), every(1), temper(Tempering.LINEAR), stoch(1.0)));
                settings.add(OLD.with("s0.1 e1 st1 g1", start(0.1), every(1), stoch(1.0), guidance(1.0)));
                settings.add(OLD.with("s0.1 e1 ad st1 g1", start(0.1), every(1), temper(ad), stoch(1.0), guidance(1.0)));
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
