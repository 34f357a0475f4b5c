// The fixed pool of threads a vector session splits its kernels over: spinning workers, one job at a time.
package dev.condense.runtime.vector;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A kernel asks for a range of independent work items to be split over the session's threads; the
 * calling thread works too and returns when the range is done. Workers spin for a short while
 * after a job before parking: a plan runs dozens of parallel kernels back to back, and waking a
 * parked thread for each (tens of microseconds, more on a busy host) would cost more than the
 * smaller kernels themselves, which is also why ONNX Runtime's workers spin.
 *
 * <p>The pool serves one range at a time. When several runs share a session, a caller that finds
 * the pool busy runs its range alone on its own thread: the runs then proceed side by side, each
 * on a core, instead of queueing for the pool.
 */
public final class Parallel implements AutoCloseable {

    /** A share of a range: items {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** How long an idle worker spins before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock submit = new ReentrantLock();

    // The current job, published by a write to 'epoch' (volatile) after the plain fields.
    private RangeBody body;
    private int count;
    private int piece;
    private final AtomicInteger next = new AtomicInteger();
    /** Workers inside the current job: the caller waits for these, and only these. */
    private final AtomicInteger active = new AtomicInteger();
    private volatile long epoch;
    /** The epoch workers may still join; -1 once the caller has closed its job. */
    private volatile long open = -1;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::work, "condense-vector-" + i);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} on at most {@code threads} threads, inline when there
     * is not more than one share of {@code grain} items. Threads claim pieces of the range as they
     * go (about four per thread, never under {@code grain} items), so a thread that finishes early,
     * or starts late because its core was busy, takes over work instead of waiting at the end.
     */
    public void forRange(int n, int grain, RangeBody range) {
        int shares = shares(n, grain);
        if (shares <= 1 || workers.length == 0 || !submit.tryLock()) {
            if (n > 0) {
                range.run(0, n);
            }
            return;
        }
        try {
            body = range;
            count = n;
            piece = Math.max(Math.max(1, grain), Math.ceilDiv(n, shares * 4));
            next.set(0);
            failure = null;
            long job = epoch + 1;
            open = job;
            epoch = job;
            for (Thread t : workers) {
                LockSupport.unpark(t);
            }
            try {
                claim();
            } catch (RuntimeException | Error e) {
                next.set(Integer.MAX_VALUE / 2);
                throw e;
            } finally {
                // Every piece is claimed. Close the job, so that a worker that has not started yet
                // (its core busy, or it was parked) stays out, and wait only for those still
                // running a piece: a worker late by a scheduler time slice must not hold up the
                // caller, which would otherwise wait a slice for each of a plan's kernels.
                open = -1;
                awaitActive();
                body = null;
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            submit.unlock();
        }
    }

    /** Spins while workers finish their last pieces; yields the core after a while, in case one waits for it. */
    private void awaitActive() {
        int spins = 0;
        while (active.get() > 0) {
            if (++spins < 20_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Takes pieces of the current range until none are left. */
    private void claim() {
        RangeBody b = body;
        int n = count;
        int p = piece;
        int start;
        while ((start = next.getAndAdd(p)) < n) {
            b.run(start, Math.min(n, start + p));
        }
    }

    private void work() {
        long seen = 0;
        while (!closed) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (epoch == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    // forRange unparks every worker after publishing a job, and a permit given
                    // before the park makes it return at once, so no wake-up is lost.
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = epoch;
            // Join the job only while the caller still holds it open (the caller closes it, then
            // reads 'active'; this thread counts itself in, then reads 'open': one of the two sees
            // the other).
            active.incrementAndGet();
            try {
                if (open == seen) {
                    claim();
                }
            } catch (RuntimeException | Error e) {
                // The caller rethrows it; the other threads finish their pieces.
                failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                next.set(Integer.MAX_VALUE / 2);
            } finally {
                active.decrementAndGet();
            }
        }
    }

    /** How many threads a range of {@code n} items in pieces of at least {@code grain} is spread over. */
    public int shares(int n, int grain) {
        return Math.min(threads, Math.max(1, n / Math.max(1, grain)));
    }

    /** Workers still running (0 once closed). */
    int liveWorkers() {
        int live = 0;
        for (Thread t : workers) {
            live += t.isAlive() ? 1 : 0;
        }
        return live;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            LockSupport.unpark(t);
        }
        for (Thread t : workers) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
