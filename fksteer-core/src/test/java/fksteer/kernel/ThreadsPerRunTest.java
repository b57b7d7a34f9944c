package fksteer.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.io.InvalidSettingException;
import fksteer.model.Mixtures;
import fksteer.model.VelocityField;
import fksteer.reward.Reward;
import fksteer.steer.FkSteering;
import fksteer.steer.SteerResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** Two runs in one JVM, at the same time, with different thread counts: each sees its own, and the results agree bit for bit. */
class ThreadsPerRunTest {
    // a mixture, not the checkerboard MLP: its velocity runs on the pool too (512-row chunks), and its
    // results do not depend on whether the JIT has compiled the Vector API kernels yet
    static final VelocityField MODEL = Mixtures.twoComponents();
    static final Reward NEAR = Reward.of(2, (x, n, out) -> {
        for (int i = 0; i < n; i++) out[i] = -Math.hypot(x[2 * i] - 2, x[2 * i + 1] - 0.5);
    });
    static final FkSteering FK = FkSteering.defaults(2000, 30).withLambda(1);

    @Test
    void concurrentRunsUseTheirOwnThreadCountsAndAgreeBitwise() throws Exception {
        int before = Parallel.threads();
        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Object[]> one = CompletableFuture.supplyAsync(() -> run(1, together));
        CompletableFuture<Object[]> three = CompletableFuture.supplyAsync(() -> run(3, together));
        Object[] a = one.get(), b = three.get();
        assertEquals(1, a[0]);
        assertEquals(3, b[0]);
        SteerResult ra = (SteerResult) a[1], rb = (SteerResult) b[1], plain = FK.run(MODEL, NEAR, 11);
        assertArrayEquals(plain.samples(), ra.samples());
        assertArrayEquals(plain.samples(), rb.samples());
        assertArrayEquals(plain.logWeights(), rb.logWeights());
        assertEquals(before, Parallel.threads(), "the process default is untouched");
    }

    static Object[] run(int threads, CyclicBarrier together) {
        return Parallel.withThreads(threads, () -> {
            try {
                together.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return new Object[] {Parallel.threads(), FK.run(MODEL, NEAR, 11)};
        });
    }

    @Test
    void aRunCanCarryItsThreadCount() {
        assertArrayEquals(FK.run(MODEL, NEAR, 3).samples(), FK.run(MODEL, NEAR, 3, 2).samples());
        int[] seen = new int[1];
        Parallel.withThreads(2, () -> {
            seen[0] = Parallel.threads();
        });
        assertEquals(2, seen[0]);
        assertEquals("threads", assertThrows(InvalidSettingException.class, () -> Parallel.withThreads(0, () -> 1)).setting());
    }
}
