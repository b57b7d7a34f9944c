package fksteer.solver;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.DenseKernels;
import fksteer.kernel.Finite;
import fksteer.kernel.Parallel;
import fksteer.kernel.Sizes;
import java.util.Locale;
import fksteer.model.VelocityField;
import fksteer.rng.Rng;

/**
 * One run's stepping machinery: a {@link Sampler} bound to a field, with its scratch buffers. Not
 * thread-safe; the field itself parallelises over points. Steps are in place and allocate nothing.
 */
public final class Integrator {
    private static final int NOISE_CHUNK = 512;
    private final Sampler spec;
    private final VelocityField field;
    private final int d;
    private final float[] v0, v1, v2, v3, tmp;
    private final NoiseTask noiseTask = new NoiseTask();
    private final ThreadLocal<NoiseScratch> noiseScratch;

    /** Per-thread buffers of the noise pass. */
    private static final class NoiseScratch {
        final float[] eps, pairs = new float[2 * NOISE_CHUNK], us = new float[16];
        final int[] idx = new int[16];

        NoiseScratch(int d) {
            eps = new float[d];
        }
    }

    Integrator(Sampler spec, VelocityField field, int capacity) {
        if (spec.kind() == Sampler.Kind.DDIM || spec.kind() == Sampler.Kind.DDPM)
            throw new InvalidSettingException("sampler", spec.name() + " is a VP diffusion sampler; a flow takes euler, midpoint, heun, rk4, sde, "
                    + "reference-sde or simple-stochastic");
        this.spec = spec;
        this.field = field;
        this.d = field.dim();
        this.noiseScratch = ThreadLocal.withInitial(() -> new NoiseScratch(d));
        int len = Sizes.length("particles", "particles x dimension", capacity, d);
        v0 = new float[len];
        v1 = new float[len];
        tmp = new float[len];
        boolean rk4 = spec.kind() == Sampler.Kind.RK4;
        v2 = rk4 ? new float[len] : null;
        v3 = rk4 ? new float[len] : null;
    }

    /** Bytes of an integrator's scratch for capacity points of dimension d: 3 (rk4: 5) velocity-sized buffers. */
    public static long scratchBytes(Sampler.Kind kind, long capacity, int d) {
        return new Sizes.Bytes().floats(kind == Sampler.Kind.RK4 ? 5 : 3, capacity, d).sum();
    }

    public Sampler spec() {
        return spec;
    }

    public VelocityField field() {
        return field;
    }

    /** Scratch holding v(x, t) after {@link #velocityAt}; steps may overwrite it. */
    public float[] velocityBuffer() {
        return v0;
    }

    /** Computes v(x, t) into {@link #velocityBuffer()} (one network evaluation per point). */
    public float[] velocityAt(float[] x, int n, float t) {
        field.velocity(x, n, t, v0);
        return v0;
    }

    /** Advances x (n points) from t to t + h in place. rng: one stream per point (stochastic kinds). */
    public void step(float[] x, int n, float t, float h, long[] rng) {
        field.velocity(x, n, t, v0);
        stepFromVelocity(x, n, t, h, rng);
    }

    /**
     * Advances x from t to t + h given that {@link #velocityBuffer()} already holds v(x, t), so a caller
     * that needed that velocity (for x̂1, say) pays no extra evaluation.
     *
     * @throws InvalidSettingException when the step leaves a value of x non-finite (see {@link #requireFinite})
     */
    public void stepFromVelocity(float[] x, int n, float t, float h, long[] rng) {
        advance(x, n, t, h, rng);
        requireFinite(x, n, t, h, false);
    }

