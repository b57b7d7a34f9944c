package fksteer.steer;

/**
 * Told how far a run has got; the library itself never prints. A run calls it once per unit of work
 * (a sampler step, a search cycle, a search stage) with {@code done} of {@code total} units of the named
 * stage ("steps", "cycles", "stages"); when the stage changes, {@code done} starts again from 0.
 *
 * <p>Calls come from the run's own thread, between steps, and the stage is a constant string, so a
 * call allocates nothing; a listener that draws should throttle itself (the CLI's bar redraws at most
 * ten times a second). {@link #NONE} ignores everything and is what the three-argument
 * {@link SteeringMethod#run(fksteer.model.VelocityField, fksteer.reward.Reward, long) run} uses.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores progress. */
    ProgressListener NONE = (done, total, stage) -> { };

    /**
     * @param done  units finished, 0 &lt;= done &lt;= total
     * @param total units in this stage
     * @param stage what the units are, e.g. "steps"
     */
    void progress(long done, long total, String stage);
}
