package fksteer.bench.jmh;

import fksteer.io.Models;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.resample.ResampleSchedule;
import fksteer.resample.Resampler;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.steer.FkSteering;
import fksteer.steer.Intermediate;
import fksteer.steer.Noise;
import fksteer.steer.Potential;
import fksteer.steer.SteerResult;
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

/**
 * The reference MLP's forward pass, one SDE step and a whole FK run on the checkerboard model. Run
 * with {@code -prof gc} to check that the steady-state step allocates nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SamplingBench {
    @Param({"1024"})
    int particles;

    Mlp mlp;
    MlpFlow flow;
    float[] in, out, x;
    long[] rng;
    Integrator sde;
    FkSteering fk;
    Reward reward;

    @Setup
    public void setup() {
        mlp = Models.checkerboardMlp();
        flow = new MlpFlow(mlp);
        in = new float[particles * 3];
        out = new float[particles * 2];
        x = Noise.initial(particles, 2, 1);
        for (int i = 0; i < particles; i++) {
            in[3 * i] = 0.5f;
            in[3 * i + 1] = x[2 * i];
            in[3 * i + 2] = x[2 * i + 1];
        }
        rng = Noise.stepStreams(1, particles);
        sde = new Sampler(Sampler.Kind.SDE, 0.1).bind(flow, particles);
        fk = new FkSteering(particles, 100, new Sampler(Sampler.Kind.SDE, 0.1), 10, Potential.DIFF, Intermediate.X1HAT, 4,
                new ResampleSchedule(0.6, 0.95, 5, 0, 1.0), Resampler.SYSTEMATIC, FkSteering.OutputPolicy.WEIGHTED, 0);
        reward = Rewards.parse("point:2,0.5");
    }

    @Benchmark
    public float[] mlpForward() {
        mlp.forward(in, particles, out);
        return out;
    }

    @Benchmark
    public float[] sdeStep() {
        sde.step(x, particles, 0.3f, 0.01f, rng);
        return x;
    }

    @Benchmark
    public SteerResult fkRun() {
        return fk.run(flow, reward, 7);
    }
}
