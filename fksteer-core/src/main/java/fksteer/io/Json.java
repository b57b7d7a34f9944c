package fksteer.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JSON output helpers: n x d float batches as nested lists, atomic writes. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            ;

    private Json() {}

    public static List<float[]> rows(float[] x, int n, int d) {
        List<float[]> r = new ArrayList<>(n);
        for (int i = 0; i < n; i++) r.add(java.util.Arrays.copyOfRange(x, i * d, i * d + d));
        return r;
    }

    /** Doubles as a JSON list; non-finite values (zero weights, -inf rewards) become null. */
    public static List<Double> numbers(double[] a) {
        List<Double> r = new ArrayList<>(a.length);
        for (double v : a) r.add(Double.isFinite(v) ? v : null);
        return r;
    }

    /** Recursively replaces non-finite doubles and double[]s in maps and lists so the output is valid JSON. */
    public static Object clean(Object o) {
        if (o instanceof Double d) return Double.isFinite(d) ? d : null;
        if (o instanceof double[] a) return numbers(a);
        if (o instanceof java.util.Map<?, ?> m) {
            java.util.Map<Object, Object> r = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> r.put(k, clean(v)));
            return r;
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>(l.size());
            for (Object v : l) r.add(clean(v));
            return r;
        }
        return o;
    }

    public static void write(Path p, Object value) throws IOException {
        byte[] b = MAPPER.writeValueAsBytes(clean(value));
        AtomicFiles.writeBytes(p, b);
    }
}
