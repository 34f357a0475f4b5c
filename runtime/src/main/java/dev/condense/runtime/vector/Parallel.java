// The fixed pool of threads a vector session splits its kernels over.
package dev.condense.runtime.vector;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.TimeUnit;

/**
 * A kernel asks for a range of independent work items to be split over the session's threads; the
 * calling thread takes the first share and waits for the rest. Several runs may use one pool at
 * once (a shared Session): their shares queue on the same workers. Ranges are split into at most
 * {@code threads} contiguous shares so each thread streams through neighbouring memory.
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

    /** Runs {@code body} over {@code [0, n)} in at most {@code threads} shares of at least {@code grain} items. */
    public void forRange(int n, int grain, RangeBody body) {
        int shares = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (shares <= 1 || pool == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[shares - 1];
        for (int s = 1; s < shares; s++) {
            int start = (int) ((long) n * s / shares);
            int end = (int) ((long) n * (s + 1) / shares);
            tasks[s - 1] = pool.submit(() -> body.run(start, end));
        }
        body.run(0, (int) ((long) n / shares));
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
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
