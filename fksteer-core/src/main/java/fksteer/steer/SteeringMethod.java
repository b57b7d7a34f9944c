package fksteer.steer;

import fksteer.model.VelocityField;
import fksteer.reward.Reward;

/**
 * An inference-time scaling method: spends compute at sampling time to get samples of higher reward
 * (or, for FK steering, samples of the tilted target p(x) exp(lambda r(x)) / Z). Every method counts
 * network evaluations and reward calls exactly, so methods compare at equal budgets.
 */
public interface SteeringMethod {

    String name();

    SteerResult run(VelocityField field, Reward reward, long seed);

    /** Planned network evaluations of one run (equal to the reported nfe). */
    long plannedNfe();
}
