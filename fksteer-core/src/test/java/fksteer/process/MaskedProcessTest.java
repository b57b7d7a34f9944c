package fksteer.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import fksteer.model.TokenDenoiser;
import fksteer.rng.Rng;
import fksteer.solver.Sampler;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * MDLM's masked process and ancestral sampler ({@link MaskedProcess}, {@link MaskedScheduler}) against
 * ground truth: {@link TokenTable}, the exact denoiser of a table distribution over tiny sequences.
 *
 * <p>Statistics: counts are compared with their exact probabilities by Pearson's chi-square, against
 * the 1 - 1e-4 quantile of its distribution (Wilson–Hilferty), and fractions by 4.5 binomial standard
 * errors (two-sided p = 7e-6); about 40 comparisons in all, so a correct sampler fails one with
 * probability under 0.5%. Seeds are fixed; a failure is investigated, never reseeded.
 */
class MaskedProcessTest {
    static final double EPS = MaskedScheduler.DEFAULT_EPS;
    static final int L = 3, T = 2, M = T;     // sequences of 3 tokens over {0, 1} and the mask (id 2)

    /** A non-product distribution over the 8 sequences of {0, 1}^3: positions are correlated. */
    static final TokenTable CORRELATED = new TokenTable(L, T, new double[] {0.30, 0.05, 0.02, 0.13, 0.07, 0.11, 0.04, 0.28});

    /** The logits of a test network. */
    interface Logits {
        void logits(int[] tokens, int n, float t, float[] out);
    }

    /** A network over {0, 1} and the mask with the given logits, time-conditioned or not. */
    static TokenDenoiser network(boolean timed, Logits f) {
        return new TokenDenoiser() {
            public int length() {
                return L;
            }

            public int vocabSize() {
                return T + 1;
            }

            public int maskId() {
                return M;
            }

            public boolean timeConditioned() {
                return timed;
            }

            public void logits(int[] tokens, int n, float t, float[] out) {
                f.logits(tokens, n, t, out);
            }
        };
    }

    static MaskedProcess process(TokenDenoiser net) {
        return ProcessSpec.Masked.logLinear().bindTokens(net);
    }

    /** The masking time of step s of an S-step run, from the definition (linspace(1, ε, S), then 0). */
    static double time(int s, int steps) {
        if (s == steps) return 0;
        return steps == 1 ? 1 : 1 - (1 - EPS) * s / (steps - 1);
    }

    /** The 1 - 1e-4 quantile of chi-square with df degrees of freedom (Wilson–Hilferty, z = 3.719). */
    static double chiSquareCritical(int df) {
        double a = 2.0 / (9 * df);
        return df * Math.pow(1 - a + 3.719 * Math.sqrt(a), 3);
    }

    /** Pearson's statistic of counts against probabilities (cells of probability 0 must have count 0). */
    static double chiSquare(long[] counts, double[] p, long n, String what) {
        double x2 = 0;
        for (int c = 0; c < p.length; c++) {
            if (p[c] == 0) {
                assertEquals(0, counts[c], what + ": a draw of probability 0 at cell " + c);
                continue;
            }
            double e = n * p[c];
            x2 += (counts[c] - e) * (counts[c] - e) / e;
        }
        return x2;
    }

    static int cells(double[] p) {
        int c = 0;
        for (double v : p) if (v > 0) c++;
        return c;
    }

    /** Brute force: the probability of every next state (sequence index over {0, .., V-1}^L) of step s from x. */
    static double[] bruteForce(TokenTable table, int[] x, int s, int steps) {
        int vs = T + 1, size = (int) Math.pow(vs, L);
        double[][] q = table.posterior(x, 0);
        double stay = s == steps - 1 ? 0 : time(s + 1, steps) / time(s, steps);
        double[] out = new double[size];
        for (int c = 0; c < size; c++) {
            int[] y = TokenTable.decode(c, L, vs);
            double pr = 1;
            for (int l = 0; l < L; l++) {
                if (x[l] != M) pr *= y[l] == x[l] ? 1 : 0;                       // carried over
                else if (s == steps - 1) {                                        // noise removal: the argmax
                    int best = q[l][1] > q[l][0] ? 1 : 0;
                    pr *= y[l] == best ? 1 : 0;
                } else pr *= y[l] == M ? stay : (1 - stay) * q[l][y[l]];
            }
            out[c] = pr;
        }
        return out;
    }

