package fksteer.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import fksteer.io.BadInputException;
import fksteer.io.Quote;
import fksteer.process.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batched call of one ONNX graph: n rows of samples in, n rows out, fed in chunks of at most the
 * batch size, with an optional time input (one value for every row) and an optional class input (a
 * label per row). The graph's declared signature is checked once, here: each input's name, element
 * type and rank, and every fixed dimension against the sample's shape. What it declares decides what
 * is fed: time and class as float32 or int64 (class also int32), rank 0 (a scalar), rank 1 ([n], or
 * [1] broadcast by the graph) or rank 2 ([n, 1] or [1, 1]).
 *
 * <p>Buffers are direct, native-order, made once at the largest chunk and reused; the output is
 * written by ONNX Runtime straight into its buffer when its shape is known. Every tensor made for a
 * call is closed before the call returns. Calls are serialised (one set of buffers).
 */
final class Network implements AutoCloseable {
    private final Graph g;
    private final OrtEnvironment env;
    private final String sampleName, outName, timeName, labelName;
    private final long[] inDims;
    private final int inSize;
    /** Whether the sample input takes int64 ids (a token network's), fed from whole-number floats. */
    private final boolean ids;
    private LongBuffer inIds;
    private long[] outDims;
    private int outSize;
    private final int batch;
    private final Fed time, label;
    private final OnnxJavaType timeType, labelType;
    /** Direct buffers for `rows` rows, grown on demand up to the batch (so a few large samples take what they need, not a batch's worth). */
    private FloatBuffer in, out;
    private int rows;
    private final ByteBuffer timeBytes, labelBytes;
    /** Nanoseconds spent inside ONNX Runtime's run calls (for the benchmark's overhead split). */
    private long runNanos;

    /** How a per-call input is shaped: a scalar, one value broadcast ([1] or [1, 1]), or a value per row ([n] or [n, 1]). */
    private enum Fed {
        SCALAR, ONE, ONE_BY_ONE, ROWS, ROWS_BY_ONE
    }

    /**
     * @param sampleField names the sample input's source in messages, e.g. {@code field "inputs"."sample"}
     * @param sample      one sample's shape, as fed
     * @param timeName    the time input, or null
     * @param labelName   the class input, or null
     * @param outShape    one output row's shape when it must be that (a denoiser's is the sample's), or null to take the graph's
     * @param scalarOut   whether the output is one value per row, [n] or [n, 1] (a scorer's), when outShape is null
     */
    Network(Graph g, String sampleName, String sampleField, Shape sample, String timeName, String timeField, boolean integralTime,
            String labelName, String labelField, Shape outShape, int maxBatch) {
        this(g, sampleName, sampleField, sample, false, timeName, timeField, integralTime, labelName, labelField, outShape, maxBatch);
    }

