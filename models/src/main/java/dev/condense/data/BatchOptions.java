// How a pass over a dataset is cut into batches: batch size, order and what happens to the remainder.
package dev.condense.data;

import java.util.OptionalLong;

/**
 * Batch size, sample order and whether a last, smaller batch is dropped. The order is the
 * dataset's own unless a shuffle seed is given; the same seed gives the same order on every JVM
 * ({@link java.util.Random} is specified exactly). For training, vary the seed per epoch
 * ({@code seed + epoch}) so each epoch sees a new order that can still be replayed.
 *
 * @param shuffleSeed empty for the dataset's order
 * @param dropLast    whether a final batch smaller than {@code batchSize} is left out (training
 *                    usually drops it; evaluation must not)
 */
public record BatchOptions(int batchSize, OptionalLong shuffleSeed, boolean dropLast) {

    public BatchOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (shuffleSeed == null) {
            throw new IllegalArgumentException("shuffleSeed must be OptionalLong.empty(), not null, for the dataset's order");
        }
    }

    /** Batches of {@code batchSize} in the dataset's order, keeping a last partial batch. */
    public static BatchOptions of(int batchSize) {
        return new BatchOptions(batchSize, OptionalLong.empty(), false);
    }

    /** These options with the samples in a random order fixed by {@code seed}. */
    public BatchOptions shuffled(long seed) {
        return new BatchOptions(batchSize, OptionalLong.of(seed), dropLast);
    }

    /** These options without a last batch smaller than the batch size. */
    public BatchOptions droppingLast() {
        return new BatchOptions(batchSize, shuffleSeed, true);
    }
}
