package fksteer.cli;

import fksteer.onnx.OnnxModel;
import fksteer.onnx.OnnxOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ONNX model sessions kept open across the jobs of one JVM ({@link SteerJob}): a card is read and its
 * network opened once per (card file, ONNX options), however many jobs run it. Sessions are
 * thread-safe (their network calls are serialised), so concurrent jobs may share one. Reward scorers
 * ({@code onnx:FILE} terms) are opened per job and closed with it.
 */
public final class ModelSessions implements AutoCloseable {
    private record Key(Path card, OnnxOptions options) {}

    private final Map<Key, OnnxModel> open = new LinkedHashMap<>();
    private final AtomicInteger loads = new AtomicInteger();
    private boolean closed;

    /** The open session of a card with these options, loading it on first use. */
    synchronized OnnxModel open(Path card, OnnxOptions options) {
        if (closed) throw new IllegalStateException("these model sessions are closed");
        Key k = new Key(real(card), options);
        OnnxModel m = open.get(k);
        if (m == null) {
            m = OnnxModel.load(card, options);
            loads.incrementAndGet();
            open.put(k, m);
        }
        return m;
    }

    /** How many times a card was read and its sessions opened (once per card and options). */
    public int loads() {
        return loads.get();
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | SecurityException e) {
            return p.toAbsolutePath().normalize();    // OnnxModel.load then says what is wrong with it
        }
    }

    /** Closes every session. */
    @Override
    public synchronized void close() {
        closed = true;
        List<OnnxModel> all = new ArrayList<>(open.values());
        open.clear();
        for (OnnxModel m : all) m.close();
    }
}
