// The result of one-dimensional k-means: a sorted codebook and how the iterations ended.
package dev.condense.quantize.sharing;

import java.util.Arrays;

/**
 * @param codebook   the centroids, ascending; entries no value is nearest to (empty clusters) stay in place
 * @param iterations Lloyd updates performed
 * @param converged  true when the last update moved no cluster boundary (false: stopped at the limit)
 */
public record Clustering(float[] codebook, int iterations, boolean converged) {

    public Clustering {
        codebook = codebook.clone();
        requireAscending(codebook);
    }

    /** Throws unless the codebook is non-empty and ascending (equal neighbours allowed). */
    static void requireAscending(float[] codebook) {
        if (codebook.length == 0) {
            throw new IllegalArgumentException("a codebook needs at least one centroid");
        }
        for (int j = 1; j < codebook.length; j++) {
            if (!(codebook[j - 1] <= codebook[j])) {
                throw new IllegalArgumentException("codebook is not ascending at " + j + ": " + codebook[j - 1]
                        + " then " + codebook[j]);
            }
        }
    }

    @Override
    public float[] codebook() {
        return codebook.clone();
    }

    // Records compare arrays by identity; clusterings compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Clustering c && Arrays.equals(codebook, c.codebook) && iterations == c.iterations
                && converged == c.converged;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(codebook) + iterations;
    }

    @Override
    public String toString() {
        return "Clustering[" + codebook.length + " centroids, " + iterations + " iterations"
                + (converged ? ", converged]" : "]");
    }
}
