// A labelled image dataset that evaluation, training and calibration stream from in batches.
package dev.condense.data;

import java.util.List;

/**
 * An indexed, labelled set of images of one shape {@code [C, H, W]}. A sample is read as
 * {@code C*H*W} floats in CHW order: pixel values scaled to [0, 1], then normalized by
 * {@link #normalization()}. Implementations keep their pixels at most once (as stored bytes, or
 * not at all when images are decoded on demand); float data exists only in the batch being read.
 * {@link #subset}, {@link #take} and {@link #withNormalization} are views over the same storage.
 *
 * <p>Reading a sample is safe from several threads; a {@link Batches} stream is not.
 */
public interface Dataset {

    /** Number of samples. */
    int size();

    /** The shape of one sample, {@code [C, H, W]} (a new array). */
    int[] sampleShape();

    /** Class names; a label is an index into this list. */
    List<String> classNames();

    /** The label of sample {@code index}, in {@code [0, classNames().size())}. */
    int label(int index);

    /** How pixel values in [0, 1] are normalized when read. */
    Normalization normalization();

    /**
     * This dataset's samples under another normalization, sharing the storage.
     *
     * @throws IllegalArgumentException when {@code normalization} has another channel count
     */
    Dataset withNormalization(Normalization normalization);

    /**
     * Writes sample {@code index}, normalized, into {@code out[offset .. offset + C*H*W)} in CHW order.
     *
     * @throws DatasetException when the sample's file cannot be read or decoded
     */
    void read(int index, float[] out, int offset) throws DatasetException;

    /** Floats in one sample, {@code C*H*W}. */
    default int sampleLength() {
        int length = 1;
        for (int d : sampleShape()) {
            length = Math.multiplyExact(length, d);
        }
        return length;
    }

    /** One sample, normalized, as a new array of {@link #sampleLength()} floats. */
    default float[] read(int index) throws DatasetException {
        float[] out = new float[sampleLength()];
        read(index, out, 0);
        return out;
    }

    /** How many samples each class has, indexed by label. */
    default int[] classCounts() {
        int[] counts = new int[classNames().size()];
        for (int i = 0, n = size(); i < n; i++) {
            counts[label(i)]++;
        }
        return counts;
    }

    /**
     * A view of the samples at {@code indices}, in that order; repeats are allowed. Only the
     * indices are copied.
     *
     * @throws IndexOutOfBoundsException when an index is outside {@code [0, size())}
     */
    default Dataset subset(int[] indices) {
        return new SubsetDataset(this, indices);
    }

    /**
     * A view of the first {@code n} samples, or of all of them when there are fewer than {@code n}
     * (so a quick evaluation can ask for 1000 without checking the size first).
     *
     * @throws IllegalArgumentException when {@code n} is negative
     */
    default Dataset take(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("take(" + n + "): the sample count cannot be negative");
        }
        int count = Math.min(n, size());
        int[] indices = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i;
        }
        return new SubsetDataset(this, indices);
    }

    /** One pass over the samples in order, {@code batchSize} at a time, keeping a last partial batch. */
    default Batches batches(int batchSize) {
        return new Batches(this, BatchOptions.of(batchSize));
    }

    /** One pass over the samples as {@code options} say (order, batch size, last partial batch). */
    default Batches batches(BatchOptions options) {
        return new Batches(this, options);
    }
}
