package fksteer.io;

import fksteer.reward.Rewards;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded generators of hostile inputs for the readers: safetensors files, mixture JSON files and
 * reward specs, each mutated by one family of faults. Case i of a generator is a pure function of i,
 * so every run (and CI) sees the same cases; case i belongs to family i mod (number of families).
 *
 * <p>Each case says what a correct reader must do with it: accept it, reject it, or either (a random
 * mutation may or may not leave a valid input). A case to accept may carry a twin, an equivalent
 * input written plainly, which must give the same results.
 */
public final class Fuzz {
    private Fuzz() {}

    public enum Expect { ACCEPT, REJECT, EITHER }

    /** One input: its family, its bytes, what a reader must do, and an optional equivalent twin. */
    public record Case(String family, byte[] bytes, Expect expect, String twin) {
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        static Case of(String family, String text, Expect expect) {
            return new Case(family, text.getBytes(StandardCharsets.UTF_8), expect, null);
        }
    }

    private static SplittableRandom rng(String what, long i) {
        return new SplittableRandom(what.hashCode() * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L + 12345);
    }

    private static <T> T pick(SplittableRandom r, List<T> xs) {
        return xs.get(r.nextInt(xs.size()));
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... xs) {
        return xs[r.nextInt(xs.length)];
    }

    // ------------------------------------------------------------------ safetensors

    public static final List<String> SAFETENSORS_FAMILIES = List.of("valid", "truncation", "header-length", "garbage", "dtypes", "shapes",
            "offsets", "extremes", "duplicates", "bit-flips", "metadata");

    /** A tensor of a file being built: its header entry's parts and its values. */
    private static final class T {
        String name, dtype, shapeJson, offsetsJson, extra = "";
        long[] shape;
        float[] values;
        byte[] data;
        long begin, end;

        String entry(SplittableRandom r) {
            List<String> f = new ArrayList<>(List.of("\"dtype\":" + dtype, "\"shape\":" + shapeJson, "\"data_offsets\":" + offsetsJson));
            shuffle(r, f);
            return json(name) + ":{" + String.join(",", f) + extra + "}";
        }
    }

    /** 1 to maxEdits random edits of t (replace, insert or delete one character from alphabet). t: Modified. */
    private static void garble(SplittableRandom r, StringBuilder t, String alphabet, int maxEdits) {
        for (int k = 1 + r.nextInt(maxEdits); k > 0 && t.length() > 0; k--) {
            int at = r.nextInt(t.length());
            char c = alphabet.charAt(r.nextInt(alphabet.length()));
            switch (r.nextInt(3)) {
                case 0 -> t.setCharAt(at, c);
                case 1 -> t.insert(at, c);
                default -> t.deleteCharAt(at);
            }
        }
    }

    private static <X> void shuffle(SplittableRandom r, List<X> xs) {
        for (int i = xs.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            X t = xs.get(i);
            xs.set(i, xs.get(j));
            xs.set(j, t);
        }
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    static byte[] encode(float[] v, String dtype) {
        int size = switch (dtype) {
            case "F64" -> 8;
            case "F16", "BF16" -> 2;
            default -> 4;
        };
        ByteBuffer b = ByteBuffer.allocate(v.length * size).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            switch (dtype) {
                case "F64" -> b.putDouble(f);
                case "F16" -> b.putShort(Float.floatToFloat16(f));
                case "BF16" -> b.putShort((short) (Float.floatToRawIntBits(f) >>> 16));
                default -> b.putFloat(f);
            }
        }
        return b.array();
    }