    @Test
    void transitionProbabilitiesEqualBruteForceEnumeration() {
        int steps = 6, n = 60_000;
        MaskedProcess proc = process(CORRELATED);
        int[][] starts = {{M, M, M}, {0, M, M}, {M, 1, M}, {1, 0, M}, {M, M, 0}};
        int[] at = {0, 1, 2, 3, 5};                 // the last: the noise-removal step
        int vs = T + 1;
        for (int c = 0; c < starts.length; c++) {
            int s = at[c];
            double[] exact = bruteForce(CORRELATED, starts[c], s, steps);
            assertEquals(1.0, Arrays.stream(exact).sum(), 1e-12);
            MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
            Particles from = chain.newParticles(n), to = chain.newParticles(n);
            for (int i = 0; i < n; i++) System.arraycopy(starts[c], 0, from.tokens(), i * L, L);
            chain.prepare(from, s);
            // the exposed log-probability of every possible next state equals the enumeration's
            Particles one = chain.newParticles(1), next = chain.newParticles(1);
            System.arraycopy(starts[c], 0, one.tokens(), 0, L);
            chain.prepare(one, s);
            double[] lp = new double[1];
            for (int y = 0; y < exact.length; y++) {
                next.tokens()[0] = y / (vs * vs);
                next.tokens()[1] = y / vs % vs;
                next.tokens()[2] = y % vs;
                chain.logTransition(one, next, s, lp);
                String what = "start " + Arrays.toString(starts[c]) + " step " + s + " next " + Arrays.toString(TokenTable.decode(y, L, vs));
                if (exact[y] == 0) assertEquals(Double.NEGATIVE_INFINITY, lp[0], what);
                else assertEquals(Math.log(exact[y]), lp[0], 1e-6, what);
            }
            // and the sampler draws exactly those probabilities
            for (int i = 0; i < n; i++) System.arraycopy(starts[c], 0, to.tokens(), i * L, L);
            chain.prepare(to, s);
            chain.advance(to, s, Rng.streams(Rng.subSeed(17 + c, "steps"), n));
            long[] counts = new long[exact.length];
            double[] lps = new double[n];
            chain.logTransition(from, to, s, lps);
            for (int i = 0; i < n; i++) {
                counts[TokenTable.encode(to.tokens(), i * L, L, vs)]++;
                assertTrue(lps[i] > Double.NEGATIVE_INFINITY, "a drawn transition has probability 0");
            }
            int df = cells(exact) - 1;
            if (df == 0) continue;                  // deterministic (noise removal): every draw checked above
            double x2 = chiSquare(counts, exact, n, "start " + Arrays.toString(starts[c]));
            assertTrue(x2 < chiSquareCritical(df), String.format(Locale.ROOT, "chi-square %.1f on %d df (start %s, step %d)", x2, df,
                    Arrays.toString(starts[c]), s));
        }
    }

    /** The sampler's masking marginal at step s is Π stay = t_s; the forward process's, from data, is α(t_s) = (1 - ε) t_s. */
    @Test
    void maskingMarginalsAreExact() {
        int steps = 9, n = 20_000;
        MaskedProcess proc = process(CORRELATED);
        MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
        Particles p = chain.newParticles(n);
        chain.initialNoise(p, 1);
        long[] rng = Rng.streams(Rng.subSeed(3, "steps"), n);
        for (int s = 0; s <= steps; s++) {
            double frac = maskedFraction(p), want = time(s, steps), se = Math.sqrt(want * (1 - want) / (n * L));
            if (s == 0) assertEquals(1.0, frac, 0.0, "the start is all masked");
            else if (s == steps) assertEquals(0.0, frac, 0.0, "the noise removal leaves no mask");
            else assertEquals(want, frac, 4.5 * se, "sampler's masked fraction at step " + s);
            if (s < steps) {
                chain.prepare(p, s);
                chain.advance(p, s, rng);
            }
        }
        // forward: data at the end (step S, t = 0), re-masked to step a, then on to the noisier step b
        Particles q = chain.newParticles(n);
        Random r = new Random(5);
        for (int i = 0; i < n; i++) System.arraycopy(TokenTable.decode(draw(CORRELATED.p(), r), L, T), 0, q.tokens(), i * L, L);
        long[] fwd = Rng.streams(Rng.subSeed(4, "remask"), n);
        int a = 6, b = 2;
        chain.renoise(q, steps, a, fwd);
        double want = (1 - EPS) * time(a, steps), se = Math.sqrt(want * (1 - want) / (n * L));
        assertEquals(want, maskedFraction(q), 4.5 * se, "forward masked fraction at step " + a);
        chain.renoise(q, a, b, fwd);
        want = (1 - EPS) * time(b, steps);
        se = Math.sqrt(want * (1 - want) / (n * L));
        assertEquals(want, maskedFraction(q), 4.5 * se, "forward masked fraction at step " + b + " after step " + a);
    }

