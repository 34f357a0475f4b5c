// One layer's shared weights: the codebook, each kept weight's centroid index, and the bits per index.
package dev.condense.quantize.sharing;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * Weight sharing of one layer. The kept weights are the non-zero elements of the layer's weight
 * in flat (row-major) order, as pruning leaves them; {@code indices.get(i)} is the codebook entry
 * of the i-th of them. Zeros are not clustered and stay +0.
 *
 * @param layer      the layer's name
 * @param weightName the initializer holding the layer's weight
 * @param bits       bits per index; the codebook has 2^bits entries
 * @param codebook   the centroids, ascending
 * @param indices    one centroid index per kept weight
 * @param iterations the Lloyd iterations the clustering took
 */
public record WeightSharing(String layer, String weightName, int bits, float[] codebook, CentroidIndices indices,
                            int iterations) {

    /** Bits of an uncompressed fp32 weight, the b of the compression rate. */
    public static final int FLOAT_BITS = 32;

    public WeightSharing {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(weightName, "weightName");
        Objects.requireNonNull(indices, "indices");
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits per index must lie in [1, 16], got " + bits);
        }
        codebook = codebook.clone();
        if (codebook.length != 1 << bits) {
            throw new IllegalArgumentException("a " + bits + "-bit codebook has " + (1 << bits) + " entries, not "
                    + codebook.length);
        }
        Clustering.requireAscending(codebook);
        if (indices.clusters() != codebook.length) {
            throw new IllegalArgumentException("indices address " + indices.clusters() + " centroids, the codebook has "
                    + codebook.length);
        }
    }

    @Override
    public float[] codebook() {
        return codebook.clone();
    }

    /** Number of kept (clustered) weights. */
    public int keptWeights() {
        return indices.size();
    }

    /** The shared value of each kept weight, in flat order. */
    public float[] sharedValues() {
        float[] out = new float[indices.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = codebook[indices.get(i)];
        }
        return out;
    }

    /**
     * {@code weight} with each non-zero element replaced by its centroid; zeros stay +0. Throws
     * when the weight's non-zero count is not the number of indices (it is not the tensor this
     * sharing was computed from, or a pruned one has changed).
     */
    public Tensor applyTo(Tensor weight) {
        if (weight.dtype() != DataType.FLOAT) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype()
                    + "; weight sharing applies to float32");
        }
        long size = weight.elementCount();
        MemorySegment in = weight.data();
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(weight.byteSize())]);
        int next = 0;
        int count = indices.size();
        for (long i = 0; i < size; i++) {
            if (in.getAtIndex(Tensor.FLOAT_LE, i) != 0f) {
                if (next == count) {
                    throw new IllegalArgumentException(mismatch(weight));
                }
                out.setAtIndex(Tensor.FLOAT_LE, i, codebook[indices.get(next++)]);
            }
        }
        if (next != count) {
            throw new IllegalArgumentException(mismatch(weight));
        }
        return new Tensor(weight.name(), DataType.FLOAT, weight.dims(), out);
    }

    private String mismatch(Tensor weight) {
        long nonZero = 0;
        for (long i = 0; i < weight.elementCount(); i++) {
            nonZero += weight.data().getAtIndex(Tensor.FLOAT_LE, i) != 0f ? 1 : 0;
        }
        return "weight '" + weight.name() + "' has " + nonZero + " non-zero elements but layer '" + layer
                + "' shares " + indices.size();
    }

    /** This layer's compression rate from sharing alone, against fp32 weights. */
    public double compressionRate() {
        return compressionRate(indices.size(), codebook.length, FLOAT_BITS);
    }

    /**
     * Deep Compression's rate for weight sharing: n weights of b bits each become n indices of
     * log2(k) bits plus a codebook of k values of b bits, r = n b / (n log2(k) + k b).
     */
    public static double compressionRate(long weights, int clusters, int bitsPerWeight) {
        if (weights < 0 || clusters < 1 || bitsPerWeight < 1) {
            throw new IllegalArgumentException("need weights >= 0, clusters >= 1 and bits >= 1, got " + weights + ", "
                    + clusters + ", " + bitsPerWeight);
        }
        double log2k = Math.log(clusters) / Math.log(2);
        return (double) weights * bitsPerWeight / (weights * log2k + (double) clusters * bitsPerWeight);
    }

    // Records compare arrays by identity; sharings compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof WeightSharing w && layer.equals(w.layer) && weightName.equals(w.weightName)
                && bits == w.bits && Arrays.equals(codebook, w.codebook) && indices.equals(w.indices)
                && iterations == w.iterations;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, weightName, bits, Arrays.hashCode(codebook), indices, iterations);
    }

    @Override
    public String toString() {
        return "WeightSharing[" + layer + ", " + bits + " bits, " + indices.size() + " weights]";
    }
}