    /** @param tokenIds whether the sample input takes int64 token ids (given as whole-number floats) rather than float32 samples */
    Network(Graph g, String sampleName, String sampleField, Shape sample, boolean tokenIds, String timeName, String timeField, boolean integralTime,
            String labelName, String labelField, Shape outShape, int maxBatch) {
        this.g = g;
        this.env = Graph.env(g.setting);
        this.sampleName = sampleName;
        this.timeName = timeName;
        this.labelName = labelName;
        List<String> named = new ArrayList<>();
        TensorInfo si = input(sampleName, sampleField);
        named.add(sampleName);
        this.ids = tokenIds;
        if (!tokenIds && si.type != OnnxJavaType.FLOAT)
            throw g.mismatch(sampleField + " names input " + Quote.of(sampleName) + ", which takes " + Graph.typeName(si) + "; samples are fed as float32");
        if (tokenIds && si.type != OnnxJavaType.INT64)
            throw g.mismatch(sampleField + " names input " + Quote.of(sampleName) + ", which takes " + Graph.typeName(si) + "; token ids are fed as int64");
        long[] ss = si.getShape();
        int[] dims = sample.dims();
        if (ss.length != dims.length + 1)
            throw g.mismatch(sampleField + " names input " + Quote.of(sampleName) + " of rank " + ss.length + ", but a batch of samples of shape "
                    + sample + " has rank " + (dims.length + 1));
        for (int i = 0; i < dims.length; i++)
            if (ss[i + 1] >= 0 && ss[i + 1] != dims[i])
                throw g.mismatch(sampleField + " names input " + Quote.of(sampleName) + " of shape " + Graph.shapeName(si) + ", but one sample has shape " + sample);
        if (ss[0] >= 0 && ss[0] != 1)
            throw g.mismatch(sampleField + " names input " + Quote.of(sampleName) + " with a fixed batch of " + ss[0]
                    + "; export it with a dynamic batch axis (torch.onnx.export(..., dynamic_axes={'" + sampleName + "': {0: 'batch'}}))");
        this.batch = ss[0] == 1 ? 1 : maxBatch;
        this.inDims = Arrays.stream(dims).asLongStream().toArray();
        this.inSize = sample.size();

        if (timeName != null) {
            TensorInfo ti = input(timeName, timeField);
            named.add(timeName);
            if (!Graph.isType(ti, OnnxJavaType.FLOAT, OnnxJavaType.INT64))
                throw g.mismatch(timeField + " names input " + Quote.of(timeName) + ", which takes " + Graph.typeName(ti) + "; time is fed as float32 or int64");
            if (ti.type == OnnxJavaType.INT64 && !integralTime)
                throw g.mismatch(timeField + " names input " + Quote.of(timeName) + ", which takes int64, but the time fed is not a whole number: "
                        + "int64 time takes \"timeFormat\": \"index\" with a whole \"timeScale\"");
            this.time = fed(ti, timeField, timeName);
            this.timeType = ti.type;
        } else {
            this.time = null;
            this.timeType = null;
        }
        if (labelName != null) {
            TensorInfo li = input(labelName, labelField);
            named.add(labelName);
            if (!Graph.isType(li, OnnxJavaType.INT64, OnnxJavaType.INT32, OnnxJavaType.FLOAT))
                throw g.mismatch(labelField + " names input " + Quote.of(labelName) + ", which takes " + Graph.typeName(li)
                        + "; class labels are fed as int64, int32 or float32");
            Fed f = fed(li, labelField, labelName);
            if (f != Fed.ROWS && f != Fed.ROWS_BY_ONE && !(batch == 1 && f != Fed.SCALAR))
                throw g.mismatch(labelField + " names input " + Quote.of(labelName) + " of shape " + Graph.shapeName(li)
                        + ", but class labels come one per row: [batch] or [batch, 1]");
            this.label = f;
            this.labelType = li.type;
        } else {
            this.label = null;
            this.labelType = null;
        }
        for (String name : g.inputs.keySet())
            if (!named.contains(name))
                throw g.mismatch("the graph has input " + Quote.of(name) + ", which " + (g.setting.equals("model") ? "the card's \"inputs\" do not name"
                        : "nothing feeds (a scorer or decoder takes one input: the samples)"));

        if (g.outputs.size() != 1)
            throw g.mismatch("the graph has " + g.outputs.size() + " outputs; fksteer reads a network with exactly one");
        var oe = g.outputs.entrySet().iterator().next();
        this.outName = oe.getKey();
        TensorInfo oi = Graph.tensor(oe.getValue());
        if (oi == null || oi.type != OnnxJavaType.FLOAT)
            throw g.mismatch("its output " + Quote.of(outName) + " is " + Graph.typeName(oi) + "; fksteer reads float32");
        long[] os = oi.getShape();
        if (outShape != null) {
            int[] od = outShape.dims();
            boolean ok = os.length == od.length + 1 && (os[0] < 0 || os[0] == ss[0] || os[0] == 1 && batch == 1);
            for (int i = 0; ok && i < od.length; i++) ok = os[i + 1] < 0 || os[i + 1] == od[i];
            if (!ok)
                throw g.mismatch("its output " + Quote.of(outName) + " has shape " + Graph.shapeName(oi) + ", but it must give [batch] + " + outShape);
            this.outDims = Arrays.stream(od).asLongStream().toArray();
            this.outSize = outShape.size();
        } else {
            if (os.length < 1) throw g.mismatch("its output " + Quote.of(outName) + " is a scalar; fksteer reads one row per sample, [batch, ...]");
            long size = 1;
            for (int i = 1; i < os.length; i++) size = os[i] < 0 || size < 0 ? -1 : size * os[i];
            if (size > ModelCard.MAX_SAMPLE_SIZE)
                throw g.mismatch("its output " + Quote.of(outName) + " has " + size + " values per sample, more than " + ModelCard.MAX_SAMPLE_SIZE);
            this.outDims = size < 0 ? null : Arrays.copyOfRange(os, 1, os.length);
            this.outSize = (int) size;
        }
        Math.multiplyExact((long) batch, inSize); // refuses a batch whose buffer would overflow at once
        this.timeBytes = time == null ? null : ByteBuffer.allocateDirect(8 * batch).order(ByteOrder.nativeOrder());
        this.labelBytes = label == null ? null : ByteBuffer.allocateDirect(8 * batch).order(ByteOrder.nativeOrder());
    }

