package fksteer.data;

import fksteer.rng.Rng;

/** The other classic 2D toy distributions, scaled to fit [-3, 3]^2. */
public final class Toy2d {
    private Toy2d() {}

    abstract static class Base implements Dataset {
        @Override
        public int dim() {
            return 2;
        }
    }

    /** Two interleaving half circles with Gaussian noise 0.1 (sklearn's make_moons), scaled by 1.5. */
    public static final class Moons extends Base {
        @Override
        public String name() {
            return "moons";
        }

        @Override
        public void sample(float[] out, int n, long[] rng) {
            for (int i = 0; i < n; i++) {
                double a = Math.PI * Rng.nextDouble(rng, 0);
                boolean upper = Rng.nextDouble(rng, 0) < 0.5;
                double x = upper ? Math.cos(a) : 1 - Math.cos(a);
                double y = upper ? Math.sin(a) : 0.5 - Math.sin(a);
                out[2 * i] = (float) (1.5 * (x - 0.5 + 0.1 * Rng.nextGaussian(rng, 0)));
                out[2 * i + 1] = (float) (1.5 * (y - 0.25 + 0.1 * Rng.nextGaussian(rng, 0)));
            }
        }
    }

    /** Eight Gaussians of std 0.1 on a circle of radius 2. */
    public static final class EightGaussians extends Base {
        @Override
        public String name() {
            return "8gaussians";
        }

        @Override
        public void sample(float[] out, int n, long[] rng) {
            for (int i = 0; i < n; i++) {
                int c = (int) (8 * Rng.nextDouble(rng, 0));
                double a = c * Math.PI / 4;
                out[2 * i] = (float) (2 * Math.cos(a) + 0.1 * Rng.nextGaussian(rng, 0));
                out[2 * i + 1] = (float) (2 * Math.sin(a) + 0.1 * Rng.nextGaussian(rng, 0));
            }
        }
    }

    /** Three concentric rings of radius 0.8, 1.6, 2.4 (mass proportional to radius), noise 0.05. */
    public static final class Rings extends Base {
        @Override
        public String name() {
            return "rings";
        }

        @Override
        public void sample(float[] out, int n, long[] rng) {
            for (int i = 0; i < n; i++) {
                double u = Rng.nextDouble(rng, 0);
                double r = u < 1.0 / 6 ? 0.8 : u < 0.5 ? 1.6 : 2.4;
                double a = 2 * Math.PI * Rng.nextDouble(rng, 0);
                out[2 * i] = (float) (r * Math.cos(a) + 0.05 * Rng.nextGaussian(rng, 0));
                out[2 * i + 1] = (float) (r * Math.sin(a) + 0.05 * Rng.nextGaussian(rng, 0));
            }
        }
    }

    /** A two-dimensional swiss roll (spiral) with noise 0.05. */
    public static final class Spiral extends Base {
        @Override
        public String name() {
            return "spiral";
        }

        @Override
        public void sample(float[] out, int n, long[] rng) {
            for (int i = 0; i < n; i++) {
                double s = 1.5 * Math.PI * (1 + 2 * Rng.nextDouble(rng, 0));
                double x = s * Math.cos(s) / 5.0, y = s * Math.sin(s) / 5.0;
                out[2 * i] = (float) (x + 0.05 * Rng.nextGaussian(rng, 0));
                out[2 * i + 1] = (float) (y + 0.05 * Rng.nextGaussian(rng, 0));
            }
        }
    }
}
