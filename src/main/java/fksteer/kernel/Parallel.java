package fksteer.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool that runs numbered tasks. Work is always split into tasks whose boundaries depend on
 * the problem size only, never on the thread count, so results are bitwise identical for any number
 * of threads. Small problems run on the calling thread.
 */
public final class Parallel {
    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static ExecutorService pool;

    private Parallel() {}

    /** Sets the number of worker threads (1 = run everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        if (n != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = n;
    }

    public static int threads() {
        return threads;
    }

    private static synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger id = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "fksteer-worker-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Runs body(0..tasks-1); in parallel when there are several tasks and several threads. */
    public static void run(int tasks, IntConsumer body) {
        int th = threads;
        if (tasks <= 1 || th <= 1) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        int workers = Math.min(th, tasks);
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < tasks; ) body.accept(i);
        };
        List<Future<?>> fs = new ArrayList<>(workers - 1);
        ExecutorService p = pool();
        for (int w = 1; w < workers; w++) fs.add(p.submit(worker));
        worker.run();
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error er) throw er;
                throw new IllegalStateException(c);
            }
        }
    }

    /** Number of chunks of size chunk covering n. */
    public static int chunks(int n, int chunk) {
        return (n + chunk - 1) / chunk;
    }

}