    private void advance(float[] x, int n, float t, float h, long[] rng) {
        int len = n * d;
        switch (spec.kind()) {
            case EULER -> {
                // x_{t+h} = x_t + h v(x_t, t)
                for (int i = 0; i < len; i++) x[i] = Math.fma(h, v0[i], x[i]);
            }
            case MIDPOINT -> {
                // x_{t+h} = x_t + h v(x_t + (h/2) v(x_t, t), t + h/2)   (the reference's step)
                midpointVelocity(x, n, t, h);
                for (int i = 0; i < len; i++) x[i] = Math.fma(h, v1[i], x[i]);
            }
            case HEUN -> {
                // predictor x~ = x + h v0; x_{t+h} = x + (h/2)(v0 + v(x~, t+h))
                for (int i = 0; i < len; i++) tmp[i] = Math.fma(h, v0[i], x[i]);
                field.velocity(tmp, n, t + h, v1);
                for (int i = 0; i < len; i++) x[i] += 0.5f * h * (v0[i] + v1[i]);
            }
            case RK4 -> {
                float hh = 0.5f * h;
                for (int i = 0; i < len; i++) tmp[i] = Math.fma(hh, v0[i], x[i]);
                field.velocity(tmp, n, t + hh, v1);
                for (int i = 0; i < len; i++) tmp[i] = Math.fma(hh, v1[i], x[i]);
                field.velocity(tmp, n, t + hh, v2);
                for (int i = 0; i < len; i++) tmp[i] = Math.fma(h, v2[i], x[i]);
                field.velocity(tmp, n, t + h, v3);
                float h6 = h / 6f;
                for (int i = 0; i < len; i++) x[i] += h6 * (v0[i] + 2f * v1[i] + 2f * v2[i] + v3[i]);
            }
            case SDE -> {
                // dx = [v + (omega_t/2) s] dt + sqrt(omega_t) dW, omega_t = k(1-t), s = (t v - x)/(1-t)
                //    = [v + (k/2)(t v - x)] dt + sqrt(k (1-t)) dW          (Euler–Maruyama)
                // The transport term uses the midpoint velocity; the score term uses v(x_t, t).
                float k = (float) spec.stochasticity();
                midpointVelocity(x, n, t, h);
                if (k == 0f) {
                    for (int i = 0; i < len; i++) x[i] = Math.fma(h, v1[i], x[i]);
                    return;
                }
                float sd = (float) Math.sqrt(k * Math.max(0.0, 1.0 - t) * h);
                float half = 0.5f * k;
                noisyUpdate(x, n, rng, t, h, sd, half);
            }
            case REFERENCE_SDE -> {
                // reference: x += (v - (k/2) t v + (k/2) x) h + h sqrt(k (1-t)) eps  -- does NOT keep p_t
                float k = (float) spec.stochasticity();
                midpointVelocity(x, n, t, h);
                float sd = (float) (h * Math.sqrt(k * Math.max(0.0, 1.0 - t)));
                float half = 0.5f * k;
                noisyUpdate(x, n, rng, t, h, sd, half);
            }
            case SIMPLE_STOCHASTIC -> {
                // reference: midpoint step, then x += h sqrt(1 - t) eps
                midpointVelocity(x, n, t, h);
                float sd = (float) (h * Math.sqrt(Math.max(0.0, 1.0 - t)));
                noisyUpdate(x, n, rng, t, h, sd, 0f);
            }
        }
    }

    /**
     * The stochastic update of every entry, drawing eps from each particle's own stream, in parallel over
     * fixed chunks of particles (so no draw depends on the thread count). x: Modified.
     */
    /**
     * The mean of the step from t to t + h, with {@link #velocityBuffer()} holding v(x, t): the whole
     * step of an ODE solver, or a stochastic step without its noise (the SDE's
     * x + h [v(x + (h/2) v0, t + h/2) + (k/2)(t v0 - x)]). Evaluates the model as the step would (the
     * midpoint or later stages). x: Not modified. out: Modified.
     */
    public void transitionMean(float[] x, int n, float t, float h, float[] out) {
        int len = n * d;
        float half = 0.5f * (float) spec.stochasticity();
        switch (spec.kind()) {
            case SDE -> {
                midpointVelocity(x, n, t, h);
                for (int i = 0; i < len; i++) out[i] = x[i] + h * (v1[i] + half * (t * v0[i] - x[i]));
            }
            case REFERENCE_SDE -> {
                midpointVelocity(x, n, t, h);
                for (int i = 0; i < len; i++) out[i] = x[i] + h * (v1[i] - half * (t * v1[i] - x[i]));
            }
            case SIMPLE_STOCHASTIC -> {
                midpointVelocity(x, n, t, h);
                for (int i = 0; i < len; i++) out[i] = Math.fma(h, v1[i], x[i]);
            }
            default -> {
                System.arraycopy(x, 0, out, 0, len);
                advance(out, n, t, h, null);
            }
        }
    }

