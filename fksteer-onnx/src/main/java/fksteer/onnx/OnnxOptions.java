package fksteer.onnx;

import fksteer.io.InvalidSettingException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How ONNX networks run: ONNX Runtime's intra-op threads, the most rows fed in one call, and the device.
 *
 * @param onnxThreads ONNX Runtime's intra-op threads, 1 to 256 (inter-op: 1, sequential execution)
 * @param maxBatch    the most rows (particles) per ONNX call, 1 to 2^20; bigger runs are fed in chunks
 * @param device      cpu, or cuda with a GPU index
 */
public record OnnxOptions(int onnxThreads, int maxBatch, Device device) {
    public static final int MAX_THREADS = 256, MAX_BATCH = 1 << 20;

    public OnnxOptions {
        InvalidSettingException.require(onnxThreads >= 1 && onnxThreads <= MAX_THREADS, "onnxThreads",
                "must be in [1, " + MAX_THREADS + "], got " + onnxThreads);
        InvalidSettingException.require(maxBatch >= 1 && maxBatch <= MAX_BATCH, "maxBatch", "must be in [1, " + MAX_BATCH + "], got " + maxBatch);
        InvalidSettingException.require(device != null, "device", "is required: cpu or cuda[:N]");
    }

    /** All cores, batches of up to 1024 rows, on the CPU. */
    public static OnnxOptions defaults() {
        return new OnnxOptions(Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()), 1024, Device.CPU);
    }

    public OnnxOptions withThreads(int t) {
        return new OnnxOptions(t, maxBatch, device);
    }

    public OnnxOptions withMaxBatch(int b) {
        return new OnnxOptions(onnxThreads, b, device);
    }

    public OnnxOptions withDevice(Device d) {
        return new OnnxOptions(onnxThreads, maxBatch, d);
    }

    /** Where a network runs: the CPU, or a CUDA GPU through ONNX Runtime's CUDA execution provider. */
    public record Device(boolean cuda, int index) {
        public static final Device CPU = new Device(false, 0);
        private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d{1,4}))?");

        public Device {
            InvalidSettingException.require(index >= 0 && (cuda || index == 0), "device", "index must be >= 0 (and 0 for cpu), got " + index);
        }

        /** "cpu", "cuda" (GPU 0) or "cuda:N". */
        public static Device parse(String s) {
            String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
            if (v.equals("cpu")) return CPU;
            Matcher m = CUDA.matcher(v);
            if (m.matches()) return new Device(true, m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
            throw new InvalidSettingException("device", "must be cpu, cuda or cuda:N (a GPU index), got '" + s + "'");
        }

        @Override
        public String toString() {
            return cuda ? "cuda:" + index : "cpu";
        }
    }
}
