package fksteer.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A fixed pool of worker threads that run numbered tasks with low latency. Work is always split into
 * tasks whose boundaries depend on the problem size only, never on the thread count, so results are
 * bitwise identical for any number of threads.
 *
 * <p>The thread count is the process default ({@link #setThreads}, initially the number of cores) unless
 * the calling thread is inside {@link #withThreads}, which runs one piece of work on a pool of its own:
 * two runs in one JVM can use different thread counts at the same time.
 *
 * <p>Sampling calls the network hundreds of times a second on small batches, so a dispatch must cost
 * microseconds: workers spin briefly (about {@value #SPIN_NANOS} ns) on a generation counter before
 * parking, and a dispatch allocates nothing. The caller takes tasks too. Calls from several threads at
 * once to the same pool are serialised.
 */
public final class Parallel {
    private static final long SPIN_NANOS = 200_000;
    private static volatile Pool pool = new Pool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    /** The pool of the enclosing {@link #withThreads}, if any. */
    private static final ScopedValue<Pool> SCOPED = ScopedValue.newInstance();

    private Parallel() {}

    /**
     * Sets the process-wide default number of threads, caller included (1 = run everything on the
     * caller). Work inside {@link #withThreads} keeps its own count.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new fksteer.io.InvalidSettingException("threads", "must be >= 1, got " + n);
        if (n == pool.threads) return;
        Pool old = pool;
        pool = new Pool(n);
        old.shutdown();
    }

    /** The number of threads work started on this thread uses: that of the enclosing {@link #withThreads}, or the default. */
    public static int threads() {
        return current().threads;
    }

    /**
     * Runs work with n threads (caller included) on a pool of its own, created for this call and stopped
     * after it, whatever the process default is; other threads are not affected. Results do not depend on
     * n. Only work done on the calling thread uses the pool (not threads that work starts itself).
     *
     * <pre>{@code
     * SteerResult r = Parallel.withThreads(2, () -> fk.run(model, reward, seed));
     * }</pre>
     */
    public static <T> T withThreads(int n, Supplier<T> work) {
        if (n < 1) throw new fksteer.io.InvalidSettingException("threads", "must be >= 1, got " + n);
        Pool p = new Pool(n);
        try {
            return ScopedValue.where(SCOPED, p).call(work::get);
        } finally {
            p.shutdown();
        }
    }

    /** {@link #withThreads(int, Supplier)} for work without a result. */
    public static void withThreads(int n, Runnable work) {
        withThreads(n, () -> {
            work.run();
            return null;
        });
    }

    private static Pool current() {
        return SCOPED.isBound() ? SCOPED.get() : pool;
    }

    /** Runs body(0..tasks-1); in parallel when there are several tasks and several threads. */
    public static void run(int tasks, IntConsumer body) {
        Pool p = current();
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
