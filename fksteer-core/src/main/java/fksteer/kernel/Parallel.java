package fksteer.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed pool of worker threads that run numbered tasks with low latency. Work is always split into
 * tasks whose boundaries depend on the problem size only, never on the thread count, so results are
 * bitwise identical for any number of threads.
 *
 * <p>Sampling calls the network hundreds of times a second on small batches, so a dispatch must cost
 * microseconds: workers spin briefly (about {@value #SPIN_NANOS} ns) on a generation counter before
 * parking, and a dispatch allocates nothing. The caller takes tasks too. Calls from several threads at
 * once are serialised.
 */
public final class Parallel {
    private static final long SPIN_NANOS = 200_000;
    private static volatile Pool pool = new Pool(Math.max(1, Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    /** Sets the number of threads, caller included (1 = run everything on the caller). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + n);
        if (n == pool.threads) return;
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    public static int threads() {
        return pool.threads;
    }

    /** Runs body(0..tasks-1); in parallel when there are several tasks and several threads. */
    public static void run(int tasks, IntConsumer body) {
        Pool p = pool;
        // nested calls (from inside a task, or while this thread dispatches) run on the caller
        if (tasks <= 1 || p.threads <= 1 || Thread.currentThread() instanceof Worker || Thread.holdsLock(p)) {
            for (int i = 0; i < tasks; i++) body.accept(i);
            return;
        }
        p.run(tasks, body);
    }

    /** Number of chunks of size chunk covering n. */
    public static int chunks(int n, int chunk) {
        return (n + chunk - 1) / chunk;
    }

    private static final class Worker extends Thread {
        volatile boolean sleeping;

        Worker(Runnable r, String name) {
            super(r, name);
        }
    }

    private static final class Pool {
        final int threads;
        final Worker[] workers;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger busy = new AtomicInteger();
        volatile int generation;
        volatile IntConsumer body;
        volatile int tasks;
        volatile Throwable failure;
        volatile boolean stopped;

        Pool(int threads) {
            this.threads = threads;
            workers = new Worker[threads - 1];
            for (int w = 0; w < workers.length; w++) {
                Worker t = new Worker(this::work, "fksteer-worker-" + (w + 1));
                t.setDaemon(true);
                workers[w] = t;
                t.start();
            }
        }

        synchronized void run(int n, IntConsumer b) {
            failure = null;
            body = b;
            tasks = n;
            next.set(0);
            busy.set(workers.length);
            generation++;                       // publishes body/tasks to the workers
            for (Worker t : workers) if (t.sleeping) LockSupport.unpark(t); // spinning workers need no syscall
            drain(b, n);
            while (busy.get() > 0) Thread.onSpinWait();
            body = null;
            Throwable f = failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error er) throw er;
            if (f != null) throw new IllegalStateException(f);
        }

        private void drain(IntConsumer b, int n) {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    b.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                }
            }
        }

        private void work() {
            Worker me = (Worker) Thread.currentThread();
            int seen = 0;
            while (!stopped) {
                long spinUntil = System.nanoTime() + SPIN_NANOS;
                while (generation == seen && !stopped) {
                    if (System.nanoTime() < spinUntil) {
                        Thread.onSpinWait();
                    } else {
                        me.sleeping = true;              // then re-check: a dispatcher either sees this flag or we see its generation
                        if (generation == seen && !stopped) LockSupport.parkNanos(this, 10_000_000);
                        me.sleeping = false;
                    }
                }
                if (stopped) return;
                seen = generation;
                IntConsumer b = body;
                if (b != null) drain(b, tasks);
                busy.decrementAndGet();
            }
        }

        void shutdown() {
            stopped = true;
            for (Worker t : workers) LockSupport.unpark(t);
        }
    }
}
