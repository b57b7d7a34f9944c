package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.model.GaussianMixture;
import java.util.Arrays;

/**
 * A Gaussian mixture whose components carry class labels: the ground truth for conditioning. The exact
 * conditional p(x | c) is the mixture restricted to the components of class c, their weights divided by
 * p(c) = sum of those weights; the unconditional model is the whole mixture.
 *
 * <p>Classifier-free guidance (Ho and Salimans 2022) combines the conditional and unconditional outputs
 * of one prediction (ε, v, x0 or velocity, all affine in the score): out = out_u + w (out_c - out_u).
 * At w = 1 it is the exact conditional; at w > 1 its score is ∇log p(x) + w ∇log p(c | x), which pushes
 * samples further toward class c than the conditional does.
 *
 * @param mixture the unconditional mixture
 * @param classes a class label (>= 0) per component
 */
public record ClassConditionalMixture(GaussianMixture mixture, int[] classes) {

    public ClassConditionalMixture {
        InvalidSettingException.require(mixture != null, "mixture", "is required");
        InvalidSettingException.require(classes != null && classes.length == mixture.components(), "classes",
                "must give one label per component (" + mixture.components() + "), got " + (classes == null ? "none" : classes.length));
        for (int c : classes) InvalidSettingException.require(c >= 0, "classes", "must be labels >= 0, got " + c);
        classes = classes.clone();
    }

    @Override
    public int[] classes() {
        return classes.clone();
    }

    /** p(x | c): the components of class c with their weights renormalised by p(c). */
    public GaussianMixture conditional(int c) {
        int m = 0;
        double pc = 0;
        for (int j = 0; j < classes.length; j++)
            if (classes[j] == c) {
                m++;
                pc += mixture.weights()[j];
            }
        if (m == 0)
            throw new InvalidSettingException("condition", "must be one of the classes " + Arrays.toString(Arrays.stream(classes).distinct().sorted().toArray())
                    + ", got " + c);
        double[] w = new double[m], s = new double[m];
        double[][] mu = new double[m][];
        for (int j = 0, i = 0; j < classes.length; j++)
            if (classes[j] == c) {
                w[i] = mixture.weights()[j] / pc;
                s[i] = mixture.stds()[j];
                mu[i++] = mixture.means()[j];
            }
        return new GaussianMixture(w, mu, s);
    }

    /**
     * The ideal network's classifier-free-guided output for n points: out = out_u + scale (out_c - out_u),
     * the conditional and unconditional outputs of prediction p at a process time with coefficients
     * (a, s) and derivatives (da, ds), as {@link MixtureDenoiser#predict}.
     *
     * @param scale the guidance scale w (1 = the exact conditional; 0 = unconditional)
     * @param out   n × d outputs. Modified.
     */
    public void predictGuided(Prediction p, double a, double s, double da, double ds, float[] x, int n, int c, double scale, float[] out) {
        InvalidSettingException.require(Double.isFinite(scale) && scale >= 0, "cfg", "must be a finite number >= 0, got " + scale);
        int len = n * mixture.dim();
        float[] cond = new float[len];
        new MixtureDenoiser(mixture).predict(p, a, s, da, ds, x, n, out);            // unconditional
        new MixtureDenoiser(conditional(c)).predict(p, a, s, da, ds, x, n, cond);    // conditional
        for (int i = 0; i < len; i++) out[i] = (float) (out[i] + scale * ((double) cond[i] - out[i]));
    }
}