    static double maskedFraction(Particles p) {
        long m = 0;
        for (int i = 0; i < p.count() * L; i++) if (p.tokens()[i] == M) m++;
        return (double) m / (p.count() * L);
    }

    static int draw(double[] p, Random r) {
        double u = r.nextDouble(), c = 0;
        for (int i = 0; i < p.length; i++) {
            c += p[i];
            if (u < c) return i;
        }
        return p.length - 1;
    }

    /** Once unmasked, a token never changes, whatever the network says at that position. */
    @Test
    void unmaskedTokensAreCarriedOver() {
        int steps = 12, n = 3000;
        // a network that, at every position, puts nearly all its mass on token 0
        TokenDenoiser loud = network(false, (tokens, m, t, out) -> {
            CORRELATED.logits(tokens, m, t, out);
            for (int i = 0; i < m * L; i++) if (tokens[i] != M) out[i * (T + 1)] = 50f;   // unmasked positions: "change me to 0"
        });
        MaskedProcess.MaskedChain chain = process(loud).chain(MaskedProcess.ANCESTRAL, steps, n);
        Particles p = chain.newParticles(n);
        chain.initialNoise(p, 2);
        long[] rng = Rng.streams(Rng.subSeed(8, "steps"), n);
        int[] before = new int[n * L];
        long ones = 0;
        for (int s = 0; s < steps; s++) {
            System.arraycopy(p.tokens(), 0, before, 0, n * L);
            chain.prepare(p, s);
            chain.advance(p, s, rng);
            for (int i = 0; i < n * L; i++) if (before[i] != M) assertEquals(before[i], p.tokens()[i], "a token changed after it was unmasked");
        }
        for (int i = 0; i < n * L; i++) if (p.tokens()[i] == 1) ones++;
        assertTrue(ones > n / 4, "the final tokens follow the model, not the loud logits at unmasked positions: " + ones + " ones");
    }

    /** For a product distribution MDLM's factorised update is exact: the samples follow the table, however few the steps. */
    @Test
    void samplesOfAProductDistributionAreExact() {
        TokenTable table = TokenTable.product(new double[][] {{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}, {0.25, 0.25, 0.5}});
        int vs = 3, n = 40_000;
        for (int steps : new int[] {2, 5, 30}) {
            MaskedProcess proc = process(table);
            MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
            Particles p = chain.newParticles(n);
            chain.initialNoise(p, 0);
            chain.solve(p, 0, steps, Rng.streams(Rng.subSeed(steps, "steps"), n));
            long[] counts = new long[table.size()];
            for (int i = 0; i < n; i++) counts[TokenTable.encode(p.tokens(), i * L, L, vs)]++;
            double x2 = chiSquare(counts, table.p(), n, steps + " steps");
            // the noise removal's argmax carries a bias of order ε per position: far below these counts' resolution
            assertTrue(x2 < chiSquareCritical(table.size() - 1), String.format(Locale.ROOT, "chi-square %.1f on %d df at %d steps", x2,
                    table.size() - 1, steps));
        }
    }

