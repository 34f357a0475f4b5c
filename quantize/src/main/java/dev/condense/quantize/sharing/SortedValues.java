// Values sorted once with prefix sums, so any contiguous run's count, sum and sum of squares costs O(1).
package dev.condense.quantize.sharing;

import java.util.Arrays;

/**
 * In one dimension every k-means cluster is a contiguous run of the sorted values, split at the
 * midpoints between adjacent centroids. With prefix sums (in double) a run's mean, and its sum of
 * squared distances to a point, take two subtractions; its ends take one binary search each.
 * Memory: 4 bytes per value sorted, 8 for the prefix sums, 8 more for squares when asked for.
 */
final class SortedValues {

    private final float[] sorted;
    private final double[] prefix;
    private double[] prefixSquares;

    private SortedValues(float[] sorted) {
        this.sorted = sorted;
        this.prefix = new double[sorted.length + 1];
        double sum = 0;
        for (int i = 0; i < sorted.length; i++) {
            sum += sorted[i];
            prefix[i + 1] = sum;
        }
    }

    /** A sorted copy of {@code values}; throws when one is NaN or infinite. */
    static SortedValues of(float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " is " + values[i] + "; k-means needs finite values");
            }
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return new SortedValues(sorted);
    }

    int size() {
        return sorted.length;
    }

    float get(int i) {
        return sorted[i];
    }

    /** Sum of the values at sorted positions [from, to). */
    double sum(int from, int to) {
        return prefix[to] - prefix[from];
    }

    /** Sum of (x - c)^2 over sorted positions [from, to), never below 0. */
    double squaredDistances(int from, int to, double c) {
        if (prefixSquares == null) {
            prefixSquares = new double[sorted.length + 1];
            double sum = 0;
            for (int i = 0; i < sorted.length; i++) {
                sum += (double) sorted[i] * sorted[i];
                prefixSquares[i + 1] = sum;
            }
        }
        int count = to - from;
        double squares = prefixSquares[to] - prefixSquares[from];
        return Math.max(0, squares - 2 * c * sum(from, to) + c * c * count);
    }

    /** The first position in [from, to) whose value is above {@code bound}, or {@code to}. */
    int firstAbove(double bound, int from, int to) {
        int lo = from;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] > bound) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Where each cluster of the ascending {@code centroids} starts: {@code starts[j]} is the first
     * sorted position nearer to centroid j than to any lower one, {@code starts[0] = 0},
     * {@code starts[k] = n}. Ties go to the lower index: a value at a midpoint joins the lower
     * centroid, and of equal centroids the first takes every value, leaving the others empty.
     * O(k log n).
     */
    int[] clusterStarts(double[] centroids) {
        int k = centroids.length;
        int[] starts = new int[k + 1];
        starts[k] = sorted.length;
        int from = 0;
        for (int j = 1; j < k; j++) {
            if (centroids[j] != centroids[j - 1]) {
                double boundary = (centroids[j - 1] + centroids[j]) / 2;
                from = firstAbove(boundary, from, sorted.length);
                starts[j] = from;
            }
        }
        for (int j = k - 1; j >= 1; j--) {
            if (centroids[j] == centroids[j - 1]) {
                starts[j] = starts[j + 1];
            }
        }
        return starts;
    }

    /**
     * Replaces each centroid by the mean of its cluster, then sorts them; an empty cluster keeps
     * its centroid. A mean is clamped into its run's range, so a run of one repeated value gets
     * exactly that value. Distinct neighbours keep their order by themselves (clusters are ordered
     * runs); the sort only moves a mean out of a group of equal centroids.
     */
    void updateMeans(int[] starts, double[] centroids) {
        for (int j = 0; j < centroids.length; j++) {
            int from = starts[j];
            int to = starts[j + 1];
            if (to > from) {
                double mean = sum(from, to) / (to - from);
                centroids[j] = Math.min(sorted[to - 1], Math.max(sorted[from], mean));
            }
        }
        Arrays.sort(centroids);
    }
}
