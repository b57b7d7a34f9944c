package fksteer.steer;

import fksteer.kernel.Sizes;
import fksteer.model.Mlp;
import fksteer.reward.Reward;
import fksteer.rng.Rng;
import fksteer.solver.Integrator;
import fksteer.solver.Sampler;
import fksteer.process.Chain;
import fksteer.process.Particles;
import fksteer.process.Process;
import fksteer.train.Adam;

/**
 * The paper's learned intermediate reward r_phi(x_t, t): a small MLP on [t, x] regressed (mean squared
 * error) on the terminal reward r(x1) of the model's own trajectories, at every state along them. Its
 * training cost (trajectory NFE and optimiser time) is reported separately from sampling.
 */
public final class LearnedReward {
    private final Mlp mlp;
    private final double mean, std;
    private final int d;
    private final long trainingNfe;
    private final double trainingSeconds, finalLoss;

    private LearnedReward(Mlp mlp, double mean, double std, int d, long trainingNfe, double trainingSeconds, double finalLoss) {
        this.mlp = mlp;
        this.mean = mean;
        this.std = std;
        this.d = d;
        this.trainingNfe = trainingNfe;
        this.trainingSeconds = trainingSeconds;
        this.finalLoss = finalLoss;
    }

    /**
     * Trains on `trajectories` sampler runs of `steps` steps: every visited (x_t, t) is paired with the
     * standardised r(x1) of its trajectory; Adam (lr 3e-3, cosine decay) on batches of 1024.
     */
    public static LearnedReward train(Process process, Reward reward, Sampler sampler, int steps, int trajectories, int iterations, long seed) {
        long t0 = System.nanoTime();
        process = process.counted();       // its own counters: the training cost is reported apart
        long nfe0 = process.nfe();
        int d = process.dim(), n = trajectories;
        int rows = Sizes.length("steps", "learned-reward trajectories x steps", n, steps);
        Sizes.length("steps", "learned-reward trajectories x steps x (dimension + 1)", n, steps, d + 1L);
        Chain chain = process.chain(sampler, steps, n);
        Particles traj = chain.newParticles(n);
        chain.initialNoise(traj, Rng.subSeed(seed, "learned-data"));
        long[] rng = Noise.stepStreams(Rng.subSeed(seed, "learned-data"), n);
        float[] x = traj.floats();
        float[] states = new float[rows * (d + 1)];
        for (int s = 0; s < steps; s++) {
            float t = chain.time(s);
            for (int i = 0; i < n; i++) {
                int o = (s * n + i) * (d + 1);
                states[o] = t;
                System.arraycopy(x, i * d, states, o + 1, d);
            }
            chain.prepare(traj, s);
            chain.advance(traj, s, rng);
        }
        double[] r1 = new double[n];
        reward.evaluate(x, n, r1);
        double m = 0, v = 0;
        int valid = 0;
        for (double r : r1)
            if (Double.isFinite(r)) {
                m += r;
                valid++;
            }
        if (valid == 0) throw new fksteer.io.InvalidSettingException("intermediate", "learned: every training reward is NaN or infinite");
        m /= valid;
        for (double r : r1) if (Double.isFinite(r)) v += (r - m) * (r - m);
        double sd = Math.sqrt(v / Math.max(1, valid - 1));
        if (!(sd > 0)) sd = 1;
        float[] target = new float[rows];
        for (int s = 0; s < steps; s++)
            for (int i = 0; i < n; i++) target[s * n + i] = Double.isFinite(r1[i]) ? (float) ((r1[i] - m) / sd) : 0f;

        Mlp net = Mlp.init(new int[] {d + 1, 64, 64, 1}, Rng.subSeed(seed, "learned-init"));
        Adam adam = new Adam(net.parametersInPlace(), 3e-3);
        int batch = Math.min(1024, rows);
        float[] in = new float[batch * (d + 1)], dOut = new float[batch];
        float[][] acts = new float[net.layers()][];
        int[] sizes = net.sizes();
        for (int l = 0; l < net.layers(); l++) acts[l] = new float[batch * sizes[l + 1]];
        float[] d0 = new float[batch * net.maxWidth()], d1 = new float[batch * net.maxWidth()];
        float[][] p = net.parametersInPlace();
        float[] gw = new float[p[0].length], gb = new float[p[1].length];
        long[] pick = Rng.single(seed, "learned-batches");
        int[] idx = new int[batch];
        double loss = Double.NaN;
        for (int it = 0; it < iterations; it++) {
            for (int b = 0; b < batch; b++) {
                idx[b] = (int) (Rng.nextDouble(pick, 0) * rows);
                System.arraycopy(states, idx[b] * (d + 1), in, b * (d + 1), d + 1);
            }
            net.forwardCached(in, batch, acts);
            float[] out = acts[net.layers() - 1];
            double l2 = 0;
            for (int b = 0; b < batch; b++) {
                float e = out[b] - target[idx[b]];
                l2 += (double) e * e;
                dOut[b] = 2f * e / batch;
            }
            loss = l2 / batch;
            java.util.Arrays.fill(gw, 0f);
            java.util.Arrays.fill(gb, 0f);
            net.backwardRows(in, acts, batch, dOut, d0, d1, gw, gb);
            adam.setLearningRate(3e-3 * 0.5 * (1 + Math.cos(Math.PI * it / iterations)));
            adam.step(p, new float[][] {gw, gb});
            net.syncLayouts();
        }
        return new LearnedReward(net, m, sd, d, process.nfe() - nfe0, (System.nanoTime() - t0) / 1e9, loss);
    }

    /**
     * Bytes that {@link #train} allocates: every visited state with its time and target, the trajectories'
     * points, streams and integrator scratch, and the net's batch buffers (1024 rows).
     */
    public static long trainingBytes(Sampler sampler, int steps, int trajectories, int d) {
        long rows = Sizes.product(trajectories, steps);
        return new Sizes.Bytes().floats(rows, d + 2L).floats(trajectories, d).longs(3, trajectories).doubles(trajectories)
                .add(Integrator.scratchBytes(sampler.kind(), trajectories, d)).floats(1024, d + 2L + 4 * 64 + 1).ints(1024)
                .floats(6, 64 * 64 + 64 * (d + 1L) + 64 + 64 + 1).sum();
    }

    /** out[i] = r_phi(x_i, t), in the reward's own units. scratch: n x (d + 1). */
    public void evaluate(float[] x, int n, float t, double[] out) {
        float[] in = new float[n * (d + 1)], o = new float[n];
        for (int i = 0; i < n; i++) {
            in[i * (d + 1)] = t;
            System.arraycopy(x, i * d, in, i * (d + 1) + 1, d);
        }
        mlp.forward(in, n, o);
        for (int i = 0; i < n; i++) out[i] = mean + std * o[i];
    }

    public long trainingNfe() {
        return trainingNfe;
    }

    public double trainingSeconds() {
        return trainingSeconds;
    }

    /** Final training loss, in standardised units (1 = no better than the mean). */
    public double finalLoss() {
        return finalLoss;
    }
}
