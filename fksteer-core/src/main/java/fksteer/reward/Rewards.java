package fksteer.reward;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The built-in rewards and their CLI specs:
 * <ul>
 *   <li>{@code point:X,Y,...}: 1 / (|x - c|^2 + 1e-3), the reference verifier;</li>
 *   <li>{@code line:horizontal,Y} / {@code line:vertical,X}: 1 / (|coordinate - c| + 1e-3);</li>
 *   <li>{@code quadratic:C1,C2,...}: -|x - c|^2;</li>
 *   <li>{@code linear:A1,A2,...}: a . x;</li>
 *   <li>weighted sums: {@code 0.5*point:2,0.5+2*line:vertical,1}.</li>
 * </ul>
 */
public final class Rewards {
    public static final double EPS = 1e-3;

    private Rewards() {}

    public record Point(double[] c, String spec) implements DifferentiableReward {
        public int dim() {
            return c.length;
        }

        public void evaluate(float[] x, int n, double[] out) {
            squaredDistances(x, n, c, out);
            for (int i = 0; i < n; i++) out[i] = 1.0 / (out[i] + EPS); // r = 1 / (|x - c|^2 + 1e-3)
        }

        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            evaluate(x, n, out);
            int d = c.length;
            for (int i = 0; i < n; i++) {
                double f = -2 * out[i] * out[i]; // grad r = -2 (x - c) / (|x - c|^2 + eps)^2
                for (int k = 0; k < d; k++) grad[i * d + k] = (float) (f * (x[i * d + k] - c[k]));
            }
        }

