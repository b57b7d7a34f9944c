package fksteer.steer;

import fksteer.kernel.Parallel;
import fksteer.model.VelocityField;
import fksteer.process.FlowProcess;
import fksteer.process.Process;
import fksteer.reward.Reward;

/**
 * An inference-time scaling method: spends compute at sampling time to get samples of higher reward
 * (or, for FK steering, samples of the tilted target p(x) exp(lambda r(x)) / Z). Every method is
 * written once against {@link Process}, so it runs on flows in both time conventions and on VP
 * diffusion alike; a method that cannot apply to a process says so in one line. Every method counts
 * network evaluations and reward calls exactly, so methods compare at equal budgets.
 *
 * <p>Implementations are immutable, validated records; each starts from {@code defaults(...)} and
 * changes settings with {@code with...} methods.
 */
public interface SteeringMethod {

    String name();

    /** One run on the default thread count ({@link Parallel#setThreads}, or an enclosing {@link Parallel#withThreads}). */
    default SteerResult run(Process process, Reward reward, long seed) {
        return run(process, reward, seed, ProgressListener.NONE);
    }

    /** {@link #run(Process, Reward, long)}, telling {@code progress} how far it has got (steps, cycles or stages). */
    SteerResult run(Process process, Reward reward, long seed, ProgressListener progress);

    /** One run with its own pool of the given number of threads (caller included); the result does not depend on it. */
    default SteerResult run(Process process, Reward reward, long seed, int threads) {
        return Parallel.withThreads(threads, () -> run(process, reward, seed));
    }

    /** A flow-matching velocity field with noise at t = 0: {@link FlowProcess#of(VelocityField)}. */
    default SteerResult run(VelocityField field, Reward reward, long seed) {
        return run(FlowProcess.of(field), reward, seed);
    }

    default SteerResult run(VelocityField field, Reward reward, long seed, ProgressListener progress) {
        return run(FlowProcess.of(field), reward, seed, progress);
    }

    default SteerResult run(VelocityField field, Reward reward, long seed, int threads) {
        return run(FlowProcess.of(field), reward, seed, threads);
    }

    /** Planned network evaluations of one run on a flow (equal to the reported nfe). */
    long plannedNfe();

    /**
     * Planned network evaluations of one run on this process: both halves of a classifier-free guidance
     * batch count. Equal to the reported nfe, except that a VP lookahead starting fewer timesteps from the
     * data end than it has steps takes one step per remaining timestep, so this is then an upper bound.
     */
    default long plannedNfe(Process process) {
        return plannedNfe() * process.passes();
    }

    /**
     * An estimate, in bytes, of the heap one run needs for a model of dimension dim, made before it
     * starts so that a caller can refuse a run that cannot fit ({@code Runtime.maxMemory()}). It adds up
     * the arrays that grow with the settings (particles, expansions, steps, lookahead samples): states and
     * the integrator's scratch, weights, rewards, random streams, snapshots and the result. It leaves out
     * the model's own parameters and per-thread network scratch, which do not grow with the run, and the
     * caller's own output (JSON, plots). Computed in long; saturates at Long.MAX_VALUE. Tested to be at
     * least what a run allocates and within a small factor of it.
     */
    long estimatedBytes(int dim);
}
