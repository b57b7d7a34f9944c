package fksteer.steer;

import fksteer.kernel.Parallel;
import fksteer.model.VelocityField;
import fksteer.reward.Reward;

/**
 * An inference-time scaling method: spends compute at sampling time to get samples of higher reward
 * (or, for FK steering, samples of the tilted target p(x) exp(lambda r(x)) / Z). Every method counts
 * network evaluations and reward calls exactly, so methods compare at equal budgets.
 *
 * <p>Implementations are immutable, validated records; each starts from {@code defaults(...)} and
 * changes settings with {@code with...} methods.
 */
public interface SteeringMethod {

    String name();

    /** One run on the default thread count ({@link Parallel#setThreads}, or an enclosing {@link Parallel#withThreads}). */
    SteerResult run(VelocityField field, Reward reward, long seed);

    /** One run with its own pool of the given number of threads (caller included); the result does not depend on it. */
    default SteerResult run(VelocityField field, Reward reward, long seed, int threads) {
        return Parallel.withThreads(threads, () -> run(field, reward, seed));
    }

    /** Planned network evaluations of one run (equal to the reported nfe). */
    long plannedNfe();
}
