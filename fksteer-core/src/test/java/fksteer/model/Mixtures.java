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
}