    /** A file: 8-byte little-endian header length, the header, the data. */
    static byte[] file(String header, byte[] data, boolean pad) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int p = pad ? (8 - h.length % 8) % 8 : 0;
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + p + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length + p).put(h);
        for (int i = 0; i < p; i++) b.put((byte) ' ');
        return b.put(data).array();
    }

    /** A random valid flow MLP: [t, x] (d + 1) -> hidden layers -> d, weights in [-1, 1], any float dtype. */
    private static List<T> randomMlp(SplittableRandom r) {
        int d = 1 + r.nextInt(3), layers = 1 + r.nextInt(3);
        int[] sizes = new int[layers + 1];
        sizes[0] = d + 1;
        sizes[layers] = d;
        for (int l = 1; l < layers; l++) sizes[l] = 1 + r.nextInt(8);
        String prefix = r.nextInt(8) == 0 ? "model." : "";
        List<T> ts = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (boolean bias : new boolean[] {false, true}) {
                T t = new T();
                t.name = prefix + "net." + 2 * l + (bias ? ".bias" : ".weight");
                t.shape = bias ? new long[] {sizes[l + 1]} : new long[] {sizes[l + 1], sizes[l]};
                t.values = new float[bias ? sizes[l + 1] : sizes[l + 1] * sizes[l]];
                for (int i = 0; i < t.values.length; i++) t.values[i] = (float) (2 * r.nextDouble() - 1);
                t.dtype = "\"" + pick(r, "F32", "F32", "F64", "F16", "BF16") + "\"";
                ts.add(t);
            }
        }
        return ts;
    }

    private static String rawDtype(T t) {
        return t.dtype.replace("\"", "");
    }

    /** Lays the tensors' data out in a random order, fills in shapes and offsets; returns the data section. */
    private static byte[] layout(SplittableRandom r, List<T> ts) {
        List<T> order = new ArrayList<>(ts);
        shuffle(r, order);
        long at = 0;
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        for (T t : order) {
            t.data = encode(t.values, rawDtype(t));
            t.begin = at;
            t.end = at + t.data.length;
            at = t.end;
            data.writeBytes(t.data);
            t.shapeJson = Arrays.toString(t.shape).replace(" ", "");
            t.offsetsJson = "[" + t.begin + "," + t.end + "]";
        }
        return data.toByteArray();
    }

    private static String header(SplittableRandom r, List<T> ts, String metadata) {
        List<String> parts = new ArrayList<>();
        for (T t : ts) parts.add(t.entry(r));
        shuffle(r, parts);
        if (metadata != null) parts.add(r.nextInt(parts.size() + 1), "\"__metadata__\":" + metadata);
        return "{" + String.join(r.nextBoolean() ? "," : ", ", parts) + "}";
    }

    public static Case safetensors(long i) {
        SplittableRandom r = rng("safetensors", i);
        String family = SAFETENSORS_FAMILIES.get((int) Math.floorMod(i, SAFETENSORS_FAMILIES.size()));
        List<T> ts = randomMlp(r);
        String metadata = r.nextInt(3) == 0 ? "{\"format\":\"fksteer-flow-mlp\",\"note\":\"fuzz " + i + "\"}" : null;
        byte[] data = layout(r, ts);
        boolean pad = r.nextBoolean();
        T victim = pick(r, ts);
        Expect expect = Expect.REJECT;
        switch (family) {
            case "valid" -> expect = Expect.ACCEPT;
            case "truncation" -> {
                byte[] f = file(header(r, ts, metadata), data, pad);
                return new Case(family, Arrays.copyOf(f, r.nextInt(f.length)), Expect.REJECT, null);
            }
            case "header-length" -> {
                byte[] f = file(header(r, ts, metadata), data, pad);
                long n = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                long m = switch (r.nextInt(8)) {
                    case 0 -> n + 1 + r.nextInt(16);
                    case 1 -> n - 1 - r.nextInt((int) Math.min(n, 16));
                    case 2 -> 0;
                    case 3 -> -1 - r.nextInt(1000);
                    case 4 -> Long.MAX_VALUE - r.nextInt(1000);
                    case 5 -> f.length + r.nextInt(100);
                    case 6 -> n + (1L << 32);
                    default -> 100_000_000L + r.nextInt(2) * r.nextInt(1 << 20);
                };
                if (m == n) m = n + 1;
                ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, m);
                return new Case(family, f, Expect.REJECT, null);
            }
            case "garbage" -> {
                byte[] f = file(header(r, ts, metadata), data, pad);
                switch (r.nextInt(5)) {
                    case 0 -> { // trailing bytes after the data
                        byte[] g = Arrays.copyOf(f, f.length + 1 + r.nextInt(64));
                        for (int k = f.length; k < g.length; k++) g[k] = (byte) r.nextInt(256);
                        return new Case(family, g, Expect.REJECT, null);
                    }
                    case 1 -> { // bytes inserted into the data section
                        int hl = (int) ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
                        int at = 8 + hl + r.nextInt(f.length - 8 - hl + 1), k = 1 + r.nextInt(16);
                        byte[] g = new byte[f.length + k];
                        System.arraycopy(f, 0, g, 0, at);
                        for (int j = 0; j < k; j++) g[at + j] = (byte) r.nextInt(256);
                        System.arraycopy(f, at, g, at + k, f.length - at);
                        return new Case(family, g, Expect.REJECT, null);
                    }
                    case 2 -> { // all random
                        byte[] g = new byte[r.nextInt(512)];
                        for (int k = 0; k < g.length; k++) g[k] = (byte) r.nextInt(256);
                        return new Case(family, g, Expect.EITHER, null);
                    }
                    case 3 -> { // a random printable header of the right length
                        StringBuilder h = new StringBuilder("{");
                        for (int k = r.nextInt(200); k > 0; k--) h.append((char) (32 + r.nextInt(95)));
                        return new Case(family, file(h.toString(), data, pad), Expect.EITHER, null);
                    }
                    default -> { // junk before the file
                        byte[] g = new byte[f.length + 1 + r.nextInt(8)];
                        for (int k = 0; k < g.length - f.length; k++) g[k] = (byte) r.nextInt(256);
                        System.arraycopy(f, 0, g, g.length - f.length, f.length);
                        return new Case(family, g, Expect.EITHER, null);
                    }
                }
            }
            case "dtypes" -> {
                String old = rawDtype(victim);
                String dt = pick(r, "\"I64\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"I32\"", "\"I16\"", "\"f32\"", "\"float32\"", "\"\"", "\"F128\"",
                        "\"C64\"", "\"F16\"", "\"BF16\"", "\"F32\"", "\"F64\"", "4", "null", "[\"F32\"]", "{}", "\"F32 \"");
                victim.dtype = dt;
                String nd = rawDtype(victim);
                boolean sameSize = List.of("F16", "BF16").contains(nd) && List.of("F16", "BF16").contains(old) || nd.equals(old)
                        && List.of("F32", "F64", "F16", "BF16").contains(nd);
                expect = sameSize ? Expect.EITHER : Expect.REJECT;
            }
            case "shapes" -> {
                long[] s = victim.shape;
                String body = Arrays.toString(s).replace(" ", "").replace("[", "").replace("]", "");
                int k = r.nextInt(12);
                victim.shapeJson = switch (k) {
                    case 0 -> "[" + body.replace(",", ".0,") + ".0]";
                    case 1 -> "[" + s[0] + ".5" + (s.length > 1 ? "," + s[1] : "") + "]";
                    case 2 -> "[\"" + s[0] + "\"" + (s.length > 1 ? "," + s[1] : "") + "]";
                    case 3 -> "[-" + s[0] + (s.length > 1 ? "," + s[1] : "") + "]";
                    case 4 -> "[4294967296,4294967296,16]";
                    case 5 -> "[" + (1L << 62) + "]";
                    case 6 -> "[" + body + ",1]";
                    case 7 -> "[99999999999999999999999]";
                    case 8 -> "[" + s[0] + "e0" + (s.length > 1 ? "," + s[1] : "") + "]";
                    case 9 -> s.length == 2 ? "[" + s[1] + "," + s[0] + "]" : "[1," + s[0] + "]";
                    case 10 -> "[]";
                    default -> "[" + r.nextInt(64) + "," + r.nextInt(64) + "]";
                };
                expect = k >= 9 ? Expect.EITHER : Expect.REJECT;
            }
            case "offsets" -> {
                int k = r.nextInt(9);
                long b = victim.begin, e = victim.end;
                switch (k) {
                    case 0 -> {
                        long sh = (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(8));
                        victim.offsetsJson = "[" + (b + sh) + "," + (e + sh) + "]";
                    }
                    case 1 -> {
                        T other = pick(r, ts);
                        if (other == victim) {
                            victim.offsetsJson = "[" + b + "," + (e + 4) + "]";
                        } else {
                            String o = other.offsetsJson;
                            other.offsetsJson = victim.offsetsJson;
                            victim.offsetsJson = o;
                            if (other.end - other.begin == e - b) expect = Expect.EITHER;
                        }
                    }
                    case 2 -> victim.offsetsJson = "[" + e + "," + b + "]";
                    case 3 -> victim.offsetsJson = "[-4," + (e - b - 4) + "]";
                    case 4 -> victim.offsetsJson = "[" + b + "," + Long.MAX_VALUE + "]";
                    case 5 -> victim.offsetsJson = "[" + b + ".0," + e + "]";
                    case 6 -> victim.offsetsJson = "[" + b + "," + e + "," + e + "]";
                    case 7 -> victim.offsetsJson = "[\"" + b + "\",\"" + e + "\"]";
                    default -> victim.offsetsJson = "[" + b + "," + (e - 1 - r.nextInt((int) Math.max(1, e - b))) + "]";
                }
            }
            case "extremes" -> {
                float[] ext = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f, Float.MAX_VALUE, 1e20f, -1e15f, 1e10f,
                        1e5f, 65504f, 70000f, Float.MIN_VALUE, -0f, 3e4f};
                for (int k = 1 + r.nextInt(3); k > 0; k--) victim.values[r.nextInt(victim.values.length)] = ext[r.nextInt(ext.length)];
                if (r.nextInt(3) == 0) // or every value of a tensor large
                    for (int j = 0; j < victim.values.length; j++) victim.values[j] = (float) Math.pow(10, 1 + r.nextInt(20));
                data = layout(r, ts);
                expect = Expect.EITHER;
            }
            case "duplicates" -> {
                switch (r.nextInt(4)) {
                    case 0 -> { // the same entry twice
                        T copy = new T();
                        copy.name = victim.name;
                        copy.dtype = victim.dtype;
                        copy.shapeJson = victim.shapeJson;
                        copy.offsetsJson = victim.offsetsJson;
                        List<T> more = new ArrayList<>(ts);
                        more.add(copy);
                        return new Case(family, file(header(r, more, metadata), data, pad), Expect.REJECT, null);
                    }
                    case 1 -> { // another tensor renamed to this one's name
                        T other = ts.get(0) == victim ? ts.get(1) : ts.get(0);
                        other.name = victim.name;
                    }
                    case 2 -> victim.extra = "," + pick(r, "\"dtype\":" + victim.dtype, "\"shape\":" + victim.shapeJson,
                            "\"data_offsets\":" + victim.offsetsJson);
                    default -> metadata = "{\"a\":\"1\",\"a\":\"2\"}";
                }
            }
            case "bit-flips" -> {
                byte[] f = file(header(r, ts, metadata), data, pad);
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    int at = r.nextInt(f.length);
                    f[at] ^= (byte) (1 << r.nextInt(8));
                }
                return new Case(family, f, Expect.EITHER, null);
            }
            case "metadata" -> {
                int k = r.nextInt(8);
                metadata = switch (k) {
                    case 0 -> "{\"n\":1}";
                    case 1 -> "{\"n\":{\"a\":\"b\"}}";
                    case 2 -> "null";
                    case 3 -> "[\"a\"]";
                    case 4 -> "\"text\"";
                    case 5 -> "{\"n\":[\"a\"]}";
                    case 6 -> "{\"n\":true}";
                    default -> "{\"unicode ✓\":\"line\\nbreak\",\"empty\":\"\"}";
                };
                expect = k == 7 ? Expect.ACCEPT : Expect.REJECT;
            }
            default -> throw new AssertionError(family);
        }
        return new Case(family, file(header(r, ts, metadata), data, pad), expect, null);
    }

    // ------------------------------------------------------------------ mixtures

    public static final List<String> MIXTURE_FAMILIES = List.of("valid", "truncation", "trailing", "duplicates", "unknown-fields",
            "wrong-types", "extremes", "weight-sums", "dimensions", "garbage", "non-standard-json");

    private static String nums(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.append(']').toString();
    }

    private static String mixtureText(SplittableRandom r, Map<String, String> fields) {
        List<String> keys = new ArrayList<>(fields.keySet());
        shuffle(r, keys);
        String sep = pick(r, ",", ", ", ",\n  ");
        List<String> parts = new ArrayList<>();
        for (String k : keys) parts.add(json(k) + pick(r, ":", ": ") + fields.get(k));
        return "{" + String.join(sep, parts) + "}";
    }

    /** A random valid plain mixture: m components in d dimensions, as numbers and as the file's fields in a mutable map. */
    private record Base(int m, int d, double[] w, double[] s, double[][] mu, Map<String, String> fields) {}

    private static Base base(SplittableRandom r) {
        int m = 1 + r.nextInt(4), d = 1 + r.nextInt(4);
        double[] w = new double[m], s = new double[m];
        double[][] mu = new double[m][d];
        double sum = 0;
        for (int j = 0; j < m; j++) sum += w[j] = 0.1 + r.nextDouble();
        for (int j = 0; j < m; j++) {
            w[j] /= sum;
            s[j] = 0.2 + 1.3 * r.nextDouble();
            for (int k = 0; k < d; k++) mu[j][k] = 6 * r.nextDouble() - 3;
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("type", "\"gaussian-mixture\"");
        f.put("weights", nums(w));
        f.put("stds", nums(s));
        StringBuilder means = new StringBuilder("[");
        for (int j = 0; j < m; j++) means.append(j == 0 ? "" : ",").append(nums(mu[j]));
        f.put("means", means.append(']').toString());
        return new Base(m, d, w, s, mu, f);
    }

    public static Case mixture(long i) {
        SplittableRandom r = rng("mixture", i);
        String family = MIXTURE_FAMILIES.get((int) Math.floorMod(i, MIXTURE_FAMILIES.size()));
        Base base = base(r);
        int m = base.m(), d = base.d();
        double[] w = base.w(), s = base.s();
        double[][] mu = base.mu();
        Map<String, String> f = base.fields();
        Expect expect = Expect.REJECT;
        String suffix = "";
        switch (family) {
            case "valid" -> {
                expect = Expect.ACCEPT;
                suffix = pick(r, "", "\n", " \n\t ");
            }
            case "truncation" -> {
                String t = mixtureText(r, f);
                return Case.of(family, t.substring(0, r.nextInt(t.length())), Expect.REJECT);
            }
            case "trailing" -> suffix = pick(r, "", " ", "\n") + pick(r, "x", "}", "{}", "[]", "1", "\"s\"", ",", "//c", "/*c*/", "\u0000", "{\"type\":1}",
                    String.valueOf((char) (33 + r.nextInt(94))));
            case "duplicates" -> {
                String k = pick(r, List.copyOf(f.keySet()));
                String t = mixtureText(r, f);
                String extra = json(k) + ":" + (r.nextBoolean() ? f.get(k) : k.equals("type") ? "\"gaussian-mixture\"" : "[1]");
                return Case.of(family, t.substring(0, t.length() - 1) + "," + extra + "}", Expect.REJECT);
            }
            case "unknown-fields" -> f.put(pick(r, "Process", "predictions", "labels", "Weights", "type2", "", "foo", "__metadata__"),
                    pick(r, "\"x\"", "1", "null", "[]", "{}"));
            case "wrong-types" -> {
                String k = pick(r, List.copyOf(f.keySet()));
                f.put(k, switch (k) {
                    case "type" -> pick(r, "1", "null", "\"gmm\"", "\"Gaussian-Mixture\"", "[\"gaussian-mixture\"]");
                    case "means" -> pick(r, "[1,2]", "\"x\"", "null", "{}", "[[\"a\"]]", "[[null]]", "[[1,[2]]]", "true");
                    default -> pick(r, "\"1\"", "null", "[[1]]", "{}", "[\"0.5\"]", "true", "[true]", "[{}]");
                });
            }
            case "extremes" -> {
                String x = pick(r, "1e308", "-1e308", "1e400", "-1e400", "1e-320", "0", "-0.0", "1e6", "1000001", "1e7", "1e-4", "9e-5", "1e4",
                        "10001", "123456789012345678901234567890", "4.9e-324", "1e-7", "-1e6", "1e-300");
                String k = pick(r, "weights", "stds", "means");
                String v = f.get(k);
                int at = v.indexOf(k.equals("means") ? "[[" : "[") + (k.equals("means") ? 2 : 1);
                int end = at;
                while (end < v.length() && ",]".indexOf(v.charAt(end)) < 0) end++;
                f.put(k, v.substring(0, at) + x + v.substring(end));
                expect = Expect.EITHER;
            }
            case "weight-sums" -> {
                double[] deltas = {1e-3, -1e-3, 1e-5, -1e-5, 2e-6, -2e-6, 1e-7, -1e-7, 5e-7, -5e-7, 1};
                double delta = deltas[r.nextInt(deltas.length)];
                double[] w2 = w.clone();
                if (delta == 1) for (int j = 0; j < m; j++) w2[j] *= 2;
                else w2[0] += delta;
                f.put("weights", nums(w2));
                expect = delta == 1 || Math.abs(delta) > 1.5e-6 ? Expect.REJECT : Expect.ACCEPT;
            }
            case "dimensions" -> {
                switch (r.nextInt(5)) {
                    case 0 -> {
                        if (m >= 2) {
                            double[] row = Arrays.copyOf(mu[1], d + (r.nextBoolean() || d == 1 ? 1 : -1));
                            String mm = f.get("means");
                            int a = mm.indexOf(nums(mu[1]));
                            f.put("means", mm.substring(0, a) + nums(row) + mm.substring(a + nums(mu[1]).length()));
                        } else f.put("means", "[[]]");
                    }
                    case 1 -> f.put("weights", nums(Arrays.copyOf(w, m - 1 + 2 * r.nextInt(2))));
                    case 2 -> f.put("stds", nums(Arrays.copyOf(s, m - 1 + 2 * r.nextInt(2))));
                    case 3 -> {
                        f.put("weights", "[]");
                        f.put("means", "[]");
                        f.put("stds", "[]");
                    }
                    default -> { // one component of too high a dimension
                        int big = pick(r, Models.MAX_MIXTURE_DIM + 1, 100_000);
                        f.put("weights", "[1]");
                        f.put("stds", "[1]");
                        f.put("means", "[" + nums(new double[big]).replace(".0", "") + "]");
                    }
                }
            }
            case "garbage" -> {
                StringBuilder t = new StringBuilder(mixtureText(r, f));
                String alphabet = "0123456789{}[],:\"-.eE+ \n\ttruefalsnl\\\u00e9\u2028\ud83d\ude00\u0000";
                garble(r, t, alphabet, 5);
                byte[] b = t.toString().getBytes(StandardCharsets.UTF_8);
                if (r.nextInt(4) == 0) b[r.nextInt(b.length)] = (byte) (0x80 + r.nextInt(128)); // perhaps invalid UTF-8
                return new Case(family, b, Expect.EITHER, null);
            }
            case "non-standard-json" -> {
                String x = pick(r, "NaN", "Infinity", "-Infinity", "0x10", "1.", ".5", "+1", "01", "'a'", "1e", "--1");
                String k = pick(r, "weights", "stds");
                String v = f.get(k);
                f.put(k, "[" + x + v.substring(v.indexOf(',') < 0 ? v.length() - 1 : v.indexOf(',')));
                if (r.nextInt(4) == 0) {
                    f.put(k, v); // or a comment, or single quotes around a key
                    String t = mixtureText(r, f);
                    return Case.of(family, r.nextBoolean() ? "/* c */" + t : t.replaceFirst("\"type\"", "'type'"), Expect.REJECT);
                }
            }
            default -> throw new AssertionError(family);
        }
        return Case.of(family, mixtureText(r, f) + suffix, expect);
    }

    // ------------------------------------------------------------------ mixtures with a process, a prediction and classes

    public static final List<String> PROCESS_FAMILIES = List.of("valid", "invalid", "extremes", "garbage", "truncation");

    /** A random valid choice of the optional fields: a process object (fields in JSON text; null for none), a prediction, classes. */
    private static final class ProcessFields {
        Map<String, String> process = new LinkedHashMap<>();
        String prediction, classes;
        boolean vp, cosine, linearKind, noiseAt1;

        /** Puts the fields into the file's fields f, the process object's in a random order. */
        void into(SplittableRandom r, Map<String, String> f) {
            if (process != null) {
                List<String> keys = new ArrayList<>(process.keySet());
                shuffle(r, keys);
                List<String> parts = new ArrayList<>();
                for (String k : keys) parts.add(json(k) + pick(r, ":", ": ") + process.get(k));
                f.put("process", "{" + String.join(pick(r, ",", ", "), parts) + "}");
            }
            if (prediction != null) f.put("prediction", prediction);
            if (classes != null) f.put("classes", classes);
        }
    }

    private static ProcessFields validProcess(SplittableRandom r, int m) {
        ProcessFields p = new ProcessFields();
        if (r.nextInt(8) == 0) { // no process: today's flow, maybe with classes
            p.process = null;
            p.prediction = pick(r, null, "\"velocity\"");
        } else if (r.nextBoolean()) {
            p.process.put("kind", "\"flow\"");
            p.noiseAt1 = r.nextInt(3) > 0;
            if (p.noiseAt1 || r.nextBoolean()) p.process.put("noiseAt", p.noiseAt1 ? "1" : "0");
            if (p.noiseAt1 && r.nextBoolean()) p.process.put("shift", pick(r, "1", "3", "0.5", "1e-3", "1e6", "2.5", "7"));
            p.prediction = pick(r, null, "\"velocity\"");
        } else {
            p.vp = true;
            String sched = pick(r, "linear", "scaled-linear", "cosine");
            p.cosine = sched.equals("cosine");
            p.linearKind = !p.cosine;
            p.process.put("kind", "\"vp\"");
            p.process.put("schedule", json(sched));
            if (r.nextBoolean()) p.process.put("trainSteps", String.valueOf(p.cosine ? pick(r, 2, 3, 10, 100, 1000, 4000, 100000) : pick(r, 2, 3, 10, 100, 1000)));
            if (p.linearKind && r.nextBoolean()) p.process.put("betaStart", pick(r, "1e-4", "0.00085", "1e-8", "0.001", "5e-5"));
            if (p.linearKind && r.nextBoolean()) p.process.put("betaEnd", pick(r, "0.012", "0.02", "0.03", "0.05", "0.0125"));
            p.prediction = pick(r, "\"epsilon\"", "\"v\"", "\"x0\"");
        }
        if (r.nextBoolean()) { // classes: every label 0..K-1 used
            int k = 1 + r.nextInt(m);
            List<Integer> labels = new ArrayList<>();
            for (int j = 0; j < m; j++) labels.add(j < k ? j : r.nextInt(k));
            shuffle(r, labels);
            p.classes = labels.toString();
        }
        return p;
    }

    /**
     * Mixture files with the optional "process", "prediction" and "classes": valid ones (accept), one
     * certain fault each (reject), extreme numbers (either), garbled (either) and truncated (reject).
     */
    public static Case processMixture(long i) {
        SplittableRandom r = rng("process-mixture", i);
        String family = PROCESS_FAMILIES.get((int) Math.floorMod(i, PROCESS_FAMILIES.size()));
        Base b = base(r);
        int m = b.m();
        Map<String, String> f = b.fields();
        ProcessFields p = validProcess(r, m);
        Expect expect = Expect.REJECT;
        switch (family) {
            case "valid" -> expect = Expect.ACCEPT;
            case "invalid" -> {
                if (p.process == null) { // give it one to spoil
                    p.process = new LinkedHashMap<>(Map.of("kind", "\"flow\""));
                    if (p.prediction == null) p.prediction = "\"velocity\"";
                }
                Map<String, String> q = p.process;
                switch (r.nextInt(16)) {
                    case 0 -> q.put(pick(r, "foo", "Kind", "timestepSpacing", "sigma", "", "noise_at", "beta_start"), pick(r, "1", "\"x\"", "null"));
                    case 1 -> {
                        if (p.vp) q.put(pick(r, "noiseAt", "shift"), "1");
                        else q.put(pick(r, "schedule", "trainSteps", "betaStart", "betaEnd"), pick(r, "\"linear\"", "1000", "0.001"));
                    }
                    case 2 -> q.remove("kind");
                    case 3 -> q.put("kind", pick(r, "\"Flow\"", "\"VP\"", "\"ddpm\"", "\"\"", "1", "null", "[\"flow\"]", "{}", "\"flow-noise-at-1\""));
                    case 4 -> p.process = null; // and a bad "process" value below
                    case 5 -> p.prediction = p.vp ? pick(r, "\"velocity\"", null) : pick(r, "\"epsilon\"", "\"v\"", "\"x0\"");
                    case 6 -> p.prediction = pick(r, "\"eps\"", "\"v_prediction\"", "\"sample\"", "\"Velocity\"", "\"\"", "1", "null", "[]");
                    case 7 -> {
                        q.clear();
                        q.put("kind", "\"vp\"");
                        q.put("schedule", "\"cosine\"");
                        q.put(pick(r, "betaStart", "betaEnd"), pick(r, "0.0001", "0.02", "0.5"));
                        p.prediction = "\"epsilon\"";
                    }
                    case 8 -> {
                        q.clear();
                        q.put("kind", "\"flow\"");
                        if (r.nextBoolean()) q.put("noiseAt", "0");
                        q.put("shift", pick(r, "1", "3", "0.5"));
                        p.prediction = pick(r, null, "\"velocity\"");
                    }
                    case 9 -> {
                        if (p.vp) q.put("trainSteps", pick(r, "1", "0", "100001", "1000.0", "1e3", "\"1000\"", "-1", "4294967296", "true"));
                        else q.put("noiseAt", pick(r, "2", "-1", "1.0", "\"1\"", "true", "null", "1e0"));
                    }
                    case 10 -> {
                        q.clear();
                        q.put("kind", "\"vp\"");
                        q.put("schedule", pick(r, "\"linear\"", "\"scaled-linear\""));
                        if (r.nextBoolean()) q.put(pick(r, "betaStart", "betaEnd"), pick(r, "0", "1", "-1e-4", "9e-9", "1.5", "\"0.01\"", "null", "1e400"));
                        else {
                            q.put("betaStart", "0.03");
                            q.put("betaEnd", pick(r, "0.02", "0.0299"));
                        }
                        p.prediction = "\"v\"";
                    }
                    case 11 -> {
                        q.clear();
                        q.put("kind", "\"vp\"");
                        if (r.nextBoolean()) q.put("schedule", pick(r, "\"Linear\"", "\"scaled_linear\"", "\"squaredcos_cap_v2\"", "\"sigmoid\"", "1", "null"));
                        p.prediction = "\"epsilon\"";
                    }
                    case 12 -> p.classes = switch (r.nextInt(6)) {
                        case 0 -> m == 1 ? "[1]" : "[0," + m + nums(new double[m - 2]).replace("[", ",").replace(".0", "").replace(",]", "]");
                        case 1 -> nums(new double[m + 1]).replace(".0", "");
                        case 2 -> m == 1 ? "[]" : nums(new double[m - 1]).replace(".0", "");
                        case 3 -> "[-1" + ",0".repeat(m - 1) + "]";
                        case 4 -> "[" + pick(r, "0.0", "\"0\"", "null", "[0]", "true", "2147483648") + ",0".repeat(m - 1) + "]";
                        default -> pick(r, "0", "\"0\"", "null", "{}");
                    };
                    case 13 -> {
                        q.clear();
                        q.put("kind", "\"vp\"");
                        q.put("schedule", "\"linear\"");
                        if (r.nextBoolean()) q.put("trainSteps", "100000");
                        else {
                            q.put("betaStart", "0.5");
                            q.put("betaEnd", "0.9");
                        }
                        p.prediction = "\"x0\"";
                    }
                    case 14 -> {
                        p.into(r, f);
                        String t = mixtureText(r, f);
                        int at = t.indexOf("\"kind\"");
                        return Case.of(family, t.substring(0, at) + "\"kind\":\"flow\"," + t.substring(at), Expect.REJECT); // kind twice
                    }
                    default -> {
                        p.into(r, f);
                        String t = mixtureText(r, f);
                        String k = pick(r, "process", "prediction", "classes");
                        String v = switch (k) {
                            case "process" -> "{\"kind\":\"flow\"}";
                            case "prediction" -> "\"velocity\"";
                            default -> "[" + "0,".repeat(m - 1) + "0]";
                        };
                        return Case.of(family, t.substring(0, t.length() - 1) + "," + json(k) + ":" + v + "}", Expect.REJECT); // a field twice
                    }
                }
                p.into(r, f);
                if (p.process == null) f.put("process", pick(r, "\"flow\"", "null", "1", "[]", "[{\"kind\":\"flow\"}]", "true", "\"vp\""));
            }
            case "extremes" -> {
                if (p.vp && p.linearKind && r.nextBoolean())
                    p.process.put(pick(r, "betaStart", "betaEnd"), pick(r, "1e-8", "9.99e-9", "0.9999999999999999", "0.5", "0.999", "1e-300", "0.02",
                            "1.0000000001e-8"));
                else if (p.vp) p.process.put("trainSteps", pick(r, "2", "100000", "99999", "3", "100001", "65536"));
                else {
                    if (p.process == null) p.process = new LinkedHashMap<>(Map.of("kind", "\"flow\""));
                    p.process.put("noiseAt", "1");
                    p.process.put("shift", pick(r, "1e-300", "4.9e-324", "1e6", "1000000.0000001", "1e-6", "1e308", "0.0", "-0.0", "1e-320"));
                }
                expect = Expect.EITHER;
            }
            case "garbage" -> { // one or two edits inside the value of "process", "prediction" or "classes"; the rest stays valid
                p.into(r, f);
                List<String> keys = new ArrayList<>(List.of("process", "prediction", "classes"));
                keys.retainAll(f.keySet());
                if (keys.isEmpty()) f.put(keys.add("process") ? "process" : "", "{\"kind\":\"flow\"}");
                String k = pick(r, keys);
                StringBuilder t = new StringBuilder(f.get(k));
                List<Integer> digits = new ArrayList<>();
                for (int j = 0; j < t.length(); j++) if (Character.isDigit(t.charAt(j))) digits.add(j);
                if (digits.isEmpty() || r.nextBoolean()) garble(r, t, "0123456789.-eE+,:\"{}[] kindflowvpschedulecosinelinearnoiseAtshift", 2);
                else { // a digit changed, inserted or deleted: mostly still JSON, often still valid
                    int at = pick(r, digits);
                    char c = (char) ('0' + r.nextInt(10));
                    switch (r.nextInt(3)) {
                        case 0 -> t.setCharAt(at, c);
                        case 1 -> t.insert(at, c);
                        default -> t.deleteCharAt(at);
                    }
                }
                f.put(k, t.toString());
                return Case.of(family, mixtureText(r, f), Expect.EITHER);
            }
            case "truncation" -> {
                p.into(r, f);
                String t = mixtureText(r, f);
                return Case.of(family, t.substring(0, r.nextInt(t.length())), Expect.REJECT);
            }
            default -> throw new AssertionError(family);
        }
        if (!family.equals("invalid")) p.into(r, f);
        return Case.of(family, mixtureText(r, f), expect);
    }

    // ------------------------------------------------------------------ rewards

    public static final List<String> REWARD_FAMILIES = List.of("valid", "spaces-in-numbers", "empty-components", "hex-and-suffixes", "nan-infinity",
            "case", "extremes", "long", "garbage", "names");

    private static String number(SplittableRandom r) {
        double v = (r.nextDouble() * 6 - 3);
        return switch (r.nextInt(6)) {
            case 0 -> String.valueOf(r.nextInt(7) - 3);
            case 1 -> String.format(Locale.ROOT, "%.3f", v);
            case 2 -> String.format(Locale.ROOT, "%.2e", v);
            case 3 -> String.format(Locale.ROOT, "%.1f", v).replace("0.", ".");
            case 4 -> String.valueOf(v);
            default -> String.format(Locale.ROOT, "%.4f", v);
        };
    }

    /** A random valid spec in plain form (lower case, no spaces) as a list of terms (each: weight or null, name, args). */
    private static List<String[]> terms(SplittableRandom r, int count) {
        boolean line = r.nextInt(3) == 0;
        int d = line ? 2 : 1 + r.nextInt(4);
        List<String[]> ts = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            String kind = pick(r, "point", "quadratic", "linear", line ? "line" : "point");
            String args;
            if (kind.equals("line")) args = pick(r, "horizontal", "vertical") + "," + number(r);
            else {
                List<String> c = new ArrayList<>();
                for (int k = 0; k < d; k++) c.add(number(r));
                args = String.join(",", c);
            }
            String w = count > 1 || r.nextInt(4) == 0 ? (r.nextBoolean() ? number(r) : null) : null;
            ts.add(new String[] {w, kind, args});
        }
        return ts;
    }

    private static String render(SplittableRandom r, List<String[]> ts, boolean cases, boolean spaces) {
        StringBuilder b = new StringBuilder();
        if (spaces && r.nextBoolean()) b.append(' ');
        for (int t = 0; t < ts.size(); t++) {
            String[] x = ts.get(t);
            if (t > 0) b.append(spaces && r.nextBoolean() ? " + " : "+");
            if (x[0] != null) b.append(x[0]).append(spaces && r.nextBoolean() ? " * " : "*");
            b.append(cases ? randomCase(r, x[1]) : x[1]).append(spaces && r.nextBoolean() ? " : " : ":");
            String args = x[2];
            if (cases) args = args.replace("horizontal", randomCase(r, "horizontal")).replace("vertical", randomCase(r, "vertical"));
            if (spaces) args = args.replace(",", pick(r, ",", ", ", " ,", " , "));
            b.append(args);
        }
        if (spaces && r.nextBoolean()) b.append(' ');
        return b.toString();
    }

    private static String randomCase(SplittableRandom r, String s) {
        StringBuilder b = new StringBuilder();
        int mode = r.nextInt(3);
        for (char c : s.toCharArray())
            b.append(mode == 0 ? Character.toUpperCase(c) : mode == 1 && b.isEmpty() ? Character.toUpperCase(c)
                    : r.nextBoolean() ? Character.toUpperCase(c) : c);
        return b.toString();
    }

    /** Replaces a random number token (a maximal run of number characters after ':', ',', '*' or '+' or at the start). */
    private static String replaceNumber(SplittableRandom r, String plain, String with) {
        List<int[]> spans = numberSpans(plain);
        int[] sp = spans.get(r.nextInt(spans.size()));
        return plain.substring(0, sp[0]) + with + plain.substring(sp[1]);
    }

    private static List<int[]> numberSpans(String s) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < s.length(); ) {
            boolean start = i == 0 || ":,*+".indexOf(s.charAt(i - 1)) >= 0;
            if (start && "-.0123456789".indexOf(s.charAt(i)) >= 0) {
                int j = i + 1;
                while (j < s.length() && ("-.0123456789eE".indexOf(s.charAt(j)) >= 0 || s.charAt(j) == '+' && "eE".indexOf(s.charAt(j - 1)) >= 0)) j++;
                out.add(new int[] {i, j});
                i = j;
            } else i++;
        }
        return out;
    }

    public static Case reward(long i) {
        SplittableRandom r = rng("reward", i);
        String family = REWARD_FAMILIES.get((int) Math.floorMod(i, REWARD_FAMILIES.size()));
        List<String[]> ts = terms(r, 1 + r.nextInt(3));
        String plain = render(r, ts, false, false);
        switch (family) {
            case "valid", "case" -> {
                String spec = render(r, ts, true, family.equals("valid"));
                return new Case(family, spec.getBytes(StandardCharsets.UTF_8), Expect.ACCEPT, plain);
            }
            case "spaces-in-numbers" -> {
                List<int[]> spans = new ArrayList<>(numberSpans(plain).stream().filter(sp -> sp[1] - sp[0] >= 2).toList());
                if (spans.isEmpty()) {
                    plain = plain.replaceFirst(":([-.0-9]+)", ":12.5");
                    spans = numberSpans(plain).stream().filter(sp -> sp[1] - sp[0] >= 2).toList();
                }
                int[] sp = pick(r, spans);
                int at = sp[0] + 1 + r.nextInt(sp[1] - sp[0] - 1);
                return Case.of(family, plain.substring(0, at) + pick(r, " ", "  ", "\t") + plain.substring(at), Expect.REJECT);
            }
            case "empty-components" -> {
                String s = switch (r.nextInt(9)) {
                    case 0 -> plain + ",";
                    case 1 -> plain.replaceFirst(",", ",,");
                    case 2 -> plain.replaceFirst(":", ":,");
                    case 3 -> plain + "+";
                    case 4 -> "+" + plain;
                    case 5 -> plain + "++" + plain;
                    case 6 -> "*" + plain;
                    case 7 -> "2**" + plain;
                    default -> plain.substring(0, plain.indexOf(':') + 1);
                };
                if (s.equals(plain)) s = plain + ","; // a spec without a ',' to double
                return Case.of(family, s, Expect.REJECT);
            }
            case "hex-and-suffixes" -> {
                return Case.of(family, replaceNumber(r, plain, pick(r, "0x1p1", "0x10", "1d", "1f", "1D", "1F", "1L", "1_000", "1e", "1e+", "1.2.3",
                        "0b1", "\uff11", "1.5f", "-2d", "0X1P-3")), Expect.REJECT);
            }
            case "nan-infinity" -> {
                return Case.of(family, replaceNumber(r, plain, pick(r, "NaN", "Infinity", "-Infinity", "inf", "nan", "+Infinity", "-NaN")), Expect.REJECT);
            }
            case "extremes" -> {
                String[][] options = {{"1e30", "A"}, {"-1e30", "A"}, {"1.0000001e30", "R"}, {"1e31", "R"}, {"1e400", "R"}, {"-1e400", "R"},
                        {"1e-400", "A"}, {"0", "A"}, {"123456789012345678901234567890", "A"}, {"1234567890123456789012345678901234567890", "R"},
                        {"4.9e-324", "A"}, {"-0", "A"}};
                String[] o = options[r.nextInt(options.length)];
                if (r.nextInt(3) == 0) { // a weight instead
                    String[][] ws = {{"1e6", "A"}, {"-1e6", "A"}, {"1000001", "R"}, {"1e7", "R"}, {"1e-300", "A"}, {"1e309", "R"}};
                    String[] wo = ws[r.nextInt(ws.length)];
                    return Case.of(family, wo[0] + "*" + plain.replaceFirst("^[-+.0-9eE]+\\*", ""), wo[1].equals("A") ? Expect.ACCEPT : Expect.REJECT);
                }
                String pl = plain;
                // only coordinates: skip weights (followed by '*')
                List<int[]> coords = numberSpans(pl).stream().filter(sp -> sp[1] >= pl.length() || pl.charAt(sp[1]) != '*').toList();
                int[] sp = pick(r, coords);
                return Case.of(family, pl.substring(0, sp[0]) + o[0] + pl.substring(sp[1]), o[1].equals("A") ? Expect.ACCEPT : Expect.REJECT);
            }
            case "long" -> {
                switch (r.nextInt(5)) {
                    case 0 -> { // a 100 KB point
                        StringBuilder b = new StringBuilder("point:0");
                        while (b.length() < 100_000) b.append(",0.5");
                        return Case.of(family, b.toString(), Expect.ACCEPT);
                    }
                    case 1 -> { // 100 KB of junk after a valid spec
                        StringBuilder b = new StringBuilder(plain).append(' ');
                        while (b.length() < 100_000) b.append("junk ");
                        return Case.of(family, b.toString(), Expect.REJECT);
                    }
                    case 2 -> {
                        List<String> t = new ArrayList<>();
                        for (int k = 0; k < Rewards.MAX_TERMS; k++) t.add("0.01*point:" + k + ",1");
                        return Case.of(family, String.join("+", t), Expect.ACCEPT);
                    }
                    case 3 -> {
                        List<String> t = new ArrayList<>();
                        for (int k = 0; k <= Rewards.MAX_TERMS; k++) t.add("point:" + k + ",1");
                        return Case.of(family, String.join("+", t), Expect.REJECT);
                    }
                    default -> { // a 100 KB number
                        return Case.of(family, "point:1," + "1".repeat(100_000), Expect.REJECT);
                    }
                }
            }
            case "garbage" -> {
                StringBuilder t = new StringBuilder(plain);
                String alphabet = "0123456789,:*+-.eE pointlinequadratichorizontalvertical\n\t\r\u00a0\u2028\u0000\ud83d\ude00é";
                garble(r, t, alphabet, 4);
                return Case.of(family, t.toString(), Expect.EITHER);
            }
            case "names" -> {
                return Case.of(family, pick(r, "circle:1", "poin:1,2", "line:diagonal,1", "line:horizontal", "line:horizontal,1,2", "point1,2",
                        "point::1", "linear;1", "line:,1", "pointx:1", "2*", ":1,2", "point:1,2+", "point:1,2+circle:1", "line:horizontal1",
                        "quadratic:1,2,3+point:1,2", "line:vertical,1+point:1,2,3") , Expect.REJECT);
            }
            default -> throw new AssertionError(family);
        }
    }
}
