// Weight sharing for one layer: a codebook of centroids and, for each weight, the index of its centroid.
package dev.condense.compress.layer;

import java.util.Arrays;

/**
 * The result of k-means weight sharing: {@code codebook[c]} is centroid c, and a kept weight at
 * flat position p takes the value {@code codebook[indices[p]]}. {@code indices} has one entry per
 * weight of the layer; entries at pruned positions are ignored. At most {@link #MAX_CENTROIDS}
 * centroids, so that with the reserved zero symbol a codebook index fits a 16-bit Huffman code.
 */
public record SharedWeights(float[] codebook, int[] indices) {

    public static final int MAX_CENTROIDS = 65535;

    public SharedWeights {
        if (codebook.length < 1 || codebook.length > MAX_CENTROIDS) {
            throw new IllegalArgumentException("codebook of " + codebook.length + " centroids, expected 1.." + MAX_CENTROIDS);
        }
        codebook = codebook.clone();
        indices = indices.clone();
    }

    @Override
    public float[] codebook() {
        return codebook.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    /** Number of centroids, k. */
    public int size() {
        return codebook.length;
    }

    /** Number of weights the indices cover. */
    public int weightCount() {
        return indices.length;
    }

    /** The codebook index of the weight at {@code position}, without copying the array. */
    public int indexAt(int position) {
        return indices[position];
    }

    public float centroid(int index) {
        return codebook[index];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SharedWeights other && Arrays.equals(codebook, other.codebook) && Arrays.equals(indices, other.indices);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(codebook) + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return "SharedWeights[k=" + codebook.length + ", weights=" + indices.length + "]";
    }
}
