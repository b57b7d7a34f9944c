package fksteer.io;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * JSON output: streamed to the file (never built whole in memory) and written atomically.
 *
 * <p>Only finite numbers are written. A NaN or infinity reaching the writer is a bug upstream, not
 * data: the write fails with {@link NonFiniteValueException} naming the field ({@code
 * logWeights[3]}) and nothing is written. A null in a list fails the same way; a map entry whose
 * value is null is left out (the setting or statistic does not apply).
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL));

    private Json() {}

    /**
     * The n x d batch x as a list of rows. Each row is copied when it is read, so writing a batch of
     * any size costs one row of memory, not a second copy of the batch.
     */
    public static List<float[]> rows(float[] x, int n, int d) {
        if (n < 0 || d < 0 || (long) n * d > x.length)
            throw new IllegalArgumentException(n + " x " + d + " rows do not fit in " + x.length + " values");
        return new Rows(x, n, d);
    }

    /** The n x d token ids as a list of rows (each copied when it is read). */
    public static List<int[]> rows(int[] ids, int n, int d) {
        if (n < 0 || d < 0 || (long) n * d > ids.length)
            throw new IllegalArgumentException(n + " x " + d + " rows do not fit in " + ids.length + " values");
        return new AbstractList<>() {
            @Override
            public int[] get(int i) {
                if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
                int from = Math.multiplyExact(i, d);
                return Arrays.copyOfRange(ids, from, from + d);
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    private static final class Rows extends AbstractList<float[]> implements RandomAccess {
        private final float[] x;
        private final int n, d;

        Rows(float[] x, int n, int d) {
            this.x = x;
            this.n = n;
            this.d = d;
        }

        @Override
        public float[] get(int i) {
            if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
            int from = Math.multiplyExact(i, d);
            return Arrays.copyOfRange(x, from, from + d);
        }

        @Override
        public int size() {
            return n;
        }
    }

    /** A non-finite number or a null list element reached the writer; the message names the field. */
    public static final class NonFiniteValueException extends IOException {
        public NonFiniteValueException(String message) {
            super(message);
        }
    }

    /** Streams value as JSON to out (left open). */
    public static void write(OutputStream out, Object value) throws IOException {
        JsonGenerator raw = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
        raw.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        try (JsonGenerator g = new FiniteOnly(raw)) {
            MAPPER.writeValue(g, value);
        }
    }

    /**
     * The value as one line of JSON (no line breaks, for a .jsonl file), refusing non-finite numbers and
     * nulls as {@link #write(OutputStream, Object)} does; the same values and fields as that writes.
     */
    public static String line(Object value) throws IOException {
        java.io.StringWriter w = new java.io.StringWriter();
        JsonGenerator raw = MAPPER.getFactory().createGenerator(w);
        try (JsonGenerator g = new FiniteOnly(raw)) {
            MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValue(g, value);
        }
        return w.toString();
    }

    /** Writes value to p atomically (in the current {@link AtomicFiles.Batch}, if any). */
    public static void write(Path p, Object value) throws IOException {
        AtomicFiles.write(p, out -> write(out, value));
    }

    /** Passes everything through, refusing non-finite numbers and nulls before they are written. */
    private static final class FiniteOnly extends JsonGeneratorDelegate {
        FiniteOnly(JsonGenerator d) {
            super(d, false);
        }

        private void check(double v) throws IOException {
            if (!Double.isFinite(v)) throw refuse(field(getOutputContext()), v);
        }

        static NonFiniteValueException refuse(String field, Object what) {
            String w = what instanceof Double d && d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : String.valueOf(what);
            return new NonFiniteValueException(field + " is " + w
                    + "; fksteer never writes NaN, Infinity or null (this is a bug: please report it)");
        }

        /** The JSON path of the value about to be written in context c, e.g. "config.pivot[1]". */
        static String field(JsonStreamContext c) {
            StringBuilder b = new StringBuilder();
            boolean innermost = true;
            for (; c != null && !c.inRoot(); c = c.getParent()) {
                // entries written so far: the next element's index innermost, the current one's outside
                if (c.inArray()) b.insert(0, "[" + (c.getEntryCount() - (innermost ? 0 : 1)) + "]");
                else if (c.getCurrentName() != null) b.insert(0, (c.getParent() != null && !c.getParent().inRoot() ? "." : "") + c.getCurrentName());
                innermost = false;
            }
            return b.isEmpty() ? "the value" : b.toString();
        }

        @Override
        public void writeNumber(double v) throws IOException {
            check(v);
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(float v) throws IOException {
            check(v);
            super.writeNumber(v);
        }

        @Override
        public void writeNumber(String encoded) throws IOException {
            if (encoded != null) {
                String s = encoded.strip();
                if (s.contains("NaN") || s.contains("Inf") || s.contains("INF")) throw refuse(field(getOutputContext()), s);
            }
            super.writeNumber(encoded);
        }

        @Override
        public void writeArray(double[] a, int offset, int length) throws IOException {
            for (int i = 0; i < length; i++)
                if (!Double.isFinite(a[offset + i])) throw refuse(field(getOutputContext()) + "[" + i + "]", a[offset + i]);
            super.writeArray(a, offset, length);
        }

        @Override
        public void writeNull() throws IOException {
            throw refuse(field(getOutputContext()), "null");
        }
    }
}
