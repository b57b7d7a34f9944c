package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
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
 *
 * <p>Start from {@link #defaults(int, int, double)}: {@code GuidedSampling.defaults(256, 100, 1).withStochasticity(1)}.
 *
 * @param particles k, the number of samples (>= 1)
 * @param steps     sampler steps from t = 0 to 1 (>= 1)
 * @param sampler   sde with stochasticity > 0 (flows), ddim with eta > 0 or ddpm (VP)
 * @param guidance  the guidance scale (> 0)
 */
public record GuidedSampling(int particles, int steps, Sampler sampler, double guidance) implements SteeringMethod {

    public GuidedSampling {
        java.util.Objects.requireNonNull(sampler, "sampler");
        if (particles < 1) throw new fksteer.io.InvalidSettingException("particles", "must be >= 1, got " + particles);
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        if (!sampler.gaussianNoise())
            throw new fksteer.io.InvalidSettingException("sampler", "must have Gaussian noise for guided sampling: sde with stochasticity > 0, "
                    + "ddim with eta > 0, or ddpm", "stochasticity");
        if (!(guidance > 0) || !Double.isFinite(guidance)) throw new fksteer.io.InvalidSettingException("guidance", "must be a finite number > 0, got " + guidance);
    }

    /** k samples with the given steps and guidance scale, sampler sde with stochasticity 0.1. */
    public static GuidedSampling defaults(int particles, int steps, double guidance) {
        return new GuidedSampling(particles, steps, new Sampler(Sampler.Kind.SDE, 0.1), guidance);
    }

    public GuidedSampling withParticles(int k) {
        return new GuidedSampling(k, steps, sampler, guidance);
    }

    public GuidedSampling withSteps(int n) {
        return new GuidedSampling(particles, n, sampler, guidance);
    }

    public GuidedSampling withSampler(Sampler s) {
        return new GuidedSampling(particles, steps, s, guidance);
    }

    /** The same sampler kind with another stochasticity k (the sde's noise scale). */
    public GuidedSampling withStochasticity(double k) {
        return withSampler(new Sampler(sampler.kind(), k));
    }

    public GuidedSampling withGuidance(double scale) {
        return new GuidedSampling(particles, steps, sampler, scale);
    }

    @Override
    public String name() {
        return "guidance";
    }

    @Override
    public long plannedNfe() {
        return (long) particles * steps * (sampler.evaluationsPerStep() + 1);
    }

    /** The particles, their streams, the integrator's and the guided step's scratch, rewards and weights. */
    @Override
    public long estimatedBytes(int dim) {
        long k = particles;
        return new Sizes.Bytes().floats(k, dim).longs(2, k).add(Integrator.scratchBytes(sampler.kind(), k, dim))
                .add(GuidedStep.scratchBytes(k, dim)).doubles(4, k).total();
    }

    @Override
    public SteerResult run(Process model, Reward rewardFn, long seed, ProgressListener progress) {
        model.requireSampler(sampler);
        Meter meter = Meter.start(model, rewardFn);
        Process process = meter.process();
        int k = particles, d = model.dim();
        Chain chain = process.chain(sampler, steps, k);
        Particles x = chain.newParticles(k);
        chain.initialNoise(x, seed);
        long[] rng = Noise.stepStreams(seed, k);
        GuidedStep guided = new GuidedStep(chain, process.differentiable(), meter.reward(), x, k);
        double[] ignored = new double[k], rx = new double[k];
        progress.progress(0, steps, Meter.STEPS);
        for (int s = 0; s < steps; s++) {
            chain.prepare(x, s);
            guided.direction(x, s, rx);
            guided.move(x, s, rng, guidance, ignored); // the importance correction is computed and dropped
            progress.progress(s + 1, steps, Meter.STEPS);
        }
        double[] r = new double[k];
        meter.score(x, r);
        int nan = FkSteering.sanitize(r);
        double[] lw = new double[k];
        Arrays.fill(lw, -Math.log(k));
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("gradientCalls", process.gradientCalls());
        List<String> warnings = nan > 0 ? List.of(nan + " reward value(s) were NaN and counted as -inf") : List.of();
        return meter.result(name(), x.floats(), k, d, lw, r, diag, List.of(), warnings, 0);
    }
}