    /**
     * A guided SDE step (Euler–Maruyama with its mean shifted): x' ~ N(mu + shift, sigma^2 I) where
     * mu = x + h [v + (k/2)(t v0 - x)] is the model's own transition mean and sigma^2 = k (1 - t) h.
     * Writes, per particle, log p_model(x' | x) - log tau(x' | x) = -(|shift|^2 + 2 sigma shift.eps) / (2 sigma^2),
     * the importance weight that keeps an FK target exact. Requires {@link #velocityBuffer()} = v(x, t).
     * x, logCorr: Modified. shift: Not modified.
     */
    public void stepGuided(float[] x, int n, float t, float h, long[] rng, float[] shift, double[] logCorr) {
        if (spec.kind() != Sampler.Kind.SDE || !(spec.stochasticity() > 0))
            throw new fksteer.io.InvalidSettingException("guidance", "needs sampler sde with stochasticity > 0", "sampler", "stochasticity");
        advanceGuided(x, n, t, h, rng, shift, logCorr);
        requireFinite(x, n, t, h, true);
    }

    /**
     * The check after every step, so that no sampler, method or lookahead carries a NaN or an infinity
     * forward (or returns one): a vectorised scan of the n x d state, a few nanoseconds per point. On
     * failure it names the likeliest cause: an SDE step that is unstable (the drift multiplies x by
     * 1 - k h / 2, which explodes once k h > 4; the reference SDE's 1 + k h / 2 grows like e^(k/2) over a
     * run), the guidance scale in a guided step, else the model (a velocity that is not finite or overflows).
     *
     * @throws InvalidSettingException naming stochasticity, guidance or model
     */
    private void requireFinite(float[] x, int n, float t, float h, boolean guided) {
        if (Finite.all(x, n * d)) return;
        double k = spec.stochasticity();
        String where = String.format(Locale.ROOT, "the %s sampler's state non-finite in the step from t = %.3f to %.3f", spec.name(), t, t + h);
        boolean unstable = switch (spec.kind()) {
            case SDE -> k * h > 4;
            case REFERENCE_SDE -> k > 20;
            default -> false;
        };
        if (unstable)
            throw new InvalidSettingException("stochasticity", String.format(Locale.ROOT,
                    "%s made %s (stochasticity x step size = %.3g makes the step unstable); lower it or use more steps", k, where, k * h));
        if (guided)
            throw new InvalidSettingException("guidance", "made " + where + "; lower it");
        throw new InvalidSettingException("model", "made " + where + ": its velocity is not finite or overflows; check its weights");
    }

    private void advanceGuided(float[] x, int n, float t, float h, long[] rng, float[] shift, double[] logCorr) {
        float k = (float) spec.stochasticity();
        midpointVelocity(x, n, t, h);
        float sd = (float) Math.sqrt(k * Math.max(0.0, 1.0 - t) * h);
        if (!(sd > 0)) { // the last step at t = 1 has no noise: plain drift, no correction
            for (int i = 0; i < n * d; i++) x[i] = x[i] + h * (v1[i] + 0.5f * k * (t * v0[i] - x[i]));
            java.util.Arrays.fill(logCorr, 0, n, 0.0);
            return;
        }
        noiseTask.shift = shift;
        noiseTask.logCorr = logCorr;
        try {
            noisyUpdate(x, n, rng, t, h, sd, 0.5f * k);
        } finally {
            noiseTask.shift = null;
            noiseTask.logCorr = null;
        }
    }

    private void noisyUpdate(float[] x, int n, long[] rng, float t, float h, float sd, float half) {
        if (rng == null || rng.length < n) throw new IllegalArgumentException("a stochastic sampler needs one random stream per point");
        NoiseTask task = noiseTask;
        task.x = x;
        task.rng = rng;
        task.n = n;
        task.t = t;
        task.h = h;
        task.sd = sd;
        task.half = half;
        try {
            Parallel.run(Parallel.chunks(n, NOISE_CHUNK), task);
        } finally {
            task.x = null;
            task.rng = null;
        }
    }

