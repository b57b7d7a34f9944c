package fksteer.process;

import fksteer.io.InvalidSettingException;
import fksteer.kernel.Sizes;
import fksteer.model.CountingTokenDenoiser;
import fksteer.model.TokenDenoiser;
import fksteer.solver.Sampler;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Masked (absorbing-state) discrete diffusion over token sequences, MDLM's process (Sahoo et al. 2024):
 * particles are sequences of {@link TokenDenoiser#length()} tokens that start all masked and are
 * unmasked by {@link MaskedScheduler}'s ancestral sampler. The same steering methods run it as they run
 * flows and VP diffusion; what differs is said by the {@link Process} answers: no continuous noise
 * (zeroth-order search does not apply), no gradients (no guidance), no deterministic sampler (no ODE
 * lookahead).
 *
 * <p>Process time (for labels and plots) is 1 - t, t the masking time: 0 at the all-mask start, 1 at
 * the data.
 *
 * <p>A prompt ({@link #withPrompt}) is a prefix of tokens unmasked from the start: carried over like
 * every unmasked token, it conditions the rest by infilling (MDLM's prefix conditioning), exactly: the
 * model's posterior given the prefix is what the sampler draws from.
 *
 * <p><b>The cache</b> (MDLM's {@code ddpm_cache}): when the network ignores time, its output depends
 * on the tokens only, so a sequence whose tokens did not change since its last evaluation is not
 * evaluated again. The cache is addressed by content: each batch keeps, per sequence, the log-
 * probabilities and the tokens they were computed from, and {@link Chain#prepare} evaluates exactly
 * the sequences whose tokens differ, so no resampling, copy or selection can leave a stale output.
 * NFE counts the sequences actually evaluated.
 */
public final class MaskedProcess implements Process {
    /** The samplers of masked diffusion. */
    public static final List<Sampler.Kind> SAMPLERS = List.of(Sampler.Kind.ANCESTRAL);
    /** The ancestral sampler, the only one. */
    public static final Sampler ANCESTRAL = new Sampler(Sampler.Kind.ANCESTRAL, 1);
    /** Sequences evaluated per network call at most (the scratch of one call). */
    static final int CHUNK = 256;

    private final TokenDenoiser net;
    private final ProcessSpec.Masked spec;
    private final int[] prompt;
    private final int length, vocab, mask;

    private MaskedProcess(TokenDenoiser net, ProcessSpec.Masked spec, int[] prompt) {
        this.net = net;
        this.spec = spec;
        this.prompt = prompt;
        this.length = net.length();
        this.vocab = net.vocabSize();
        this.mask = net.maskId();
    }

    public static MaskedProcess of(TokenDenoiser network, ProcessSpec.Masked spec) {
        InvalidSettingException.require(network != null, "model", "is required");
        InvalidSettingException.require(spec != null, "process", "is required");
        InvalidSettingException.require(network.length() >= 1, "model", "must have a sequence length >= 1, got " + network.length());
        InvalidSettingException.require(network.vocabSize() >= 2, "model", "must have a vocabulary of >= 2 tokens (one of them the mask), got "
                + network.vocabSize());
        InvalidSettingException.require(network.maskId() >= 0 && network.maskId() < network.vocabSize(), "vocab",
                "mask id " + network.maskId() + " is outside [0, " + network.vocabSize() + ")");
        return new MaskedProcess(network, spec, new int[0]);
    }

    /**
     * The same process with every sequence starting from the prefix prompt (unmasked) followed by masks.
     *
     * @throws InvalidSettingException naming prompt when it leaves no position to generate or holds a mask or an unknown id
     */
    public MaskedProcess withPrompt(int[] prefix) {
        InvalidSettingException.require(prefix != null && prefix.length < length, "prompt",
                "must be shorter than the model's " + length + " positions, got " + (prefix == null ? "none" : prefix.length + " tokens"));
        for (int v : prefix)
            InvalidSettingException.require(v >= 0 && v < vocab && v != mask, "prompt", "holds token id " + v + ", which is the mask or outside [0, " + vocab + ")");
        return new MaskedProcess(net, spec, prefix.clone());
    }

    /** The prompt's tokens (empty without one). */
    public int[] prompt() {
        return prompt.clone();
    }

    public ProcessSpec.Masked spec() {
        return spec;
    }

    /** The network (counting, for a process from {@link #counted()}). */
    public TokenDenoiser network() {
        return net;
    }

    /** The mask token's id. */
    public int maskId() {
        return mask;
    }

    /** Entries of the vocabulary, the mask included. */
    public int vocabSize() {
        return vocab;
    }

    @Override
    public Shape shape() {
        return Shape.of(length);
    }

    @Override
    public String kind() {
        return "masked";
    }

    @Override
    public String describe() {
        return net.describe();
    }

    @Override
    public List<Sampler.Kind> samplers() {
        return SAMPLERS;
    }

    /** @throws InvalidSettingException naming intermediate: masked diffusion has no deterministic sampler (no ODE lookahead) */
    @Override
    public Sampler deterministicSampler() {
        throw new InvalidSettingException("intermediate", "lookahead needs a deterministic sampler, and masked diffusion has none: score the argmax "
                + "prediction (x1hat) or sampled predictions (many:K) instead");
    }

    @Override
    public Sampler stochasticSampler() {
        return ANCESTRAL;
    }

    @Override
    public boolean continuousNoise() {
        return false;
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public boolean samplesData() {
        return true;
    }

    @Override
    public MaskedProcess counted() {
        TokenDenoiser inner = net instanceof CountingTokenDenoiser c ? c.inner() : net;
        return new MaskedProcess(new CountingTokenDenoiser(inner), spec, prompt);
    }

    @Override
    public int passes() {
        return 1;
    }

    @Override
    public long nfe() {
        return net instanceof CountingTokenDenoiser c ? c.nfe() : 0;
    }

    @Override
    public long gradientCalls() {
        return 0;
    }

    @Override
    public MaskedChain chain(Sampler sampler, int steps, int capacity) {
        requireSampler(sampler);
        return new MaskedChain(new MaskedScheduler(spec.eps(), 1.0, steps, length, vocab, mask), sampler, capacity);
    }

    /** Bytes a batch of n sequences holds beside its tokens: the cached log-probabilities, the tokens they were computed from, a flag. */
    public long cacheBytes(long n) {
        return new Sizes.Bytes().floats(n, (long) length * vocab).ints(n, length).ints(n).total();
    }

    /** The content-addressed model output of one batch: log-probabilities, the tokens they are of, and whether a row was computed. */
    private final class Cache {
        final float[] logp;
        final int[] seen, valid;

        Cache(int n) {
            logp = new float[Sizes.length("particles", "particles x sequence length x vocabulary", n, length, vocab)];
            seen = new int[Sizes.length("particles", "particles x sequence length", n, length)];
            valid = new int[n];
        }
    }

    /** One run of the ancestral sampler; {@link #logTransition} exposes each step's exact probability. */
    public final class MaskedChain implements Chain {
        private final MaskedScheduler sch;
        private final Sampler sampler;
        private final int capacity;
        private final Map<Particles, Cache> caches = new IdentityHashMap<>();
        private int[] gather = new int[0];
        private float[] logits = new float[0];
        private int[] rows = new int[0];

        private MaskedChain(MaskedScheduler sch, Sampler sampler, int capacity) {
            InvalidSettingException.require(capacity >= 1, "particles", "must be >= 1, got " + capacity);
            this.sch = sch;
            this.sampler = sampler;
            this.capacity = capacity;
        }

        /** The schedule of this chain. */
        public MaskedScheduler scheduler() {
            return sch;
        }

        @Override
        public Sampler sampler() {
            return sampler;
        }

        @Override
        public int steps() {
            return sch.steps();
        }

        @Override
        public float time(int s) {
            return (float) (1.0 - sch.time(s));
        }

        @Override
        public Particles newParticles(int n) {
            InvalidSettingException.require(n >= 1 && n <= capacity, "particles", "must be in [1, " + capacity + "], got " + n);
            Particles p = Particles.discrete(shape(), n);
            Cache c = new Cache(n);
            p.carry(c.logp, length * vocab);                  // the cached output moves with its sequence
            p.carry(c.seen, length);
            p.carry(c.valid);
            caches.put(p, c);
            return p;
        }

        /** The batch's cache: carried for batches of this chain, kept aside for others (copies, tails' batches). */
        private Cache cache(Particles p) {
            if (!p.discrete() || p.size() != length) throw new IllegalArgumentException("these particles are not sequences of " + length + " tokens");
            return caches.computeIfAbsent(p, q -> new Cache(q.capacity()));
        }

        /** Every sequence the prompt, then all masked (the masking process at t = 1; no randomness). */
        @Override
        public void initialNoise(Particles p, long seed) {
            int[] tok = p.tokens();
            Arrays.fill(tok, 0, p.count() * length, mask);
            for (int i = 0; i < p.count(); i++) System.arraycopy(prompt, 0, tok, i * length, prompt.length);
        }

        /**
         * Evaluates the network on the sequences whose tokens changed since their output was computed
         * (all of them when the network reads time), in chunks of at most {@value #CHUNK}.
         */
        @Override
        public void prepare(Particles p, int s) {
            Cache c = cache(p);
            int n = p.count();
            int[] tok = p.tokens();
            if (rows.length < n) rows = new int[n];
            int m = 0;
            boolean timed = net.timeConditioned();
            for (int i = 0; i < n; i++) {
                int o = i * length;
                if (timed || c.valid[i] == 0 || !Arrays.equals(tok, o, o + length, c.seen, o, o + length)) rows[m++] = i;
            }
            float t = (float) sch.time(s);
            for (int from = 0; from < m; from += CHUNK) {
                int b = Math.min(CHUNK, m - from);
                if (gather.length < b * length) {
                    gather = new int[Sizes.length("particles", "particles x sequence length", b, length)];
                    logits = new float[Sizes.length("particles", "particles x sequence length x vocabulary", b, length, vocab)];
                }
                for (int j = 0; j < b; j++) System.arraycopy(tok, rows[from + j] * length, gather, j * length, length);
                net.logits(gather, b, t, logits);
                for (int j = 0; j < b; j++) {
                    int i = rows[from + j];
                    subs(gather, j * length, logits, j * length * vocab, c.logp, i * length * vocab, s);
                    System.arraycopy(gather, j * length, c.seen, i * length, length);
                    c.valid[i] = 1;
                }
            }
        }

        /**
         * The SUBS parameterisation of one sequence's logits at its masked positions: the mask's logit
         * -inf, then log-softmax over the rest. Positions already unmasked are left alone (carried over).
         */
        private void subs(int[] tok, int tOff, float[] lg, int lOff, float[] dst, int dOff, int s) {
            for (int l = 0; l < length; l++) {
                if (tok[tOff + l] != mask) continue;
                int a = lOff + l * vocab, d = dOff + l * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    float x = lg[a + v];
                    if (v == mask) continue;
                    if (Float.isNaN(x) || x == Float.POSITIVE_INFINITY) throw nonFinite(s, l);
                    max = Math.max(max, x);
                }
                if (max == Double.NEGATIVE_INFINITY) throw nonFinite(s, l);
                double z = 0;
                for (int v = 0; v < vocab; v++) if (v != mask) z += Math.exp(lg[a + v] - max);
                double lse = max + Math.log(z);
                for (int v = 0; v < vocab; v++) dst[d + v] = v == mask ? Float.NEGATIVE_INFINITY : (float) (lg[a + v] - lse);
            }
        }

        private InvalidSettingException nonFinite(int s, int l) {
            return new InvalidSettingException("model", String.format(Locale.ROOT,
                    "gave a NaN or +inf logit, or no finite logit, at position %d at masking time %.4f; check its weights", l, sch.time(s)));
        }

        private Cache prepared(Particles p) {
            Cache c = cache(p);
            for (int i = 0; i < p.count(); i++)
                if (c.valid[i] == 0) throw new IllegalStateException("prepare(p, s) must run before a step reads the model output");
            return c;
        }

        /** x̂0 = the argmax of p_θ at masked positions, unmasked tokens kept (free: from the step's output). */
        @Override
        public void predictData(Particles p, int s, Particles out) {
            Cache c = prepared(p);
            int n = p.count();
            for (int i = 0; i < n; i++) sch.argmaxData(p.tokens(), i * length, c.logp, i * length * vocab, out.tokens(), i * length);
            out.count(n);
        }

        /** Row i·copies + q of out: x̂0 ~ p_θ(x0 | x_t) of sequence i, unmasked tokens kept, from stream i·copies + q. */
        @Override
        public void sampleData(Particles p, int s, Particles out, int copies, long[] rng) {
            Cache c = prepared(p);
            int n = p.count();
            Sizes.length("intermediate", "particles x many:K samples", n, copies);
            for (int i = 0; i < n; i++)
                for (int q = 0; q < copies; q++) {
                    int r = i * copies + q;
                    sch.sampleData(p.tokens(), i * length, c.logp, i * length * vocab, out.tokens(), r * length, rng, r);
                }
            out.count(n * copies);
        }

        /** Step s of every sequence (MDLM's ancestral update; the noise removal at the last step); sequence i draws from stream i. */
        @Override
        public void advance(Particles p, int s, long[] rng) {
            Cache c = prepared(p);
            int n = p.count();
            for (int i = 0; i < n; i++) sch.step(s, p.tokens(), i * length, c.logp, i * length * vocab, rng, i);
        }

        /**
         * out[i] = log p(x_(s+1) = to_i | x_s = from_i), the exact probability of step s under the model's
         * output cached in from (prepare(from, s) done): what a proposal's importance weight needs.
         */
        public void logTransition(Particles from, Particles to, int s, double[] out) {
            Cache c = prepared(from);
            for (int i = 0; i < from.count(); i++)
                out[i] = sch.logTransition(s, from.tokens(), i * length, to.tokens(), i * length, c.logp, i * length * vocab);
        }

        /** Masked diffusion's steps are not Gaussian: 0 (no guided proposal applies). */
        @Override
        public double variance(int s) {
            return 0;
        }

        @Override
        public void transitionMean(Particles p, int s, float[] out) {
            throw noGuidance();
        }

        @Override
        public void advanceGuided(Particles p, int s, long[] rng, float[] shift, double[] logCorr) {
            throw noGuidance();
        }

        @Override
        public void dataVjp(Particles p, int s, float[] g, float[] out) {
            throw noGuidance();
        }

        private InvalidSettingException noGuidance() {
            return new InvalidSettingException("guidance", "needs a continuous process with Gaussian steps and a model with gradients; masked diffusion has neither");
        }

        /** Re-masking: each unmasked token masked with the forward process's probability from step `from`'s time to step `to`'s. */
        @Override
        public void renoise(Particles p, int from, int to, long[] rng) {
            if (!(to < from)) throw new IllegalArgumentException("renoise goes back to an earlier step: " + to + " >= " + from);
            for (int i = 0; i < p.count(); i++) sch.remask(from, to, p.tokens(), i * length, rng, i);
        }

        @Override
        public Chain tail(int from, int steps, Sampler s, int cap) {
            InvalidSettingException.require(steps >= 1, "lookaheadSteps", "must be >= 1, got " + steps);
            requireSampler(s);
            if (!(from < sch.steps())) throw new IllegalArgumentException("a tail starts before the data end, got step " + from);
            return new MaskedChain(new MaskedScheduler(sch.eps(), sch.time(from), steps, length, vocab, mask), s, cap);
        }
    }
}
