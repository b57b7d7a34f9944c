package fksteer.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.model.Mixtures;
import fksteer.reward.Reward;
import fksteer.steer.FkSteering;
import fksteer.steer.SteerResult;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without jdk.incubator.vector a run falls back to the scalar twins. For a model that does not use the
 * dense kernels (a Gaussian mixture), the twins of the ziggurat and of the SDE update are bit-identical,
 * so the fallback's samples equal these (the MLP's dense kernels may differ in the last bits: see DenseKernels).
 */
class ScalarFallbackTest {
    @TempDir
    Path dir;

    /** Run in a JVM without the module: prints the hash of a small FK run's samples and weights. */
    public static void main(String[] args) {
        if (Vectorization.modulePresent()) throw new IllegalStateException("run me without " + Vectorization.MODULE);
        System.out.println(fingerprint());
    }

    static String fingerprint() {
        Reward r = Reward.of(2, (x, n, out) -> {
            for (int i = 0; i < n; i++) out[i] = -Math.abs(x[2 * i] - 1);
        });
        SteerResult s = FkSteering.defaults(1000, 40).withLambda(1).run(Mixtures.twoComponents(), r, 7);
        return Arrays.hashCode(s.samples()) + " " + Arrays.hashCode(s.logWeights());
    }

    @Test
    void withoutTheModuleARunFallsBackToTheScalarTwinsAndAgreesBitForBit() throws Exception {
        assertTrue(Vectorization.modulePresent() && Vectorization.enabled(), "the tests run with " + Vectorization.MODULE);
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
                ScalarFallbackTest.class.getName())).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the scalar run took over 120 s");
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), stderr);
        assertEquals(1, stderr.split(java.util.regex.Pattern.quote(Vectorization.FALLBACK_NOTICE), -1).length - 1, stderr);
        assertEquals(fingerprint(), Files.readString(out).strip());
    }
}