    private TensorInfo input(String name, String field) {
        NodeInfo n = g.inputs.get(name);
        if (n == null) throw g.mismatch(field + " names input " + Quote.of(name) + ", which the graph does not have");
        TensorInfo t = Graph.tensor(n);
        if (t == null) throw g.mismatch(field + " names input " + Quote.of(name) + ", which is not a tensor");
        return t;
    }

    /** How the graph wants a per-call input shaped (rank 0, 1 or 2). */
    private Fed fed(TensorInfo t, String field, String name) {
        long[] s = t.getShape();
        if (s.length == 0) return Fed.SCALAR;
        if (s.length == 1) return s[0] == 1 && batch != 1 ? Fed.ONE : s[0] < 0 || s[0] == 1 ? Fed.ROWS : bad(t, field, name);
        if (s.length == 2 && (s[1] == 1 || s[1] < 0)) return s[0] == 1 && batch != 1 ? Fed.ONE_BY_ONE : s[0] < 0 || s[0] == 1 ? Fed.ROWS_BY_ONE : bad(t, field, name);
        return bad(t, field, name);
    }

    private Fed bad(TensorInfo t, String field, String name) {
        throw g.mismatch(field + " names input " + Quote.of(name) + " of shape " + Graph.shapeName(t)
                + "; it must be a scalar [], [batch], [batch, 1], [1] or [1, 1]");
    }

