package fksteer.data;

import java.util.List;
import java.util.Locale;

/** A 2D toy data distribution that can be sampled quickly (training draws a fresh batch every step). */
public interface Dataset {

    String name();

    int dim();

    /**
     * Fills out[0 .. n*dim) with n independent samples drawn from the sequential stream rng[0].
     * out, rng: Modified.
     */
    void sample(float[] out, int n, long[] rng);

    List<String> NAMES = List.of("checkerboard", "moons", "8gaussians", "rings", "spiral");

    static Dataset byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "checkerboard" -> new Checkerboard();
            case "moons", "two-moons" -> new Toy2d.Moons();
            case "8gaussians", "eight-gaussians" -> new Toy2d.EightGaussians();
            case "rings" -> new Toy2d.Rings();
            case "spiral", "swissroll", "swiss-roll" -> new Toy2d.Spiral();
            default -> throw new fksteer.io.InvalidSettingException("dataset", "must be one of " + String.join(", ", NAMES) + "; got '" + name + "'");
        };
    }
}
