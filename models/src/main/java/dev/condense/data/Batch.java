// One batch of samples as NCHW floats with their labels, either borrowed from a stream or owned.
package dev.condense.data;

import dev.condense.ir.Tensor;

import java.util.Arrays;

/**
 * {@code size()} samples as {@code [N, C, H, W]} floats with their labels and dataset indices.
 *
 * <p><b>Reuse.</b> A batch returned by {@link Batches#next()} is <em>reused</em>
 * ({@link #reused()} is true): its arrays belong to the stream and are overwritten by the next
 * call to {@code next()}, so a pass over 60,000 images allocates one batch of floats, not 60,000
 * samples' worth. Use such a batch before asking for the next one, or keep {@link #copy()}, which
 * owns its arrays. The arrays are returned as they are, not copied, so that a model can be fed
 * without a copy; do not write to them.
 */
public final class Batch {

    private final float[] data;
    private final int[] labels;
    private final int[] indices;
    private final int[] sampleShape;
    private final boolean reused;

    Batch(float[] data, int[] labels, int[] indices, int[] sampleShape, boolean reused) {
        long expected = (long) labels.length * sampleShape[0] * sampleShape[1] * sampleShape[2];
        if (data.length != expected || indices.length != labels.length) {
            throw new IllegalArgumentException("a batch of " + labels.length + " samples of shape "
                    + Arrays.toString(sampleShape) + " needs " + expected + " floats and "
                    + labels.length + " indices, got " + data.length + " and " + indices.length);
        }
        this.data = data;
        this.labels = labels;
        this.indices = indices;
        this.sampleShape = sampleShape.clone();
        this.reused = reused;
    }

    /** Number of samples, N; the last batch of a pass may be smaller than the batch size. */
    public int size() {
        return labels.length;
    }

    /** {@code [N, C, H, W]}. */
    public long[] shape() {
        return new long[] {labels.length, sampleShape[0], sampleShape[1], sampleShape[2]};
    }

    /** The samples, {@code N*C*H*W} floats in NCHW order; the batch's own array (see the class comment). */
    public float[] data() {
        return data;
    }

    /** The label of each sample; the batch's own array. */
    public int[] labels() {
        return labels;
    }

    /** The dataset index of each sample, which shows the order a shuffle chose; the batch's own array. */
    public int[] indices() {
        return indices;
    }

    /** True when the arrays belong to a {@link Batches} stream and the next batch overwrites them. */
    public boolean reused() {
        return reused;
    }

    /** A batch that owns copies of these arrays ({@link #reused()} false). */
    public Batch copy() {
        return new Batch(data.clone(), labels.clone(), indices.clone(), sampleShape, false);
    }

    /** The samples as a float tensor {@code [N, C, H, W]} named {@code name}, e.g. a model input (a copy). */
    public Tensor toTensor(String name) {
        return Tensor.ofFloats(name, shape(), data);
    }

    @Override
    public String toString() {
        return "batch " + Arrays.toString(shape()) + (reused ? " (reused buffer)" : " (owned)");
    }
}