    private static FloatBuffer floats(long n) {
        if (n > Integer.MAX_VALUE / 4) throw new BadInputException("an ONNX batch of " + n + " floats is too large; lower --max-batch");
        return ByteBuffer.allocateDirect((int) (4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Nanoseconds spent inside ONNX Runtime's run calls so far. */
    synchronized long runNanos() {
        return runNanos;
    }

    int inSize() {
        return inSize;
    }

    /** The output's dimensions after the batch as the graph declares them, or null when one is symbolic. */
    long[] outDims() {
        return outDims == null ? null : outDims.clone();
    }

    /** Floats per output row, or -1 until the first call when the graph leaves them symbolic. */
    int outSize() {
        return outSize;
    }

    /**
     * out[i] = the graph's output on row i of x, for n rows. timeValue: fed to the time input (ignored
     * without one). labels: the class id of each row (already mapped), or null without a class input.
     * out must hold n × outSize() floats (for a graph with a symbolic output, call {@link #outSizeFor} first).
     */
    synchronized void run(float[] x, int n, double timeValue, int[] labels, float[] outRows) {
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            chunk(x, start, m, timeValue, labels, outRows);
        }
    }

    /** Buffers for at least m rows (at most the batch): made on the first call, grown by doubling, then kept. */
    private void reserve(int m) {
        if (m <= rows) return;
        int r = Math.min(batch, Math.max(m, 2 * rows));
        if (ids) {
            if ((long) r * inSize > Integer.MAX_VALUE / 8) throw new BadInputException("an ONNX batch of " + (long) r * inSize + " ids is too large; lower --max-batch");
            inIds = ByteBuffer.allocateDirect(8 * r * inSize).order(ByteOrder.nativeOrder()).asLongBuffer();
        } else in = floats((long) r * inSize);
        out = outDims != null ? floats((long) r * outSize) : null;     // a symbolic output is read from ONNX Runtime's own tensor
        rows = r;
    }

    private void chunk(float[] x, int start, int m, double timeValue, int[] labels, float[] outRows) {
        reserve(m);
        List<OnnxTensor> made = new ArrayList<>(4);
        try {
            Map<String, OnnxTensor> feeds = new HashMap<>(4);
            if (ids) {
                inIds.clear();
                for (int i = start * inSize, end = (start + m) * inSize; i < end; i++) inIds.put((long) x[i]);
                LongBuffer v = inIds.duplicate();
                v.clear();
                v.limit(m * inSize);
                feeds.put(sampleName, track(made, OnnxTensor.createTensor(env, v.slice(), withBatch(m, inDims))));
            } else {
                in.clear();
                in.put(x, start * inSize, m * inSize);
                feeds.put(sampleName, track(made, OnnxTensor.createTensor(env, view(in, m * inSize), withBatch(m, inDims))));
            }
            if (time != null) feeds.put(timeName, track(made, perCall(time, timeType, timeBytes, m, i -> timeValue)));
            if (label != null) feeds.put(labelName, track(made, perCall(label, labelType, labelBytes, m, i -> labels[start + i])));
            if (out != null) {
                OnnxTensor o = track(made, OnnxTensor.createTensor(env, view(out, m * outSize), withBatch(m, outDims)));
                long t0 = System.nanoTime();
                try (OrtSession.Result r = g.session.run(feeds, Map.of(outName, o))) {
                    // written into out's buffer
                }
                runNanos += System.nanoTime() - t0;
                out.clear();
                out.get(0, outRows, start * outSize, m * outSize);
            } else {
                long t0 = System.nanoTime();
                try (OrtSession.Result r = g.session.run(feeds)) {
                    runNanos += System.nanoTime() - t0;
                    OnnxValue v = r.get(0);
                    if (!(v instanceof OnnxTensor t)) throw g.mismatch("its output is not a tensor");
                    FloatBuffer fb = t.getFloatBuffer();
                    long per = fb.remaining() / Math.max(1, m);
                    if (per * m != fb.remaining() || per < 1 || per > ModelCard.MAX_SAMPLE_SIZE)
                        throw g.mismatch("its output holds " + fb.remaining() + " values for " + m + " rows; fksteer reads the same number per row");
                    if (outSize < 0) {
                        outSize = (int) per;
                        throw new SizeLearned();
                    }
                    if (per != outSize)
                        throw g.mismatch("its output gave " + per + " values per row, but " + outSize + " on an earlier call");
                    fb.get(outRows, start * outSize, m * outSize);
                }
            }
        } catch (OrtException e) {
            throw new BadInputException(g.where + "ONNX Runtime failed on a batch of " + m + " rows: " + Graph.firstLine(e));
        } finally {
            for (OnnxTensor t : made) t.close();
        }
    }

    /** Thrown inside {@link #outSizeFor} once the first call has shown a symbolic output's row size. */
    private static final class SizeLearned extends RuntimeException {
        SizeLearned() {
            super(null, null, false, false);
        }
    }

    /**
     * Floats per output row, running one row of x through the graph first when the graph leaves them
     * symbolic (once; the run is not a network evaluation of the method: its output is dropped).
     */
    synchronized int outSizeFor(float[] x) {
        if (outSize < 0) {
            try {
                chunk(x, 0, 1, 0, null, null);
            } catch (SizeLearned learned) {
                // outSize is set
            }
        }
        return outSize;
    }

    private static OnnxTensor track(List<OnnxTensor> made, OnnxTensor t) {
        made.add(t);
        return t;
    }

    private static FloatBuffer view(FloatBuffer b, int len) {
        FloatBuffer v = b.duplicate();
        v.clear();
        v.limit(len);
        return v.slice();
    }

    private static long[] withBatch(int m, long[] dims) {
        long[] s = new long[dims.length + 1];
        s[0] = m;
        System.arraycopy(dims, 0, s, 1, dims.length);
        return s;
    }

    private interface Value {
        double at(int i);
    }

    /** A time or class tensor for m rows, in the type and rank the graph declares. */
    private OnnxTensor perCall(Fed f, OnnxJavaType type, ByteBuffer bytes, int m, Value v) throws OrtException {
        int count = f == Fed.ROWS || f == Fed.ROWS_BY_ONE ? m : 1;
        long[] shape = switch (f) {
            case SCALAR -> new long[0];
            case ONE -> new long[] {1};
            case ONE_BY_ONE -> new long[] {1, 1};
            case ROWS -> new long[] {m};
            case ROWS_BY_ONE -> new long[] {m, 1};
        };
        bytes.clear();
        switch (type) {
            case FLOAT -> {
                FloatBuffer fb = bytes.asFloatBuffer();
                for (int i = 0; i < count; i++) fb.put(i, (float) v.at(i));
                fb.limit(count);
                return OnnxTensor.createTensor(env, fb, shape);
            }
            case INT64 -> {
                LongBuffer lb = bytes.asLongBuffer();
                for (int i = 0; i < count; i++) lb.put(i, Math.round(v.at(i)));
                lb.limit(count);
                return OnnxTensor.createTensor(env, lb, shape);
            }
            default -> {
                IntBuffer ib = bytes.asIntBuffer();
                for (int i = 0; i < count; i++) ib.put(i, (int) Math.round(v.at(i)));
                ib.limit(count);
                return OnnxTensor.createTensor(env, ib, shape);
            }
        }
    }

    @Override
    public void close() {
        g.close();
    }
}
