package fksteer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Creating the text model's ONNX Runtime session, in a JVM started with a long class path (Spark's
 * 185 jars, 15 KB), used to overrun a 1 MB thread stack: the JVM died with SIGSEGV (exit 139) and no
 * error report, at 1.5 MB of stack too, while 2 MB passed. Graph now creates every session on a thread
 * with a 64 MB stack. This runs the case that crashed: the model loaded and run on a JVM's main thread
 * (-Xss1m) with 15 KB of extra class path.
 */
class SessionStackTest {
    /** Loads and runs the text model on the main thread; prints "ok" and a logit. */
    public static final class Load {
        public static void main(String[] args) {
            try (OnnxModel m = OnnxModel.load(Path.of(args[0]), OnnxOptions.defaults().withThreads(1))) {
                int len = m.card().shape().dims()[0], v = m.card().vocab().size();
                int[] tokens = new int[len];
                java.util.Arrays.fill(tokens, m.card().vocab().mask());
                float[] out = new float[len * v];
                m.tokenNetwork().logits(tokens, 1, 1f, out);
                System.out.println("ok " + out[0]);
            }
        }
    }

    @Test
    void aLongClassPathAndADefaultStackLoadTheTextModel() throws Exception {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (int i = 0; cp.length() < 20_000; i++) cp.append(java.io.File.pathSeparator).append("/nonexistent/fksteer-padding/").append("x".repeat(60)).append(i).append(".jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xss1m",
                "--enable-native-access=ALL-UNNAMED", "-cp", cp.toString(), Load.class.getName(), TextModelTest.CARD.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        assertEquals(0, p.exitValue(), "exit code (139 = SIGSEGV); output: " + out);
        assertTrue(out.startsWith("ok "), out);
    }
}
