// How k-means weight sharing places its first centroids (Deep Compression, section 3.2).
package dev.condense.quantize.sharing;

/** Centroid initialization. Deep Compression found linear initialization best for accuracy. */
public enum KMeansInit {
    /** k points evenly spaced from the smallest to the largest value. */
    LINEAR,
    /** The values at k evenly spaced ranks, from the smallest to the largest: the CDF cut at even heights. */
    DENSITY,
    /** Forgy: k values drawn without replacement, seeded. */
    RANDOM,
    /** k-means++ (Arthur and Vassilvitskii 2007): each next centroid drawn with probability proportional to D^2, seeded. */
    KMEANS_PLUS_PLUS
}
