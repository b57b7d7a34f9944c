package fksteer.model;

/** A velocity field that can backpropagate: the vector-Jacobian product of v with respect to x. */
public interface DifferentiableField extends VelocityField {

    /**
     * out[i*d .. i*d+d) = (dv/dx (x_i, t))^T g_i, the vector-Jacobian product at each point.
     * x, g: Not modified. out: Modified.
     */
    void vjp(float[] x, int n, float t, float[] g, float[] out);
}
