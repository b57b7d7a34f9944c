package fksteer.reward;

import fksteer.io.InvalidSettingException;
import java.util.Objects;

/** A reward built from a function by {@link Reward#of}: no gradient and no plot marks. */
record LambdaReward(int dim, String spec, Reward.BatchFn fn) implements Reward {

    LambdaReward {
        InvalidSettingException.require(dim >= 1, "dim", "must be >= 1, got " + dim);
        InvalidSettingException.require(spec != null && !spec.isBlank(), "spec", "must be a non-blank name, got '" + spec + "'");
        Objects.requireNonNull(fn, "fn");
    }

    @Override
    public void evaluate(float[] x, int n, double[] out) {
        fn.evaluate(x, n, out);
    }
}
