package fksteer.steer;

import fksteer.model.FlowPath;
import fksteer.model.VelocityField;
import fksteer.reward.Reward;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;

/** Evaluates an {@link Intermediate} reward on a batch at time t; owns its scratch. */
final class IntermediateScorer {
    private final Intermediate kind;
    private final int lookaheadSteps;
    private final Reward reward;
    private final float[] buf;
    private final Integrator ode;
    private final int d;

    IntermediateScorer(Intermediate kind, int lookaheadSteps, VelocityField field, Reward reward, int capacity) {
        this.kind = kind;
        this.lookaheadSteps = lookaheadSteps;
        this.reward = reward;
        this.d = field.dim();
        this.buf = kind == Intermediate.XT ? null : new float[capacity * d];
        this.ode = kind == Intermediate.LOOKAHEAD ? Sampler.ode(Sampler.Kind.MIDPOINT).bind(field, capacity) : null;
    }

    /** Network evaluations per point of one scoring when v(x_t, t) is already known. */
    long extraNfePerPoint() {
        return kind == Intermediate.LOOKAHEAD ? 2L * lookaheadSteps : 0;
    }

    /**
     * out[i] = r(target_i) where target is x_t, x̂1 (from v = v(x_t, t)) or the lookahead endpoint.
     * x, v: Not modified. out: Modified.
     */
    void score(float[] x, float[] v, int n, float t, double[] out) {
        switch (kind) {
            case XT -> reward.evaluate(x, n, out);
            case X1HAT -> {
                FlowPath.predictX1(x, v, t, buf, n * d); // x̂1 = x_t + (1 - t) v
                reward.evaluate(buf, n, out);
            }
            case LOOKAHEAD -> {
                System.arraycopy(x, 0, buf, 0, n * d);
                ode.solve(buf, n, t, 1.0, lookaheadSteps, null);
                reward.evaluate(buf, n, out);
            }
        }
    }
}
