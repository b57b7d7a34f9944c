package fksteer.steer;

import fksteer.model.GaussianMixture;
import fksteer.model.Mixtures;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;

/**
 * A tilt with a closed form: a Gaussian mixture p, a linear or quadratic reward r and lambda, with the
 * exact tilted mixture p exp(lambda r) / Z and its log Z. The exactness tests and the defaults study
 * (ExactnessStudy, docs/exactness.md) share these.
 */
record TiltProblem(String name, GaussianMixture gm, Reward reward, double lambda, GaussianMixture.Tilted exact) {

    static TiltProblem linear(String name, GaussianMixture gm, double[] a, double lambda) {
        return new TiltProblem(name, gm, new Rewards.Linear(a, "linear"), lambda, gm.tiltLinear(a, lambda));
    }

    static TiltProblem quadratic(String name, GaussianMixture gm, double[] c, double lambda) {
        return new TiltProblem(name, gm, new Rewards.Quadratic(c, "quadratic"), lambda, gm.tiltQuadratic(c, lambda));
    }

    /** 2-D, the minor component's 10% of mass moved to 96.5% by a linear tilt (lambda = 2). */
    static TiltProblem strongLinear() {
        return linear("2-D strong linear", Mixtures.strongTiltBase(), Mixtures.STRONG_A, Mixtures.STRONG_LAMBDA);
    }

    /** 2-D, three modes, quadratic reward at lambda = 1. */
    static TiltProblem threeModes() {
        return quadratic("2-D three modes, quadratic", Mixtures.threeModes(), Mixtures.THREE_C, 1.0);
    }

    /** 5-D, four modes, linear reward at lambda = 1.5. */
    static TiltProblem fiveDLinear() {
        return linear("5-D four modes, linear", Mixtures.fiveD(), Mixtures.FIVE_A, 1.5);
    }

    /** 5-D, four modes, quadratic reward at lambda = 1. */
    static TiltProblem fiveDQuadratic() {
        return quadratic("5-D four modes, quadratic", Mixtures.fiveD(), Mixtures.FIVE_C, 1.0);
    }

    int dim() {
        return gm.dim();
    }

    /** The exact tilted mean. */
    double[] mean() {
        return exact.mixture().mean();
    }

    /**
     * The iid floor: the root mean squared error of the mean of k exact samples of the tilt,
     * sqrt(trace(Cov) / k).
     */
    double floor(int k) {
        double[][] c = exact.mixture().covariance();
        double tr = 0;
        for (int i = 0; i < c.length; i++) tr += c[i][i];
        return Math.sqrt(tr / k);
    }

    /** |weighted mean - exact mean|^2 over every coordinate. */
    double squaredError(SteerResult r) {
        double[] m = mean();
        double s = 0;
        for (int c = 0; c < m.length; c++) s += Math.pow(r.weightedMean(c) - m[c], 2);
        return s;
    }
}
