package fksteer.reward;

/** A reward with a gradient: what gradient-guided proposals need. */
public interface DifferentiableReward extends Reward {

    /**
     * out[i] = r(x_i) and grad[i*d .. i*d+d) = grad_x r(x_i). x: Not modified. out, grad: Modified.
     */
    void valueAndGradient(float[] x, int n, double[] out, float[] grad);
}
