package fksteer.steer;

import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Sampler;
import java.util.Locale;

/**
 * The defaults study's check on a learned model (docs/exactness.md): FK on the shipped checkerboard flow
 * against importance sampling at equal NFE, per resampling start, on the quadrature truth of
 * CheckerboardSteeringTest. Run like ExactnessStudy.
 */
public final class CheckerboardStudy {
    public static void main(String[] args) {
        CheckerboardSteeringTest.load();
        double[] c = {2, 0.5};
        double lambda = 2;
        Reward r = new Rewards.Quadratic(c, "quadratic:2,0.5");
        CheckerboardSteeringTest.Truth truth = CheckerboardSteeringTest.Truth.of(c, lambda);
        int k = args.length > 0 ? Integer.parseInt(args[0]) : 128, steps = 100, seeds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.printf(Locale.ROOT, "k = %d, %d seeds%n| start | count | stochasticity | mean error FK / IS | z | mass error FK / IS | z |%n|---|---|---|---|---|---|---|%n", k, seeds);
        for (double st : new double[] {1.0, 0.1})
            for (double start : new double[] {0.1, 0.2, 0.3, 0.4, 0.6})
                for (int count : new int[] {5}) {
                    double[] meanDiff = new double[seeds], massDiff = new double[seeds];
                    double me = 0, mi = 0, ma = 0, mb = 0;
                    for (int s = 0; s < seeds; s++) {
                        FkSteering fkm = new FkSteering(k, steps, new Sampler(Sampler.Kind.SDE, st), lambda, Potential.DIFF, Intermediate.X1HAT, 4,
                                new ResampleSchedule(start, 0.95, count, 0, 0.5), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
                        BestOfN is = new BestOfN(k, steps, Sampler.ode(Sampler.Kind.MIDPOINT), 1, true, lambda);
                        SteerResult a = fkm.run(CheckerboardSteeringTest.model, r, 1000 + s), b = is.run(CheckerboardSteeringTest.model, r, 1000 + s);
                        meanDiff[s] = truth.meanError(b) - truth.meanError(a);
                        massDiff[s] = truth.massError(b) - truth.massError(a);
                        me += truth.meanError(a) / seeds;
                        mi += truth.meanError(b) / seeds;
                        ma += truth.massError(a) / seeds;
                        mb += truth.massError(b) / seeds;
                    }
                    System.out.printf(Locale.ROOT, "| %.1f | %d | %.1f | %.3f / %.3f | %.1f | %.3f / %.3f | %.1f |%n", start, count, st, me, mi,
                            fksteer.Stats.mean(meanDiff) / fksteer.Stats.se(meanDiff), ma, mb, fksteer.Stats.mean(massDiff) / fksteer.Stats.se(massDiff));
                }
    }
}
