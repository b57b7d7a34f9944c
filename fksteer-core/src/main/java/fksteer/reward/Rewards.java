package fksteer.reward;

import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in rewards and their CLI specs:
 * <ul>
 *   <li>{@code point:X,Y,...}: 1 / (|x - c|^2 + 1e-3), the reference verifier;</li>
 *   <li>{@code line:horizontal,Y} / {@code line:vertical,X}: 1 / (|coordinate - c| + 1e-3);</li>
 *   <li>{@code quadratic:C1,C2,...}: -|x - c|^2;</li>
 *   <li>{@code linear:A1,A2,...}: a . x;</li>
 *   <li>weighted sums: {@code 0.5*point:2,0.5+2*line:vertical,1}.</li>
 * </ul>
 * {@link #parse} reads them strictly: see its grammar.
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

        @Override
        public void evaluateTokens(int[] tokens, int n, double[] out) {
            double[] tmp = new double[n];
            Arrays.fill(out, 0, n, 0.0);
            for (int j = 0; j < terms.size(); j++) {
                terms.get(j).evaluateTokens(tokens, n, tmp);
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

    /**
     * The largest |coordinate| (point, quadratic centre, line position, linear coefficient): 1e30. Then
     * every reward is finite in double at every finite float point (|x - c|^2 <= d (3.4e38 + 1e30)^2,
     * about 1e77 d), and its gradient, kept in float, is finite wherever |x| <= 1e30: |2 (x - c)| <= 4e30,
     * times at most {@link #MAX_TERMS} terms of weight at most {@link #MAX_WEIGHT}, is 2.6e38 < 3.4e38.
     */
    public static final double MAX_COORDINATE = 1e30;
    /** The largest |weight| of a term in a weighted sum. */
    public static final double MAX_WEIGHT = 1e6;
    /** The most terms in a weighted sum. */
    public static final int MAX_TERMS = 64;

    /** A decimal number: an optional '-', digits with an optional fraction, an optional exponent. */
    private static final Pattern NUMBER = Pattern.compile("-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");

    /**
     * Parses a --reward spec. The grammar is strict:
     * <pre>
     *   spec   := term ('+' term)*          at most 64 terms
     *   term   := [number '*'] name ':' args
     *   args   := number (',' number)*      for point, quadratic and linear
     *           | ('horizontal' | 'vertical') ',' number   for line
     *   number := -?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?
     * </pre>
     * Names (point, line, quadratic, linear, horizontal, vertical) are case-insensitive everywhere,
     * alone or inside a sum. Spaces may stand around ':', ',', '*' and '+' and at either end, never
     * inside a number or a name: "point:1 2,3" is an error, not point:12,3. Hex floats, Java suffixes
     * (1d, 1f), NaN, Infinity, empty components and trailing commas are errors. Numbers are finite with
     * |coordinate| <= {@link #MAX_COORDINATE} and |weight| <= {@link #MAX_WEIGHT}. Errors are
     * {@link InvalidSettingException}s for the setting "reward" that quote at most 80 characters of
     * the spec around the problem.
     */
    public static Reward parse(String spec) {
        return parse(spec, java.util.Map.of());
    }

    /**
     * Reads a reward term that this class does not know (an ONNX scorer, say): the text after
     * {@code name:}, up to the next '+' or the end, stripped of spaces. Its errors name the setting "reward".
     */
    @FunctionalInterface
    public interface TermReader {
        Reward read(String args);
    }

    /**
     * {@link #parse(String)} with more term names: {@code name:ARGS} for each name of extra (lower case;
     * matched case-insensitively), whose reader gets ARGS, which run to the next '+' or the end (so they
     * cannot hold a '+'), or the bare {@code name}, whose reader gets "" (and refuses it when it needs
     * arguments). Such terms join weighted sums like the built-ins.
     */
    public static Reward parse(String spec, java.util.Map<String, TermReader> extra) {
        if (spec == null || spec.isBlank()) throw new InvalidSettingException("reward", "is required, e.g. point:2,0.5");
        return new Parser(spec, extra).spec();
    }

    /** Whether r has a gradient: a differentiable built-in, or a weighted sum whose terms all are. */
    public static boolean differentiable(Reward r) {
        if (r instanceof Sum s) return s.terms().stream().allMatch(Rewards::differentiable);
        return r instanceof DifferentiableReward;
    }

    private static final class Parser {
        private final String s;
        private final int n;
        private final java.util.Map<String, TermReader> extra;
        private int i;

        Parser(String s, java.util.Map<String, TermReader> extra) {
            this.s = s;
            this.n = s.length();
            this.extra = extra;
        }

        Reward spec() {
            List<Reward> terms = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            boolean weighted = false;
            do {
                if (terms.size() == MAX_TERMS) throw fail("has more than " + MAX_TERMS + " terms", i);
                skipSpaces();
                double w = 1;
                if (i < n && !isLetter(s.charAt(i))) {
                    int at = i;
                    w = number("a weight or a reward name");
                    if (!(Math.abs(w) <= MAX_WEIGHT)) throw fail("has a weight outside [-" + MAX_WEIGHT + ", " + MAX_WEIGHT + "]", at);
                    skipSpaces();
                    if (!accept('*')) throw fail("needs '*' between a weight and its reward", i);
                    skipSpaces();
                    weighted = true;
                }
                weights.add(w);
                terms.add(term());
                skipSpaces();
            } while (accept('+'));
            if (i < n) throw fail("expected '+' and another term, or the end", i);
            if (terms.size() == 1 && !weighted) return terms.get(0);
            int d = terms.get(0).dim();
            for (Reward r : terms)
                if (r.dim() != d)
                    throw new InvalidSettingException("reward", "terms must have the same dimension, but term 1 has " + d + " and term "
                            + (terms.indexOf(r) + 1) + " has " + r.dim() + ": " + Quote.of(s));
            double[] w = new double[weights.size()];
            for (int k = 0; k < w.length; k++) w[k] = weights.get(k);
            return new Sum(w, terms, s.strip());
        }

        private Reward term() {
            int start = i;
            String kind = word().toLowerCase(Locale.ROOT);
            if (kind.isEmpty()) throw fail("expected a reward name: point, line, quadratic, linear" + extraNames(), start);
            if (extra.containsKey(kind)) {
                skipSpaces();
                if (!accept(':')) {
                    if (i < n && s.charAt(i) != '+') throw fail("needs ':' or '+' after " + kind, i);
                    return extra.get(kind).read("");              // a name without arguments (sentiment): its reader says whether it needs some
                }
                int from = i;
                while (i < n && s.charAt(i) != '+') i++;
                String args = s.substring(from, i).strip();
                if (args.isEmpty()) throw fail("needs arguments after " + kind + ":", from);
                return extra.get(kind).read(args);
            }
            if (!List.of("point", "line", "quadratic", "linear").contains(kind))
                throw fail("has an unknown reward name (use point:X,Y,.. | line:horizontal,Y | line:vertical,X | quadratic:C1,.. | linear:A1,.."
                        + extra.keySet().stream().sorted().map(k -> " | " + k + ":..").reduce("", String::concat) + ")", start);
            skipSpaces();
            if (!accept(':')) throw fail("needs ':' after " + kind, i);
            skipSpaces();
            if (kind.equals("line")) {
                int at = i;
                String dir = word().toLowerCase(Locale.ROOT);
                if (!dir.equals("horizontal") && !dir.equals("vertical"))
                    throw fail("needs line:horizontal,Y or line:vertical,X", at);
                skipSpaces();
                if (!accept(',')) throw fail("needs ',' and a position after line:" + dir, i);
                skipSpaces();
                double c = coordinate("the line's position");
                return new Line(dir.equals("horizontal"), c, s.substring(start, i));
            }
            List<Double> v = new ArrayList<>();
            do {
                skipSpaces();
                v.add(coordinate("coordinate " + (v.size() + 1) + " of " + kind));
                skipSpaces();
                if (i < n && s.charAt(i) != ',' && s.charAt(i) != '+')
                    throw fail("needs ',' between coordinates (a space may not split a number)", i);
            } while (accept(','));
            double[] c = new double[v.size()];
            for (int k = 0; k < c.length; k++) c[k] = v.get(k);
            String t = s.substring(start, i).strip();
            return switch (kind) {
                case "point" -> new Point(c, t);
                case "quadratic" -> new Quadratic(c, t);
                default -> new Linear(c, t);
            };
        }

        private String extraNames() {
            return extra.keySet().stream().sorted().map(k -> ", " + k).reduce("", String::concat);
        }

        private double coordinate(String what) {
            int at = i;
            double v = number(what);
            if (!(Math.abs(v) <= MAX_COORDINATE))
                throw fail("has " + what + " outside [-" + MAX_COORDINATE + ", " + MAX_COORDINATE + "]", at);
            return v;
        }

        /** A decimal number that ends at a separator (space, ',', '*', '+') or the end: so 1d, 0x1p1 and 1.2.3 fail. */
        private double number(String what) {
            Matcher m = NUMBER.matcher(s).region(i, n);
            if (!m.lookingAt() || m.end() < n && ",*+ \t".indexOf(s.charAt(m.end())) < 0)
                throw fail("expected " + what + " as a decimal number (like 2, -0.5 or 1e-3)", i);
            i = m.end();
            return Double.parseDouble(m.group()); // finite here: the callers bound it
        }

        private String word() {
            int start = i;
            while (i < n && isLetter(s.charAt(i))) i++;
            return s.substring(start, i);
        }

        private static boolean isLetter(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
        }

        private boolean accept(char c) {
            if (i < n && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void skipSpaces() {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
        }

        private InvalidSettingException fail(String problem, int at) {
            return new InvalidSettingException("reward", problem + " at character " + (at + 1) + " of " + Quote.around(s, at));
        }
    }
}