        @Override
        public double[] targetPoint() {
            return c.length >= 2 ? new double[] {c[0], c[1]} : null;
        }
    }

    public record Line(boolean horizontal, double c, String spec) implements DifferentiableReward {
        public int dim() {
            return 2;
        }

        public void evaluate(float[] x, int n, double[] out) {
            int k = horizontal ? 1 : 0;
            for (int i = 0; i < n; i++) out[i] = 1.0 / (Math.abs(x[2 * i + k] - c) + EPS);
        }

        /** d r / d coordinate = -sign(coordinate - c) / (|coordinate - c| + eps)^2 (0 exactly on the line). */
        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            evaluate(x, n, out);
            int k = horizontal ? 1 : 0;
            for (int i = 0; i < n; i++) {
                grad[2 * i] = 0f;
                grad[2 * i + 1] = 0f;
                grad[2 * i + k] = (float) (-Math.signum(x[2 * i + k] - c) * out[i] * out[i]);
            }
        }

        @Override
        public double horizontalLine() {
            return horizontal ? c : Double.NaN;
        }

        @Override
        public double verticalLine() {
            return horizontal ? Double.NaN : c;
        }
    }

    public record Quadratic(double[] c, String spec) implements DifferentiableReward {
        public int dim() {
            return c.length;
        }

        public void evaluate(float[] x, int n, double[] out) {
            squaredDistances(x, n, c, out);
            for (int i = 0; i < n; i++) out[i] = -out[i]; // r = -|x - c|^2
        }

        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            evaluate(x, n, out);
            int d = c.length;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < d; k++) grad[i * d + k] = (float) (-2 * (x[i * d + k] - c[k])); // grad r = -2 (x - c)
        }

        @Override
        public double[] targetPoint() {
            return c.length >= 2 ? new double[] {c[0], c[1]} : null;
        }
    }

    public record Linear(double[] a, String spec) implements DifferentiableReward {
        public int dim() {
            return a.length;
        }

        public void evaluate(float[] x, int n, double[] out) {
            int d = a.length;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k < d; k++) s += a[k] * x[i * d + k];
                out[i] = s; // r = a . x
            }
        }

        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            evaluate(x, n, out);
            int d = a.length;
            for (int i = 0; i < n; i++) for (int k = 0; k < d; k++) grad[i * d + k] = (float) a[k];
        }
    }

    /** sum_j w_j r_j(x). */
    public record Sum(double[] w, List<Reward> terms, String spec) implements DifferentiableReward {
        public Sum {
            terms = List.copyOf(terms);
            int d = terms.get(0).dim();
            for (Reward r : terms)
                if (r.dim() != d) throw new fksteer.io.InvalidSettingException("reward", "terms must have the same dimension: " + spec);
        }

        public int dim() {
            return terms.get(0).dim();
        }

        public void evaluate(float[] x, int n, double[] out) {
            double[] tmp = new double[n];
            Arrays.fill(out, 0, n, 0.0);
            for (int j = 0; j < terms.size(); j++) {
                terms.get(j).evaluate(x, n, tmp);
                for (int i = 0; i < n; i++) out[i] += w[j] * tmp[i];
            }
        }

        public void valueAndGradient(float[] x, int n, double[] out, float[] grad) {
            int d = dim();
            double[] tmp = new double[n];
            float[] g = new float[n * d];
            Arrays.fill(out, 0, n, 0.0);
            Arrays.fill(grad, 0, n * d, 0f);
            for (int j = 0; j < terms.size(); j++) {
                if (!(terms.get(j) instanceof DifferentiableReward dr))
                    throw new fksteer.io.InvalidSettingException("reward", "term " + terms.get(j).spec() + " has no gradient");
                dr.valueAndGradient(x, n, tmp, g);
                for (int i = 0; i < n; i++) out[i] += w[j] * tmp[i];
                for (int i = 0; i < n * d; i++) grad[i] += (float) (w[j] * g[i]);
            }
        }

        @Override
        public double[] targetPoint() {
            for (Reward r : terms) if (r.targetPoint() != null) return r.targetPoint();
            return null;
        }

        @Override
        public double horizontalLine() {
            for (Reward r : terms) if (!Double.isNaN(r.horizontalLine())) return r.horizontalLine();
            return Double.NaN;
        }

        @Override
        public double verticalLine() {
            for (Reward r : terms) if (!Double.isNaN(r.verticalLine())) return r.verticalLine();
            return Double.NaN;
        }
    }

    /** out[i] = |x_i - c|^2 for n points of dimension c.length. out: Modified. */
    static void squaredDistances(float[] x, int n, double[] c, double[] out) {
        int d = c.length;
        for (int i = 0; i < n; i++) {
            double q = 0;
            for (int k = 0; k < d; k++) {
                double e = x[i * d + k] - c[k];
                q += e * e;
            }
            out[i] = q;
        }
    }

    /** Parses a --reward spec. */
    public static Reward parse(String spec) {
        if (spec == null || spec.isBlank()) throw new fksteer.io.InvalidSettingException("reward", "is required, e.g. point:2,0.5");
        String s = spec.replace(" ", "");
        String[] parts = s.split("\\+(?=([0-9.eE-]+\\*)?[a-z])");
        if (parts.length == 1 && !s.contains("*")) return parseOne(s);
        List<Reward> terms = new ArrayList<>();
        double[] w = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            int star = p.indexOf('*');
            w[i] = star < 0 ? 1.0 : number(p.substring(0, star), "weight in '" + p + "'");
            terms.add(parseOne(star < 0 ? p : p.substring(star + 1)));
        }
        return new Sum(w, terms, s);
    }

    private static Reward parseOne(String s) {
        int colon = s.indexOf(':');
        if (colon < 0) throw bad(s);
        String kind = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String[] args = s.substring(colon + 1).split(",");
        switch (kind) {
            case "point", "quadratic", "linear" -> {
                double[] v = new double[args.length];
                for (int i = 0; i < args.length; i++) v[i] = number(args[i], kind + " coordinate " + (i + 1));
                return switch (kind) {
                    case "point" -> new Point(v, s);
                    case "quadratic" -> new Quadratic(v, s);
                    default -> new Linear(v, s);
                };
            }
            case "line" -> {
                if (args.length != 2 || !(args[0].equals("horizontal") || args[0].equals("vertical")))
                    throw new fksteer.io.InvalidSettingException("reward", "line must be line:horizontal,Y or line:vertical,X; got '" + s + "'");
                return new Line(args[0].equals("horizontal"), number(args[1], "line position"), s);
            }
            default -> throw bad(s);
        }
    }

    private static double number(String t, String what) {
        try {
            double v = Double.parseDouble(t);
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new fksteer.io.InvalidSettingException("reward", ": " + what + " must be a finite number, got '" + t + "'");
        }
    }

    private static IllegalArgumentException bad(String s) {
        return new fksteer.io.InvalidSettingException("reward", "must be point:X,Y | line:horizontal,Y | line:vertical,X | quadratic:C1,C2,... | linear:A1,A2,... "
                + "or a weighted sum like 0.5*point:2,0.5+line:vertical,1; got '" + s + "'");
    }
}
