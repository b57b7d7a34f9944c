package fksteer.bench.jmh;

import fksteer.kernel.DenseKernels;
import fksteer.kernel.ScalarDense;
import fksteer.kernel.VectorDense;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One dense layer (rows x width -> width) with and without ELU, Vector API vs the scalar twin. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DenseBench {
    @Param({"64", "256", "512"})
    int width;

    @Param({"256"})
    int rows;

    float[] a, b, bias, c;
    final DenseKernels vec = new VectorDense(), sca = new ScalarDense();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        a = new float[rows * width];
        b = new float[width * width];
        bias = new float[width];
        c = new float[rows * width];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextGaussian() / Math.sqrt(width));
    }

    @Benchmark
    public float[] vectorElu() {
        vec.dense(a, rows, width, b, 0, width, bias, 0, c, true);
        return c;
    }

    @Benchmark
    public float[] vectorLinear() {
        vec.dense(a, rows, width, b, 0, width, bias, 0, c, false);
        return c;
    }

    @Benchmark
    public float[] scalarElu() {
        sca.dense(a, rows, width, b, 0, width, bias, 0, c, true);
        return c;
    }
}
