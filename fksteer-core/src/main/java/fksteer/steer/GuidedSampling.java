package fksteer.steer;

import fksteer.model.CountingField;
import fksteer.model.VelocityField;
import fksteer.reward.CountingReward;
import fksteer.reward.Reward;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.solver.TimeGrid;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain reward-gradient guidance: the guided SDE proposal of {@link GuidedStep} with no weights and no
 * resampling. The baseline the paper compares FK against; it does not target p exp(lambda r) / Z, and
 * its bias is measurable (tested).
 */
public record GuidedSampling(int particles, int steps, Sampler sampler, double guidance) implements SteeringMethod {

    public GuidedSampling {
        if (particles < 1) throw new IllegalArgumentException("--particles must be >= 1, got " + particles);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (sampler.kind() != Sampler.Kind.SDE || !(sampler.stochasticity() > 0))
            throw new IllegalArgumentException("--method guidance needs --sampler sde with --stochasticity > 0");
        if (!(guidance > 0) || !Double.isFinite(guidance)) throw new IllegalArgumentException("--guidance must be a finite number > 0, got " + guidance);
    }

    @Override
    public String name() {
        return "guidance";
    }

    @Override
    public long plannedNfe() {
        return (long) particles * steps * (sampler.evaluationsPerStep() + 1);
    }

    @Override
    public SteerResult run(VelocityField model, Reward rewardFn, long seed) {
        Meter meter = Meter.start(model, rewardFn);
        CountingField field = meter.field();
        CountingReward reward = meter.reward();
        int k = particles, d = model.dim();
        float[] x = Noise.initial(k, d, seed);
        long[] rng = Noise.stepStreams(seed, k);
        Integrator integ = sampler.bind(field, k);
        GuidedStep guided = new GuidedStep(field, reward, integ, guidance, k);
        double[] ignored = new double[k];
        for (int s = 0; s < steps; s++) {
            float t = TimeGrid.at(0, 1, steps, s), h = TimeGrid.at(0, 1, steps, s + 1) - t;
            integ.velocityAt(x, k, t);
            guided.step(x, k, t, h, rng, ignored); // the importance correction is computed and dropped
        }
        double[] r = new double[k];
        reward.evaluate(x, k, r);
        FkSteering.sanitize(r);
        double[] lw = new double[k];
        Arrays.fill(lw, -Math.log(k));
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("gradientCalls", field.gradientCalls());
        return meter.result(name(), x, k, d, lw, r, diag, List.of(), List.of(), 0);
    }
}
