// How a Session runs: which backend, how many threads, the batch size to prepare for, and an allowed fallback.
package dev.condense.runtime;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * @param backend   the engine to run on
 * @param threads   worker threads for one run (intra-op parallelism); at least 1
 * @param batchSize the batch size to prepare for at open time when the model's batch axis is
 *                  symbolic; other sizes still run, compiled on first use
 * @param fallback  the backend to use, announced once, when {@code backend} cannot start (e.g.
 *                  CUDA asked for where there is none); empty means fail instead
 */
public record SessionOptions(Backend backend, int threads, OptionalInt batchSize, Optional<Backend> fallback) {

    public SessionOptions {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("threads must be between 1 and 1024, got " + threads);
        }
        if (batchSize.isPresent() && batchSize.getAsInt() < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize.getAsInt());
        }
        if (fallback.isPresent() && fallback.get() == backend) {
            throw new IllegalArgumentException("the fallback must differ from the backend, both are " + backend);
        }
    }

    /** One backend, as many threads as the machine has cores, no batch hint, no fallback. */
    public static SessionOptions of(Backend backend) {
        return new SessionOptions(backend, Runtime.getRuntime().availableProcessors(), OptionalInt.empty(),
                Optional.empty());
    }

    public SessionOptions withThreads(int n) {
        return new SessionOptions(backend, n, batchSize, fallback);
    }

    public SessionOptions withBatchSize(int n) {
        return new SessionOptions(backend, threads, OptionalInt.of(n), fallback);
    }

    public SessionOptions withFallback(Backend b) {
        return new SessionOptions(backend, threads, batchSize, Optional.of(b));
    }
}
