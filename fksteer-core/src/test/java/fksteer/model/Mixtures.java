package fksteer.model;

/** Mixtures shared by the tests. */
public final class Mixtures {
    private Mixtures() {}

    /** Two well-separated 2D components of different widths. */
    public static GaussianMixture twoComponents() {
        return new GaussianMixture(new double[] {0.6, 0.4}, new double[][] {{-1.0, 0.0}, {1.2, 0.8}}, new double[] {0.5, 0.35});
    }

    /** A 3-component mixture in 3 dimensions. */
    public static GaussianMixture threeD() {
        return new GaussianMixture(new double[] {0.5, 0.3, 0.2},
                new double[][] {{1, 0, -1}, {-1, 1, 0.5}, {0, -1.5, 1}}, new double[] {0.6, 0.4, 0.5});
    }

    /**
     * Two 2-D components, 90% and 10%, with a linear reward a = (1, 0.5) that at lambda = 2 moves the
     * minor component's mass from 10% to 96.5%: the strong tilt of the exactness study.
     */
    public static GaussianMixture strongTiltBase() {
        return new GaussianMixture(new double[] {0.9, 0.1}, new double[][] {{-1.0, 0.0}, {1.5, 0.5}}, new double[] {0.45, 0.45});
    }

    public static final double[] STRONG_A = {1.0, 0.5};
    public static final double STRONG_LAMBDA = 2.0;

    /** Three 2-D modes of different widths (multi-modal; with a quadratic reward, the tilt reweights the modes). */
    public static GaussianMixture threeModes() {
        return new GaussianMixture(new double[] {0.5, 0.3, 0.2}, new double[][] {{-1.5, 0.0}, {1.5, 0.0}, {0.0, 1.8}},
                new double[] {0.4, 0.5, 0.35});
    }

    public static final double[] THREE_C = {0.8, 0.9};

    /** Four modes in 5 dimensions. */
    public static GaussianMixture fiveD() {
        return new GaussianMixture(new double[] {0.4, 0.3, 0.2, 0.1},
                new double[][] {{1, 0, 0, -1, 0}, {-1, 1, 0, 0, 0.5}, {0, -1, 1, 0, -0.5}, {0, 0, -1, 1, 1}},
                new double[] {0.5, 0.4, 0.45, 0.35});
    }

    public static final double[] FIVE_A = {0.5, -0.5, 0.5, 1.0, 0.5};
    public static final double[] FIVE_C = {0.5, 0.5, -0.5, 0.5, 0.5};
}
