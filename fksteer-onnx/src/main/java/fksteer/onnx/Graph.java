package fksteer.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import fksteer.io.InputFiles;
import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One ONNX Runtime session over one .onnx file, with its signature: the session is made once and
 * reused for every call. Every problem opening it is one line naming the setting ("model" for a card's
 * networks, "reward" for a scorer, "device" for the GPU) and the file.
 */
final class Graph implements AutoCloseable {
    /** The largest .onnx file opened: 4 GiB (weights beyond 2 GiB sit in external data files, which ONNX Runtime reads itself). */
    static final long MAX_FILE = 4L << 30;

    final OrtSession session;
    final Path file;
    final String setting;
    /** The message prefix naming the file, e.g. "'card.json': field \"file\" 'unet.onnx': ". */
    final String where;
    final Map<String, NodeInfo> inputs, outputs;

    private Graph(OrtSession session, Path file, String setting, String where) throws OrtException {
        this.session = session;
        this.file = file;
        this.setting = setting;
        this.where = where;
        this.inputs = session.getInputInfo();
        this.outputs = session.getOutputInfo();
    }

    /** The shared environment; ONNX Runtime's own log shows errors only. */
    static OrtEnvironment env(String setting) {
        try {
            return onLargeStack(() -> OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "fksteer"));
        } catch (LinkageError | RuntimeException e) {
            throw new InvalidSettingException(setting, ": ONNX Runtime cannot start on this machine (" + System.getProperty("os.name") + " "
                    + System.getProperty("os.arch") + "): " + Quote.of(String.valueOf(e.getMessage()), 0, 200));
        }
    }

    static Graph open(Path file, OnnxOptions o, String setting, String where) {
        try {
            if (InputFiles.regularFileSize(file, where, "an .onnx file", MAX_FILE) == 0)
                throw new InvalidSettingException(setting, ": " + where + "is empty (0 bytes); expected an .onnx file");
        } catch (InvalidSettingException e) {
            throw e;
        } catch (fksteer.io.BadInputException e) {
            throw new InvalidSettingException(setting, ": " + e.getMessage());
        }
        OrtEnvironment env = env(setting);
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            so.setIntraOpNumThreads(o.onnxThreads());
            so.setInterOpNumThreads(1);
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            so.setDeterministicCompute(true);
            if (o.device().cuda()) addCuda(so, o.device());
            OrtSession s;
            try {
                s = createSession(env, file, so);
            } catch (OrtException e) {
                throw new InvalidSettingException(setting, ": " + where + "ONNX Runtime cannot load it: " + firstLine(e));
            }
            try {
                return new Graph(s, file, setting, where);
            } catch (OrtException e) {
                closeQuietly(s);
                throw new InvalidSettingException(setting, ": " + where + "cannot read its inputs and outputs: " + firstLine(e));
            }
        } catch (OrtException e) {
            throw new InvalidSettingException(setting, ": " + where + "cannot set ONNX Runtime's session options: " + firstLine(e));
        } finally {
            so.close();
        }
    }

    /**
     * Stack of the thread that starts ONNX Runtime and creates sessions. In a JVM started with a long
     * class path (Spark's 185 jars, 15 KB), starting ONNX Runtime and creating the session of
     * models/text/fortunes.onnx overran a 1 MB and a 1.5 MB stack (2 MB passed): the JVM died with SIGSEGV
     * and no error report. The caller's stack is not ours to choose (a Spark task thread, the main thread),
     * so this is done on a thread of its own; only the pages it touches are ever committed.
     * SessionStackTest runs the case that crashed.
     */
    static final long LARGE_STACK_BYTES = 64L << 20;

    private static OrtSession createSession(OrtEnvironment env, Path file, OrtSession.SessionOptions so) throws OrtException {
        return onLargeStack(() -> env.createSession(file.toString(), so));
    }

    /** Runs work on a thread with {@link #LARGE_STACK_BYTES} of stack, and waits for it. */
    private static <T, X extends Exception> T onLargeStack(java.util.concurrent.Callable<T> work) throws X {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(work);
        Thread t = new Thread(null, task, "fksteer-onnx-start", LARGE_STACK_BYTES);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;        // the work is under way; wait for it, then pass the interrupt on
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof Error er) throw er;
                    @SuppressWarnings("unchecked")
                    X x = (X) c;                // the checked exception work declares (OrtException)
                    throw x;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private static void addCuda(OrtSession.SessionOptions so, OnnxOptions.Device d) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA))
            throw new InvalidSettingException("device", "is " + d + ", but this build's ONNX Runtime has no CUDA provider: build with "
                    + "'mvn -Pcuda package' (the onnxruntime_gpu artifact, which needs an NVIDIA driver, CUDA 12 and cuDNN 9), or use --device cpu");
        try {
            so.addCUDA(d.index());
        } catch (OrtException | LinkageError | RuntimeException e) {
            throw new InvalidSettingException("device", "is " + d + ", but ONNX Runtime could not start CUDA there (it needs an NVIDIA driver, "
                    + "CUDA 12 and cuDNN 9): " + (e instanceof OrtException oe ? firstLine(oe) : Quote.of(String.valueOf(e.getMessage()), 0, 200)));
        }
    }

    static String firstLine(OrtException e) {
        return Quote.of(String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip(), 0, 240);
    }

    /** The tensor info of an input or output, or null when it is not a tensor. */
    static TensorInfo tensor(NodeInfo n) {
        return n != null && n.getInfo() instanceof TensorInfo t ? t : null;
    }

    /** "float32", "int64", ...: ONNX's names. */
    static String typeName(TensorInfo t) {
        if (t == null) return "(not a tensor)";
        return switch (t.type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT16 -> "int16";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case STRING -> "string";
            default -> t.type.name().toLowerCase(Locale.ROOT);
        };
    }

    /** A tensor's shape as the graph declares it, symbolic dimensions by name: [batch, 2]. */
    static String shapeName(TensorInfo t) {
        long[] s = t.getShape();
        String[] names = t.getDimensionNames();
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < s.length; i++)
            parts.add(s[i] >= 0 ? Long.toString(s[i]) : names != null && i < names.length && !names[i].isEmpty() ? names[i] : "?");
        return "[" + String.join(", ", parts) + "]";
    }

    /** The graph's signature on one line: "inputs x float32 [batch, 2], t int64 [batch]; outputs eps float32 [batch, 2]". */
    String signature() {
        return "inputs " + list(inputs) + "; outputs " + list(outputs);
    }

    private static String list(Map<String, NodeInfo> m) {
        List<String> parts = new ArrayList<>();
        for (var e : m.entrySet()) {
            TensorInfo t = tensor(e.getValue());
            parts.add(Quote.of(e.getKey(), 0, 60) + " " + (t == null ? "(not a tensor)" : typeName(t) + " " + shapeName(t)));
        }
        return parts.isEmpty() ? "(none)" : String.join(", ", parts);
    }

    /** A problem with the graph against what the card or reward says: one line with the graph's actual signature. */
    InvalidSettingException mismatch(String problem) {
        return new InvalidSettingException(setting, ": " + where + problem + "; the graph has " + signature());
    }

    static boolean isType(TensorInfo t, OnnxJavaType... types) {
        if (t == null) return false;
        for (OnnxJavaType ty : types) if (t.type == ty) return true;
        return false;
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException | RuntimeException e) {
            // closing frees native memory; a failure here cannot change any result
        }
    }
}