    /**
     * MDLM's cache: a sequence whose tokens did not change is not evaluated again, and the samples are
     * bit for bit those of the same sampler evaluating every sequence at every step.
     */
    @Test
    void theCacheSkipsUnchangedSequencesAndChangesNothing() {
        int steps = 40, n = 500;
        TokenDenoiser timed = network(true, CORRELATED::logits);    // the same network, declared time-conditioned: never cached
        int[][] finals = new int[2][];
        long[] nfe = new long[2];
        TokenDenoiser[] nets = {CORRELATED, timed};
        for (int v = 0; v < 2; v++) {
            MaskedProcess proc = process(nets[v]).counted();
            Chain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
            Particles p = chain.newParticles(n);
            chain.initialNoise(p, 0);
            chain.solve(p, 0, steps, Rng.streams(Rng.subSeed(11, "steps"), n));
            finals[v] = Arrays.copyOf(p.tokens(), n * L);
            nfe[v] = proc.nfe();
        }
        assertArrayEquals(finals[1], finals[0], "the cache changed the samples");
        assertEquals((long) n * steps, nfe[1], "without the cache every sequence is evaluated at every step");
        // at most L + 1 distinct token states per sequence are ever evaluated (each change unmasks >= 1 token), before the last step
        assertTrue(nfe[0] <= (long) n * (L + 1), "cached NFE " + nfe[0] + " > n (L + 1)");
        assertTrue(nfe[0] >= n, "every sequence is evaluated at least once: " + nfe[0]);
    }

    /** The cache survives resampling, copies and selection: it is addressed by the tokens, so no output is stale. */
    @Test
    void theCacheFollowsTheTokensThroughPermutationsAndCopies() {
        int steps = 8, n = 64;
        MaskedProcess proc = process(CORRELATED);
        MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
        Particles p = chain.newParticles(n), fresh = chain.newParticles(n), other = chain.newParticles(n);
        chain.initialNoise(p, 0);
        long[] rng = Rng.streams(Rng.subSeed(1, "steps"), n);
        Random r = new Random(3);
        Particles xhat = p.like(n), want = p.like(n);
        for (int s = 0; s < steps - 1; s++) {
            chain.prepare(p, s);
            int[] anc = new int[n];
            for (int i = 0; i < n; i++) anc[i] = r.nextInt(n);
            p.permute(anc);                           // resampling moves the cache with the tokens
            int[] rows = new int[n];
            for (int i = 0; i < n; i++) rows[i] = r.nextInt(n);
            other.select(p, rows, n);                 // selection copies tokens only: other's cache must not be trusted
            chain.prepare(other, s);
            chain.predictData(other, s, xhat);
            fresh.select(other, java.util.stream.IntStream.range(0, n).toArray(), n);
            MaskedProcess.MaskedChain clean = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
            Particles ref = clean.newParticles(n);
            ref.select(other, java.util.stream.IntStream.range(0, n).toArray(), n);
            clean.prepare(ref, s);
            clean.predictData(ref, s, want);
            assertArrayEquals(Arrays.copyOf(want.tokens(), n * L), Arrays.copyOf(xhat.tokens(), n * L), "a stale cached output at step " + s);
            chain.advance(p, s, rng);
        }
    }

    /** many:K's draws x̂0 ~ p_θ(x0 | x_t) follow the exact per-position posterior and keep the unmasked tokens. */
    @Test
    void sampledPredictionsFollowThePosterior() {
        int steps = 5, n = 1, copies = 30_000;
        MaskedProcess proc = process(CORRELATED).counted();
        MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
        Particles p = chain.newParticles(n);
        int[] x = {M, 1, M};
        System.arraycopy(x, 0, p.tokens(), 0, L);
        chain.prepare(p, 2);
        Particles out = p.like(copies);
        chain.sampleData(p, 2, out, copies, Rng.streams(Rng.subSeed(9, "many"), copies));
        assertEquals(1, proc.nfe(), "the draws cost no network evaluation");
        double[][] q = CORRELATED.posterior(x, 0);
        double[] prod = new double[8];      // positions independent given x_t (MDLM's factorisation)
        for (int c = 0; c < 8; c++) {
            int[] y = TokenTable.decode(c, L, T);
            prod[c] = y[1] != 1 ? 0 : q[0][y[0]] * q[2][y[2]];
        }
        long[] counts = new long[8];
        for (int i = 0; i < copies; i++) counts[TokenTable.encode(out.tokens(), i * L, L, T)]++;
        double x2 = chiSquare(counts, prod, copies, "sampled x̂0");
        assertTrue(x2 < chiSquareCritical(cells(prod) - 1), "chi-square " + x2);
        // the argmax prediction: masked positions take the most probable token, the unmasked one is kept
        Particles am = p.like(1);
        chain.predictData(p, 2, am);
        assertArrayEquals(new int[] {q[0][1] > q[0][0] ? 1 : 0, 1, q[2][1] > q[2][0] ? 1 : 0}, Arrays.copyOf(am.tokens(), L));
    }

