// The fixed pool of threads a vector session splits its kernels over.
package dev.condense.runtime.vector;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel asks for a range of independent work items to be split over the session's threads; the
 * calling thread takes the first share and waits for the rest. Several runs may use one pool at
 * once (a shared Session): their shares queue on the same workers.
 */
public final class Parallel implements AutoCloseable {

    /** A share of a range: items {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private final int threads;
    private final ForkJoinPool pool;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads - 1, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("condense-vector-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
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
    public void forRange(int n, int grain, RangeBody body) {
        int shares = shares(n, grain);
        if (shares <= 1 || pool == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        int piece = Math.max(Math.max(1, grain), Math.ceilDiv(n, shares * 4));
        AtomicInteger next = new AtomicInteger();
        Runnable claim = () -> {
            int start;
            while ((start = next.getAndAdd(piece)) < n) {
                body.run(start, Math.min(n, start + piece));
            }
        };
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[shares - 1];
        for (int s = 0; s < tasks.length; s++) {
            tasks[s] = pool.submit(claim);
        }
        claim.run();
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    /** How many threads a range of {@code n} items in pieces of at least {@code grain} is spread over. */
    public int shares(int n, int grain) {
        return Math.min(threads, Math.max(1, n / Math.max(1, grain)));
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
            try {
                pool.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