    /**
     * The SDE update x = x + h (v1 + (k/2)(t v0 - x)) + sd eps on entries [from, to), eps[i - from] the
     * noise; vector lanes (when the Vector API is there) evaluate the same expression in the same order
     * as the scalar tail.
     */
    private void sdeUpdate(float[] x, int from, int to, float[] eps) {
        NoiseTask tk = noiseTask;
        float t = tk.t, h = tk.h, sd = tk.sd, half = tk.half;
        int i = VECTOR_SDE ? VectorSde.update(x, v0, v1, eps, from, to, t, h, sd, half) : from;
        for (; i < to; i++) x[i] = x[i] + h * (v1[i] + half * (t * v0[i] - x[i])) + sd * eps[i - from];
    }

    private static final boolean VECTOR_SDE = fksteer.kernel.Vectorization.enabled();

    /** The stochastic update of one chunk of particles; reused so a step allocates nothing. */
    private final class NoiseTask implements java.util.function.IntConsumer {
        float[] x, shift;
        double[] logCorr;
        long[] rng;
        int n;
        float t, h, sd, half;

        @Override
        public void accept(int c) {
            Sampler.Kind kind = spec.kind();
            NoiseScratch ns = noiseScratch.get();
            float[] eps = ns.eps;
            int p0 = c * NOISE_CHUNK, pEnd = Math.min(n, p0 + NOISE_CHUNK);
            if (d == 2) Rng.fillGaussianPairs(rng, p0, pEnd - p0, ns.pairs, 0, ns.idx, ns.us); // 8 particles per vector
            if (d == 2 && kind == Sampler.Kind.SDE && shift == null) { // the same bits as the loop below
                sdeUpdate(x, 2 * p0, 2 * pEnd, ns.pairs);
                return;
            }
            for (int p = p0; p < pEnd; p++) {
                if (d == 2) {
                    eps[0] = ns.pairs[2 * (p - p0)];
                    eps[1] = ns.pairs[2 * (p - p0) + 1];
                } else {
                    Rng.fillGaussian(rng, p, eps, 0, d);
                }
                if (shift != null) {
                    // guided: x' = mu + shift + sd eps; log p/tau = -(|shift|^2 + 2 sd shift.eps) / (2 sd^2)
                    double lc = 0;
                    for (int k = 0; k < d; k++) {
                        int i = p * d + k;
                        float m = shift[i];
                        x[i] = x[i] + h * (v1[i] + half * (t * v0[i] - x[i])) + m + sd * eps[k];
                        lc += (double) m * m + 2.0 * sd * m * eps[k];
                    }
                    logCorr[p] = -lc / (2.0 * sd * sd);
                    continue;
                }
                for (int k = 0; k < d; k++) {
                    int i = p * d + k;
                    float e = eps[k];
                    x[i] = switch (kind) {
                        case SDE -> x[i] + h * (v1[i] + half * (t * v0[i] - x[i])) + sd * e;
                        case REFERENCE_SDE -> x[i] + h * (v1[i] - half * (t * v1[i] - x[i])) + sd * e;
                        default -> Math.fma(h, v1[i], x[i]) + sd * e; // SIMPLE_STOCHASTIC
                    };
                }
            }
        }
    }

    private void midpointVelocity(float[] x, int n, float t, float h) {
        int len = n * d;
        float hh = 0.5f * h;
        for (int i = 0; i < len; i++) tmp[i] = Math.fma(hh, v0[i], x[i]);
        field.velocity(tmp, n, t + hh, v1);
    }


    /** Solves x from t0 to t1 in the given number of equal steps (ODE kinds ignore rng). */
    public void solve(float[] x, int n, double t0, double t1, int steps, long[] rng) {
        for (int s = 0; s < steps; s++) {
            float ta = TimeGrid.at(t0, t1, steps, s), tb = TimeGrid.at(t0, t1, steps, s + 1);
            step(x, n, ta, tb - ta, rng);
        }
    }
}