    @Test
    void whatMaskedDiffusionCannotDoIsSaidInOneLine() {
        MaskedProcess proc = process(CORRELATED);
        assertEquals("intermediate", assertThrows(InvalidSettingException.class, proc::deterministicSampler).setting());
        assertEquals("sampler", assertThrows(InvalidSettingException.class,
                () -> proc.chain(Sampler.ode(Sampler.Kind.MIDPOINT), 5, 4)).setting());
        assertEquals("stochasticity", assertThrows(InvalidSettingException.class, () -> new Sampler(Sampler.Kind.ANCESTRAL, 0.5)).setting());
        Chain chain = proc.chain(MaskedProcess.ANCESTRAL, 5, 4);
        Particles p = chain.newParticles(4);
        assertEquals("guidance", assertThrows(InvalidSettingException.class, () -> chain.advanceGuided(p, 0, null, null, null)).setting());
        assertEquals("model", assertThrows(InvalidSettingException.class,
                () -> new ProcessSpec.Masked(1e-3).bind(null, null, Condition.NONE)).setting());
        // a network that gives NaN is refused at the step that sees it
        TokenDenoiser nan = network(false, (tokens, m, t, out) -> Arrays.fill(out, 0, m * L * (T + 1), Float.NaN));
        Chain bad = process(nan).chain(MaskedProcess.ANCESTRAL, 5, 4);
        Particles q = bad.newParticles(4);
        bad.initialNoise(q, 0);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> bad.prepare(q, 0));
        assertEquals("model", e.setting());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void processTimeRunsFromTheAllMaskStartToTheData() {
        Chain chain = process(CORRELATED).chain(MaskedProcess.ANCESTRAL, 5, 1);
        assertEquals(0f, chain.time(0));
        assertEquals(1f, chain.time(5));
        for (int s = 0; s < 5; s++) assertEquals((float) (1 - time(s, 5)), chain.time(s), 1e-7);
    }

    /** A prompt is carried over unchanged and the rest is drawn from the model's posterior given it (exact for a product distribution). */
    @Test
    void aPromptConditionsByInfilling() {
        TokenTable table = TokenTable.product(new double[][] {{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}, {0.25, 0.25, 0.5}});
        int n = 30_000, steps = 6;
        MaskedProcess proc = process(table).withPrompt(new int[] {2});
        MaskedProcess.MaskedChain chain = proc.chain(MaskedProcess.ANCESTRAL, steps, n);
        Particles p = chain.newParticles(n);
        chain.initialNoise(p, 0);
        chain.solve(p, 0, steps, Rng.streams(Rng.subSeed(21, "steps"), n));
        long[] counts = new long[9];
        for (int i = 0; i < n; i++) {
            assertEquals(2, p.tokens()[i * L], "the prompt is kept");
            counts[p.tokens()[i * L + 1] * 3 + p.tokens()[i * L + 2]]++;
        }
        double[] want = new double[9];
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) want[a * 3 + b] = new double[] {0.6, 0.1, 0.3}[a] * new double[] {0.25, 0.25, 0.5}[b];
        double x2 = chiSquare(counts, want, n, "prompted");
        assertTrue(x2 < chiSquareCritical(8), "chi-square " + x2);
        assertEquals("prompt", assertThrows(InvalidSettingException.class, () -> process(table).withPrompt(new int[] {0, 1, 2})).setting());
        assertEquals("prompt", assertThrows(InvalidSettingException.class, () -> process(table).withPrompt(new int[] {3})).setting());
    }
}
