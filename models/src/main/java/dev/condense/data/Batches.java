// One pass over a dataset as a stream of batches read into a reused float buffer.
package dev.condense.data;

import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * One epoch over a {@link Dataset}: the samples in the dataset's order or a seeded shuffle, read
 * {@code batchSize} at a time. Full batches share one buffer of {@code batchSize*C*H*W} floats and
 * a last partial batch has buffers of its own, so a batch's arrays are always exactly as long as
 * its samples need; each batch is {@linkplain Batch#reused() reused} until the next
 * {@link #next()}. Reading a sample can fail (an image that does not decode), hence a checked
 * {@code next()} rather than an {@link java.util.Iterator}:
 *
 * <pre>{@code
 * Batches batches = dataset.batches(BatchOptions.of(64).shuffled(seed + epoch).droppingLast());
 * while (batches.hasNext()) {
 *     Batch batch = batches.next();
 *     ...
 * }
 * }</pre>
 *
 * A stream is for one thread; create one per pass.
 */
public final class Batches {

    private final Dataset dataset;
    private final BatchOptions options;
    private final int[] sampleShape;
    private final int sampleLength;
    /** Dataset index of each position in the pass. */
    private final int[] order;
    private final int batchCount;
    private int nextBatch;
    private float[] fullData;
    private int[] fullLabels;
    private int[] fullIndices;

    Batches(Dataset dataset, BatchOptions options) {
        this.dataset = dataset;
        this.options = options;
        this.sampleShape = dataset.sampleShape();
        this.sampleLength = dataset.sampleLength();
        try {
            Math.multiplyExact(Math.min(options.batchSize(), dataset.size()), sampleLength);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("a batch of " + options.batchSize() + " samples of shape "
                    + Arrays.toString(sampleShape) + " needs more floats than one Java array holds", e);
        }
        int n = dataset.size();
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (options.shuffleSeed().isPresent()) {
            shuffle(order, new Random(options.shuffleSeed().getAsLong()));
        }
        int full = n / options.batchSize();
        this.batchCount = options.dropLast() || n % options.batchSize() == 0 ? full : full + 1;
    }

    /** Fisher-Yates: every permutation equally likely, fixed by the generator's seed. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Batches in this pass, counting a last partial one unless it is dropped. */
    public int batchCount() {
        return batchCount;
    }

    /** Samples this pass reads: the dataset's size less any dropped remainder. */
    public int sampleCount() {
        return Math.min(dataset.size(), Math.multiplyExact(batchCount, options.batchSize()));
    }

    public boolean hasNext() {
        return nextBatch < batchCount;
    }

    /**
     * The next batch, valid until the following call (see {@link Batch}).
     *
     * @throws NoSuchElementException when the pass is over
     * @throws DatasetException       when a sample cannot be read; the stream moves past that batch
     */
    public Batch next() throws DatasetException {
        if (!hasNext()) {
            throw new NoSuchElementException("all " + batchCount + " batches of this pass over " + dataset
                    + " have been read");
        }
        int start = nextBatch * options.batchSize();
        int size = Math.min(options.batchSize(), order.length - start);
        nextBatch++;
        float[] data;
        int[] labels;
        int[] indices;
        if (size == options.batchSize()) {
            if (fullData == null) {
                fullData = new float[size * sampleLength];
                fullLabels = new int[size];
                fullIndices = new int[size];
            }
            data = fullData;
            labels = fullLabels;
            indices = fullIndices;
        } else {
            // The one partial batch of a pass gets exact-length arrays rather than a size to respect.
            data = new float[size * sampleLength];
            labels = new int[size];
            indices = new int[size];
        }
        for (int i = 0; i < size; i++) {
            int index = order[start + i];
            dataset.read(index, data, i * sampleLength);
            labels[i] = dataset.label(index);
            indices[i] = index;
        }
        return new Batch(data, labels, indices, sampleShape, true);
    }

    @Override
    public String toString() {
        return batchCount + " batches of " + options.batchSize() + " over " + dataset
                + (options.shuffleSeed().isPresent() ? ", shuffled with seed " + options.shuffleSeed().getAsLong() : "")
                + (options.dropLast() ? ", last partial batch dropped" : "");
    }
}
