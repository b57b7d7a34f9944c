package fksteer.steer;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Sizes;
import fksteer.model.CountingField;
import fksteer.process.Chain;
import fksteer.process.FlowProcess;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.resample.LogWeights;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.CountingReward;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Feynman–Kac steering (Singhal et al. 2025, arXiv 2501.06848): k particles follow the model's
 * stochastic sampler; at scheduled steps they are scored by a potential G_s built from intermediate
 * rewards, reweighted and (when the ESS is low) resampled. A final correction makes each lineage's
 * product of potentials exp(lambda r(x1)), so the weighted particles target
 * p_FK(x1) = p(x1) exp(lambda r(x1)) / Z, and the weights give an unbiased estimate of Z.
 *
 * <p>Start from {@link #defaults(int, int)} and change what you need; every wither returns a new,
 * validated configuration:
 * <pre>{@code
 * FkSteering fk = FkSteering.defaults(256, 100).withLambda(1).withPotential(Potential.MAX);
 * }</pre>
 *
 * @param particles      k, the number of particles (>= 1)
 * @param steps          sampler steps from noise to data (>= 1)
 * @param sampler        the proposal: a stochastic sampler so that resampled copies separate (sde for flows;
 *                       ddim with eta > 0, the paper's eta = 1, or ddpm for VP); it must fit the process run
 * @param lambda         the tilt: target p(x) exp(lambda r(x)) / Z (finite)
 * @param potential      how intermediate rewards become potentials
 * @param intermediate   what the intermediate reward scores
 * @param lookaheadSteps steps of the lookahead and of each many:K sample (>= 1 for those kinds)
 * @param schedule       when to score and (maybe) resample
 * @param resampler      how to resample
 * @param output         what to return
 * @param snapshotEvery  keep a snapshot of the particles every this many steps, for plots (0 = none)
 * @param guidance       G of the TDS-style guided proposal (0 = off; > 0 needs a sampler with Gaussian noise): from the
 *                       schedule's first step on, each step's mean shifts by G x lambda_s x sigma^2 x grad r(x̂), and
 *                       the twist's potential is applied at every guided step ({@link GuidedStep})
 * @param manySamples    K of the many:K intermediate (>= 1 for that kind)
 * @param learned        a learned intermediate reward trained beforehand, or null (trained inside run() when needed)
 * @param tempering      how the intermediate targets' tilt rises to lambda (none: lambda at every scored step)
 */
public record FkSteering(int particles, int steps, Sampler sampler, double lambda, Potential potential,
                         Intermediate intermediate, int lookaheadSteps, ResampleSchedule schedule, Resampler resampler,
                         OutputPolicy output, int snapshotEvery, double guidance, int manySamples, LearnedReward learned,
                         Tempering tempering)
        implements SteeringMethod {

    /** Untempered (lambda at every scored step), as the paper. */
    public FkSteering(int particles, int steps, Sampler sampler, double lambda, Potential potential, Intermediate intermediate,
                      int lookaheadSteps, ResampleSchedule schedule, Resampler resampler, OutputPolicy output, int snapshotEvery,
                      double guidance, int manySamples, LearnedReward learned) {
        this(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output, snapshotEvery,
                guidance, manySamples, learned, Tempering.NONE);
    }

    /** Without a pre-trained learned reward (one is trained inside run() when the intermediate is LEARNED). */
    public FkSteering(int particles, int steps, Sampler sampler, double lambda, Potential potential, Intermediate intermediate,
                      int lookaheadSteps, ResampleSchedule schedule, Resampler resampler, OutputPolicy output, int snapshotEvery,
                      double guidance, int manySamples) {
        this(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output, snapshotEvery,
                guidance, manySamples, null);
    }

    /** Without guidance, with 4 samples for many:K. */
    public FkSteering(int particles, int steps, Sampler sampler, double lambda, Potential potential, Intermediate intermediate,
                      int lookaheadSteps, ResampleSchedule schedule, Resampler resampler, OutputPolicy output, int snapshotEvery) {
        this(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output, snapshotEvery, 0, 4);
    }

    public FkSteering withParticles(int k) {
        return new FkSteering(k, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withSteps(int n) {
        return new FkSteering(particles, n, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withSampler(Sampler s) {
        return new FkSteering(particles, steps, s, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    /** The same sampler kind with another stochasticity k (the sde's noise scale). */
    public FkSteering withStochasticity(double k) {
        return withSampler(new Sampler(sampler.kind(), k));
    }

    public FkSteering withLambda(double l) {
        return new FkSteering(particles, steps, sampler, l, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withPotential(Potential p) {
        return new FkSteering(particles, steps, sampler, lambda, p, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    /** Another intermediate reward, keeping lookaheadSteps and manySamples. */
    public FkSteering withIntermediate(Intermediate kind) {
        return withIntermediate(kind, lookaheadSteps, manySamples);
    }

    /** The same settings with another intermediate reward. */
    public FkSteering withIntermediate(Intermediate kind, int lookahead, int samples) {
        return new FkSteering(particles, steps, sampler, lambda, potential, kind, lookahead, schedule, resampler, output,
                snapshotEvery, guidance, samples, learned, tempering);
    }

    public FkSteering withLookaheadSteps(int n) {
        return withIntermediate(intermediate, n, manySamples);
    }

    public FkSteering withManySamples(int k) {
        return withIntermediate(intermediate, lookaheadSteps, k);
    }

    /** The same settings scored by a learned reward trained beforehand (its cost is then paid once, outside run()). */
    public FkSteering withLearned(LearnedReward model) {
        return new FkSteering(particles, steps, sampler, lambda, potential, Intermediate.LEARNED, lookaheadSteps, schedule, resampler,
                output, snapshotEvery, guidance, manySamples, model, tempering);
    }

    public FkSteering withSchedule(ResampleSchedule s) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, s, resampler, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withResampler(Resampler r) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, r, output,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withOutput(OutputPolicy o) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, o,
                snapshotEvery, guidance, manySamples, learned, tempering);
    }

    public FkSteering withSnapshotEvery(int n) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                n, guidance, manySamples, learned, tempering);
    }

    /** The same settings with the proposal guided by reward gradients (G, relative to the tilt; 0 = off). */
    public FkSteering withGuidance(double scale) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, scale, manySamples, learned, tempering);
    }

    /** The same settings with another tempering of the intermediate targets. */
    public FkSteering withTempering(Tempering t) {
        return new FkSteering(particles, steps, sampler, lambda, potential, intermediate, lookaheadSteps, schedule, resampler, output,
                snapshotEvery, guidance, manySamples, learned, t);
    }

    /** Trajectories and optimiser steps used to fit the learned intermediate reward. */
    public static final int LEARNED_TRAJECTORIES = 1024, LEARNED_ITERATIONS = 1500;

    /** What to return at the end. */
    public enum OutputPolicy {
        /** every particle with its normalised weight */
        WEIGHTED,
        /** the particles resampled once more to equal weights */
        RESAMPLED,
        /** only the particle of largest weight */
        ARGMAX;

        public static OutputPolicy parse(String s) {
            for (OutputPolicy p : values()) if (p.name().equalsIgnoreCase(s)) return p;
            throw new fksteer.io.InvalidSettingException("output", "must be one of weighted, resampled, argmax; got '" + s + "'");
        }
    }

    public FkSteering {
        if (sampler == null || potential == null || intermediate == null || schedule == null || resampler == null || output == null
                || tempering == null)
            throw new NullPointerException("every FK setting but learned must be given");
        if (particles < 1) throw new fksteer.io.InvalidSettingException("particles", "must be >= 1, got " + particles);
        if (steps < 1) throw new fksteer.io.InvalidSettingException("steps", "must be >= 1, got " + steps);
        if (!Double.isFinite(lambda)) throw new fksteer.io.InvalidSettingException("lambda", "must be a finite number, got " + lambda);
        if ((intermediate == Intermediate.LOOKAHEAD || intermediate == Intermediate.MANY) && lookaheadSteps < 1)
            throw new fksteer.io.InvalidSettingException("lookaheadSteps", "must be >= 1, got " + lookaheadSteps);
        if (intermediate == Intermediate.MANY && manySamples < 1)
            throw new fksteer.io.InvalidSettingException("manySamples", "must be >= 1, got " + manySamples);
        if (!(guidance >= 0) || !Double.isFinite(guidance))
            throw new fksteer.io.InvalidSettingException("guidance", "must be a finite number >= 0, got " + guidance);
        if (guidance > 0 && !sampler.gaussianNoise())
            throw new fksteer.io.InvalidSettingException("guidance", "needs a sampler with Gaussian noise: sde with stochasticity > 0, ddim with eta > 0, or ddpm",
                    "sampler", "stochasticity");
        if (snapshotEvery < 0) throw new fksteer.io.InvalidSettingException("snapshotEvery", "must be >= 0, got " + snapshotEvery);
    }

    /** Fewest particles for which a collapse (final ESS below 2, or one ancestor) is warned about. */
    public static final int COLLAPSE_MIN_PARTICLES = 16;

    /**
     * The defaults for k particles and the given number of steps, chosen by the study of docs/exactness.md
     * (the error of the weighted mean against exact tilts of four mixtures, at equal NFE):
     * <ul>
     *   <li>sampler: sde with stochasticity 1 (a flow's; on a VP process use
     *       {@code withSampler(new Sampler(Sampler.Kind.DDIM, 1))}, the paper's setting)</li>
     *   <li>lambda: 1 (with a log-likelihood reward, r = log p(c|x), p(x) exp(r(x)) is exactly the
     *       posterior p(x|c); larger lambda sharpens the target toward a point mass)</li>
     *   <li>potential: {@link Potential#DIFF}; tempering: {@link Tempering#NONE}</li>
     *   <li>intermediate: {@link Intermediate#X1HAT}, with lookaheadSteps 4 and manySamples 4 for the kinds that use them</li>
     *   <li>schedule: {@link ResampleSchedule#defaults()}, 5 scorings in [0.6, 0.95] (the reference walkthrough's), resampling when ESS/k &lt; 0.5</li>
     *   <li>resampler: {@link Resampler#SYSTEMATIC}</li>
     *   <li>output: {@link OutputPolicy#WEIGHTED}</li>
     *   <li>snapshotEvery: 0 (no snapshots); guidance: 0 (off); learned: none</li>
     * </ul>
     */
    public static FkSteering defaults(int particles, int steps) {
        return new FkSteering(particles, steps, FlowProcess.STOCHASTIC_SAMPLER, 1.0, Potential.DIFF, Intermediate.X1HAT, 4,
                ResampleSchedule.defaults(), Resampler.SYSTEMATIC, OutputPolicy.WEIGHTED, 0, 0, 4, null, Tempering.NONE);
    }

    /** The flow sde's stochasticity of {@link #defaults}: the flow's own FK sampler's, 1 (0.1 before the exactness study; see docs/exactness.md). */
    public static final double DEFAULT_STOCHASTICITY = FlowProcess.STOCHASTIC_SAMPLER.stochasticity();

    @Override
    public String name() {
        return "fk";
    }

    @Override
    public long plannedNfe() {
        return plannedNfe(Sampler.ode(Sampler.Kind.MIDPOINT), false);
    }

    /** On a process: its lookahead solver's evaluations, both halves of a guidance batch. */
    @Override
    public long plannedNfe(Process process) {
        Sampler lookahead = intermediate == Intermediate.LOOKAHEAD ? process.deterministicSampler() : Sampler.ode(Sampler.Kind.MIDPOINT);
        return plannedNfe(lookahead, intermediate == Intermediate.MANY && process.samplesData()) * process.passes();
    }

    /** freeSamples: many:K draws from the step's output (masked diffusion), at no network cost. */
    private long plannedNfe(Sampler lookaheadSolver, boolean freeSamples) {
        long perScore = freeSamples ? 0 : IntermediateScorer.extraNfePerPoint(intermediate, lookaheadSteps, manySamples, sampler, lookaheadSolver);
        long guided = guidance > 0 ? steps - guidedFrom() : 0;  // a guided step adds one VJP (its forward pass)
        return (long) particles * ((long) steps * sampler.evaluationsPerStep() + guided + perScore * scoredSteps().size());
    }

    /**
     * The first guided step: the schedule's first step (no guidance before, where x̂ carries little
     * information and no potential compensates the proposal), or steps when the schedule is empty.
     */
    int guidedFrom() {
        List<Integer> sched = schedule.steps(steps);
        return sched.isEmpty() ? steps : sched.get(0);
    }

    /**
     * The steps at which the particles are scored and reweighted: the schedule's, and with guidance every
     * step from the first guided one (the twist's potential of every guided step, as TDS). Resampling is
     * considered at the schedule's steps only.
     */
    public List<Integer> scoredSteps() {
        if (!(guidance > 0)) return schedule.steps(steps);
        List<Integer> out = new ArrayList<>();
        for (int s = guidedFrom(); s < steps; s++) out.add(s);
        return java.util.Collections.unmodifiableList(out);
    }

    /**
     * The particles, their streams and the integrator's scratch; the scorer's (lookahead rows for many:K,
     * the learned reward's training data when it is trained in the run); guidance scratch; the weights,
     * potentials, resampling scratch and lineages; per-step diagnostics, snapshots and the output.
     */
    @Override
    public long estimatedBytes(int dim) {
        long k = particles;
        Sizes.Bytes b = new Sizes.Bytes().floats(2, k, dim).longs(2, k).add(Integrator.scratchBytes(sampler.kind(), k, dim))
                .add(IntermediateScorer.scratchBytes(intermediate, manySamples, sampler, k, dim))
                .doubles(2 + 3 + 10 + 2, k).ints(4, k).add(k)                // LogWeights, resampling scratch, per-particle doubles, r1 and nlw; ints; seen
                .doubles(2, steps + 1L).ints(3, steps).add(steps);            // ESS and lambda per step, resampling and scored steps, the schedule
        if (intermediate == Intermediate.LEARNED && learned == null)
            b.add(LearnedReward.trainingBytes(sampler, steps, LEARNED_TRAJECTORIES, dim));
        if (guidance > 0) b.add(GuidedStep.scratchBytes(k, dim)).doubles(k);
        if (snapshotEvery > 0) b.floats((steps + snapshotEvery - 1L) / snapshotEvery + 1, k, dim);
        if (output == OutputPolicy.RESAMPLED) b.floats(k, dim).doubles(5, k).ints(k);
        return b.total();
    }

    /**
     * Algorithm 1 of Singhal et al. (2025) on any process: propose every particle's next state with the
     * process's own (or a guided) transition, score the scheduled steps with a potential, resample when
     * the ESS is low, and at the end correct each lineage to exp(lambda r(x)).
     */
    @Override
    public SteerResult run(Process model, Reward rewardFn, long seed, ProgressListener progress) {
        model.requireSampler(sampler);
        Meter meter = Meter.start(model, rewardFn);
        Process process = meter.process();
        CountingReward reward = meter.reward();
        int k = particles, d = process.dim();
        List<String> warnings = new ArrayList<>();
        if (!sampler.stochastic())
            warnings.add("sampler " + sampler.name() + " with " + (sampler.kind() == Sampler.Kind.DDIM ? "eta " : "stochasticity ")
                    + sampler.stochasticity() + " is deterministic: resampled copies stay identical (use a stochastic sampler)");

        // x_T^i ~ p(x_T) for i = 1..k
        Chain chain = process.chain(sampler, steps, k);
        Particles x = chain.newParticles(k);
        chain.initialNoise(x, seed);
        long[] stepRng = Noise.stepStreams(seed, k);
        long[] resRng = Rng.single(seed, "resampling");
        LearnedReward learned = this.learned;
        if (intermediate == Intermediate.LEARNED && x.discrete())
            throw new InvalidSettingException("intermediate", "learned regresses on continuous states; a token process takes xt, x1hat or many:K");
        if (intermediate == Intermediate.LEARNED && learned == null) {
            progress.progress(0, 1, "training the learned reward");
            // trained on its own counters: its cost is reported apart from sampling
            learned = LearnedReward.train(model.counted(), rewardFn, sampler, steps, LEARNED_TRAJECTORIES, LEARNED_ITERATIONS, seed);
        }
        IntermediateScorer scorer = new IntermediateScorer(intermediate, lookaheadSteps, manySamples, lambda, process, chain, meter, x, k,
                seed, learned);
        GuidedStep guided = guidance > 0 ? new GuidedStep(chain, process.differentiable(), reward, x, k) : null;
        double[] logCorr = guided != null ? new double[k] : null;
        List<Integer> sched = schedule.steps(steps), scored = scoredSteps();
        boolean[] scheduled = new boolean[steps], scoredAt = new boolean[steps];
        for (int s : sched) scheduled[s] = true;
        for (int s : scored) scoredAt[s] = true;
        int guidedFrom = guided != null ? guidedFrom() : steps;
        if (guided != null && guidedFrom >= steps)
            warnings.add("guidance " + guidance + " was not applied: the resampling schedule has no step in " + steps + " steps, and guidance starts there");

        // Everything per particle that a resampling moves lives in x: the state, the cached model output,
        // the conditions (the chain's), and these (the potentials' memory, the twist psi and the lineage).
        double[] bestR = new double[k], sumR = new double[k], psi = new double[k];
        int[] lineage = new int[k];
        Arrays.fill(bestR, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < k; i++) lineage[i] = i;
        x.carry(bestR);
        x.carry(sumR);
        x.carry(psi);
        x.carry(lineage);
        if (guided != null) x.carry(guided.directions(), d);
        x.reservePermute();

        LogWeights lw = new LogWeights(k);
        Resampler.Scratch rs = new Resampler.Scratch(k, k);
        double[] r = new double[k], logG = new double[k], w = new double[k], stat = new double[k], base = new double[k];
        int[] anc = new int[k];
        boolean[] seen = new boolean[k];
        double[] essPerStep = new double[steps + 1];
        double[] lambdas = new double[scored.size()];
        int[] resampledSteps = new int[steps], uniquePerResample = new int[steps];
        int resampledCount = 0, j = 0;
        List<SteerResult.Snapshot> snaps = new ArrayList<>();
        double logZ = 0, ess = k, lambdaNow = 0;
        long nanInvalid = 0;
        int nextSnap = 0;

        progress.progress(0, steps, Meter.STEPS);
        for (int s = 0; s < steps; s++) {
            if (snapshotEvery > 0 && !x.discrete() && s == nextSnap) {
                snaps.add(new SteerResult.Snapshot(String.format(Locale.ROOT, "t = %.2f", chain.time(s)), x.floatsCopy(), k, null));
                nextSnap += snapshotEvery;
            }
            chain.prepare(x, s);                     // the model's output at x_t: used by the score and by the step
            boolean guide = s >= guidedFrom;
            if (scoredAt[s]) {
                if (guide) {
                    guided.direction(x, s, r);       // r(x̂) and the proposal's direction, in one reward call
                    if (intermediate != Intermediate.X1HAT) scorer.score(x, s, r);
                } else {
                    scorer.score(x, s, r);           // r_j^i = r̃(x_t^i)
                }
                nanInvalid += sanitize(r);
                statistics(r, j, bestR, sumR, psi, stat, base);   // log G_j^i(l) = l stat_i - base_i
                lambdaNow = tempering.next(lambda, lambdaNow, j, scored.size(), stat, base, lw, w);
                lambdas[j++] = lambdaNow;
                for (int i = 0; i < k; i++) {
                    double t = scale(lambdaNow, stat[i]);
                    logG[i] = difference(t, base[i]);                  // G_j^i = exp(psi_j - psi_{j-1}) (or the paper's absolute forms)
                    psi[i] = potential.incremental() ? t : psi[i] + logG[i];
                }
                lw.add(logG);                        // w^i *= G_j^i
                if (lw.max() == Double.NEGATIVE_INFINITY)
                    throw new fksteer.io.InvalidSettingException("reward", String.format(Locale.ROOT,
                            "is NaN or -inf for every particle at t = %.3f, so no particle has positive weight", chain.time(s)));
                ess = lw.ess(w);
                if (scheduled[s] && (ess < schedule.essThreshold() * k || schedule.essThreshold() >= 1.0)) {
                    logZ += lw.logMean();            // log Z_s increment: log mean of the weights
                    resampler.resample(w, k, resRng, anc, k, rs);  // a^i ~ Multinomial(w)
                    x.permute(anc);                  // x^i <- x^{a^i}, with everything it carries
                    lw.reset();
                    ess = k;
                    resampledSteps[resampledCount] = s;
                    uniquePerResample[resampledCount++] = unique(lineage, seen);
                }
            }
            if (guide) {
                // proposal tau instead of the model's transition: weight by p_model / tau (keeps the target exact);
                // the twist psi_{j+1} - psi_j of the next step compensates it
                guided.move(x, s, stepRng, guidance * lambdaNow, logCorr);
                lw.add(logCorr);
                if (lw.max() == Double.NEGATIVE_INFINITY)
                    throw new fksteer.io.InvalidSettingException("guidance", "is too large: every particle's proposal weight vanished; lower it");
                ess = lw.ess(w);
            } else {
                chain.advance(x, s, stepRng);        // x_{t+1}^i ~ p(x_{t+1} | x_t^i)
            }
            essPerStep[s] = ess;
            progress.progress(s + 1, steps, Meter.STEPS);
        }

        // Final correction: G_T = exp(lambda r(x1) - psi), so each lineage's product is exp(lambda r(x1)).
        double[] r1 = new double[k];
        meter.score(x, r1);
        nanInvalid += sanitize(r1);
        for (int i = 0; i < k; i++) logG[i] = difference(scale(lambda, r1[i]), psi[i]);
        lw.add(logG);
        if (lw.max() == Double.NEGATIVE_INFINITY)
            throw new fksteer.io.InvalidSettingException("reward", "is NaN or -inf for every final particle, so no particle has positive weight");
        logZ += lw.logMean();
        ess = lw.ess(w);
        essPerStep[steps] = ess;
        if (nanInvalid > 0) warnings.add(nanInvalid + " reward value(s) were NaN and counted as -inf");
        int ancestors = unique(lineage, seen);
        if (k >= COLLAPSE_MIN_PARTICLES && (ess < 2 || ancestors == 1))
            warnings.add(String.format(Locale.ROOT, "FK collapsed: final ESS %.2f of %d particles, %d unique ancestor(s); at lambda %s the "
                    + "tilted target is nearly a point mass, so the output is copies of a few samples: try a lower lambda (--lambda)",
                    ess, k, ancestors, lambda));
        if (snapshotEvery > 0 && !x.discrete()) snaps.add(new SteerResult.Snapshot("t = 1.00", x.floatsCopy(), k, null));

        double[] nlw = new double[k];
        lw.normalizedLog(nlw);
        Particles outX = x;
        double[] outR = r1, outW = nlw;
        switch (output) {
            case WEIGHTED -> { }
            case RESAMPLED -> {
                lw.normalized(w);
                resampler.resample(w, k, resRng, anc, k);
                outX = x.subset(anc, k);
                outR = new double[k];
                for (int i = 0; i < k; i++) outR[i] = r1[anc[i]];
                outW = new double[k];
                Arrays.fill(outW, -Math.log(k));
            }
            case ARGMAX -> {
                int best = 0;
                for (int i = 1; i < k; i++) if (nlw[i] > nlw[best]) best = i;
                outX = x.subset(new int[] {best}, 1);
                outR = new double[] {r1[best]};
                outW = new double[] {0.0};
            }
        }
        Map<String, Object> diag = new LinkedHashMap<>();
        diag.put("logZ", logZ);
        diag.put("gradientCalls", process.gradientCalls());
        diag.put("averageEss", Arrays.stream(essPerStep).average().orElse(k));
        if (learned != null) {
            diag.put("learnedTrainingNfe", learned.trainingNfe());
            diag.put("learnedTrainingSeconds", learned.trainingSeconds());
            diag.put("learnedTrainingLoss", learned.finalLoss());
        }
        diag.put("ess", essPerStep);
        diag.put("finalEss", ess);
        diag.put("resampleSteps", Arrays.stream(resampledSteps, 0, resampledCount).boxed().toList());
        diag.put("scheduledSteps", sched);
        diag.put("scoredSteps", scored);
        diag.put("lambdas", lambdas);
        diag.put("uniqueAncestors", ancestors);
        diag.put("uniqueAncestorsPerResample", Arrays.copyOf(uniquePerResample, resampledCount));
        // a learned reward trained inside this run is reported apart (learnedTrainingSeconds)
        return meter.result(name(), outX, outW, outR, diag, snaps, warnings,
                learned != null && this.learned == null ? learned.trainingSeconds() : 0);
    }

    /**
     * The j-th scoring's potential as a function of the tilt l: log G_j^i(l) = l stat_i - base_i, from the
     * new intermediate rewards r; updates the running max and sum. For the incremental forms base is the
     * previous twist psi_{j-1}; for the paper's absolute forms it is 0. stat, base: Modified.
     */
    private void statistics(double[] r, int j, double[] bestR, double[] sumR, double[] psi, double[] stat, double[] base) {
        for (int i = 0; i < r.length; i++) {
            double ri = r[i];
            bestR[i] = Math.max(bestR[i], ri);
            sumR[i] = sumR[i] + ri;
            if (Double.isNaN(sumR[i])) sumR[i] = Double.NEGATIVE_INFINITY;
            stat[i] = switch (potential) {
                case DIFF, RT -> ri;                              // r_j
                case MAX, MAX_INCREMENT -> bestR[i];              // max_{j' <= j} r_{j'}
                case SUM -> sumR[i];                              // sum_{j' <= j} r_{j'}
                case SUM_INCREMENT -> sumR[i] / (j + 1);          // mean_{j' <= j} r_{j'}
            };
            base[i] = potential.incremental() ? psi[i] : 0.0;
        }
    }

    /** a - b, with equal infinities giving 0 rather than NaN. */
    static double difference(double a, double b) {
        if (a == b) return 0.0;
        double v = a - b;
        return Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v;
    }

    /**
     * lambda * r, with 0 * inf = 0.
     *
     * @throws InvalidSettingException naming lambda when a finite r times lambda overflows a double: the
     *         weights would turn infinite (or vanish) for a reason that has nothing to do with the reward
     */
    static double scale(double lambda, double r) {
        if (lambda == 0) return 0.0;
        double v = lambda * r;
        if (!Double.isFinite(v) && Double.isFinite(r))
            throw new InvalidSettingException("lambda", String.format(Locale.ROOT,
                    "%s times the reward %s overflows a double, so the weights are meaningless; lower it (or rescale the reward)", lambda, r));
        return v;
    }

    /** NaN rewards become -inf; returns how many. */
    static int sanitize(double[] r) {
        int c = 0;
        for (int i = 0; i < r.length; i++)
            if (Double.isNaN(r[i])) {
                r[i] = Double.NEGATIVE_INFINITY;
                c++;
            }
        return c;
    }

    static int unique(int[] ids, boolean[] seen) {
        Arrays.fill(seen, false);
        int c = 0;
        for (int id : ids)
            if (!seen[id]) {
                seen[id] = true;
                c++;
            }
        return c;
    }
}
