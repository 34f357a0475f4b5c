// The centroid index of every kept weight of a layer, stored in one byte each up to 256 centroids and two bytes up to 65536.
package dev.condense.quantize.sharing;

import java.util.Arrays;
import java.util.Objects;

/** Immutable once handed out; {@link #of} copies, the k-means assignment fills a fresh one in place. */
public final class CentroidIndices {

    /** Most centroids an index can address (16 bits). */
    public static final int MAX_CLUSTERS = 1 << 16;

    private final int clusters;
    private final byte[] narrow;
    private final short[] wide;

    private CentroidIndices(int clusters, int size) {
        if (clusters < 1 || clusters > MAX_CLUSTERS) {
            throw new IllegalArgumentException("centroid count must lie in [1, " + MAX_CLUSTERS + "], got " + clusters);
        }
        this.clusters = clusters;
        this.narrow = clusters <= 256 ? new byte[size] : null;
        this.wide = clusters <= 256 ? null : new short[size];
    }

    /** Room for {@code size} indices into {@code clusters} centroids, all 0, to fill with {@link #set}. */
    static CentroidIndices allocate(int clusters, int size) {
        return new CentroidIndices(clusters, size);
    }

    /** Indices copied from {@code indices}, each checked to lie in [0, clusters). */
    public static CentroidIndices of(int clusters, int[] indices) {
        CentroidIndices out = new CentroidIndices(clusters, indices.length);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= clusters) {
                throw new IllegalArgumentException("index " + indices[i] + " at " + i + " is outside [0, " + clusters
                        + ")");
            }
            out.set(i, indices[i]);
        }
        return out;
    }

    void set(int i, int index) {
        if (narrow != null) {
            narrow[i] = (byte) index;
        } else {
            wide[i] = (short) index;
        }
    }

    public int get(int i) {
        return narrow != null ? narrow[i] & 0xFF : wide[i] & 0xFFFF;
    }

    public int size() {
        return narrow != null ? narrow.length : wide.length;
    }

    /** How many centroids the indices address. */
    public int clusters() {
        return clusters;
    }

    /** Bytes per stored index: 1 or 2. */
    public int bytesPerIndex() {
        return narrow != null ? 1 : 2;
    }

    public int[] toIntArray() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CentroidIndices c && clusters == c.clusters && Arrays.equals(narrow, c.narrow)
                && Arrays.equals(wide, c.wide);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusters, Arrays.hashCode(narrow), Arrays.hashCode(wide));
    }

    @Override
    public String toString() {
        return "CentroidIndices[" + size() + " into " + clusters + "]";
    }
}
