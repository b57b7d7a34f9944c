package fksteer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import fksteer.reward.DifferentiableReward;
import fksteer.reward.Rewards;
import fksteer.rng.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gradients against central finite differences. */
class GradientTest {

    /** g . v(x, t) in double, for finite differences of the VJP. */
    static double gv(VelocityField f, float[] x, float t, float[] g) {
        float[] v = new float[x.length];
        f.velocity(x, 1, t, v);
        double s = 0;
        for (int k = 0; k < x.length; k++) s += (double) g[k] * v[k];
        return s;
    }

    static void checkVjp(DifferentiableField f, float h, double tol) {
        int d = f.dim();
        long[] st = Rng.single(4, "vjp");
        for (float t : new float[] {0.05f, 0.4f, 0.8f, 0.97f}) {
            for (int rep = 0; rep < 5; rep++) {
                float[] x = new float[d], g = new float[d], out = new float[d];
                for (int k = 0; k < d; k++) {
                    x[k] = (float) (1.2 * Rng.nextGaussian(st, 0));
                    g[k] = (float) Rng.nextGaussian(st, 0);
                }
                f.vjp(x, 1, t, g, out);
                for (int k = 0; k < d; k++) {
                    float[] xp = x.clone(), xm = x.clone();
                    xp[k] += h;
                    xm[k] -= h;
                    double fd = (gv(f, xp, t, g) - gv(f, xm, t, g)) / (xp[k] - xm[k]);
                    assertEquals(fd, out[k], tol * (1 + Math.abs(fd)), "t " + t + " coord " + k);
                }
            }
        }
    }

    /** The mixture's field is evaluated in double and rounded to float: h = 1e-2 keeps FD rounding near 1e-5. */
    @Test
    void mixtureVjpMatchesFiniteDifferences() {
        checkVjp(Mixtures.twoComponents(), 1e-2f, 2e-3);
        checkVjp(Mixtures.threeD(), 1e-2f, 2e-3);
    }

    /** The MLP runs in float: float rounding of g.v (about 1e-6 relative) over 2h = 0.02 bounds the FD error near 1e-4. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void mlpVjpMatchesFiniteDifferences(int d) {
        checkVjp(new MlpFlow(Mlp.init(MlpFlow.architecture(d, 32, 3), 17)), 1e-2f, 3e-3);
    }

    @Test
    void rewardGradientsMatchFiniteDifferences() {
        for (String spec : new String[] {"point:2,0.5", "quadratic:2,0.5", "linear:1,-0.5", "line:horizontal,1", "line:vertical,-1",
                "0.5*point:1,1+2*quadratic:0,0"}) {
            DifferentiableReward r = (DifferentiableReward) Rewards.parse(spec);
            long[] st = Rng.single(5, spec);
            for (int rep = 0; rep < 20; rep++) {
                float[] x = {(float) Rng.nextGaussian(st, 0), (float) Rng.nextGaussian(st, 0)};
                double[] v = new double[1];
                float[] g = new float[2];
                r.valueAndGradient(x, 1, v, g);
                for (int k = 0; k < 2; k++) {
                    double h = 1e-3 / (1 + Math.sqrt(Math.abs(g[k]))); // smaller steps where the reward is steep
                    float[] xp = x.clone(), xm = x.clone();
                    xp[k] += (float) h;
                    xm[k] -= (float) h;
                    double[] a = new double[1], b = new double[1];
                    r.evaluate(xp, 1, a);
                    r.evaluate(xm, 1, b);
                    double fd = (a[0] - b[0]) / (xp[k] - xm[k]);
                    assertEquals(fd, g[k], 1e-2 * (1 + Math.abs(fd)), spec + " coord " + k);
                }
            }
        }
    }
}
