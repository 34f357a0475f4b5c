// One-dimensional k-means in O(k log n) per iteration: sorted values, prefix sums, cluster boundaries by binary search.
package dev.condense.quantize.sharing;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Lloyd's algorithm on a line. The values are sorted once (O(n log n)); after that an iteration
 * finds each cluster's ends by binary search at the midpoints between adjacent centroids and its
 * new mean from prefix sums: O(k log n), never O(n k). It stops when no boundary moves, or at the
 * iteration limit. A cluster that holds no value keeps its centroid; the codebook stays sorted.
 * Ties go to the lower index, for values at a midpoint and among equal centroids alike. Assigning
 * n values to the final codebook is a binary search each: O(n log k).
 */
public final class KMeans1D {

    public static final int DEFAULT_MAX_ITERATIONS = 100;

    private KMeans1D() {
    }

    /**
     * Clusters {@code values} (not changed) into {@code clusters} centroids. With no values the
     * codebook is all zeros.
     */
    public static Clustering fit(float[] values, int clusters, KMeansInit init, long seed, int maxIterations) {
        if (clusters < 1 || clusters > CentroidIndices.MAX_CLUSTERS) {
            throw new IllegalArgumentException("cluster count must lie in [1, " + CentroidIndices.MAX_CLUSTERS
                    + "], got " + clusters);
        }
        if (maxIterations < 0) {
            throw new IllegalArgumentException("iteration limit must be >= 0, got " + maxIterations);
        }
        SortedValues sorted = SortedValues.of(values);
        if (sorted.size() == 0) {
            return new Clustering(new float[clusters], 0, true);
        }
        return lloyd(sorted, initialCentroids(sorted, clusters, init, seed), maxIterations);
    }

    /** Lloyd iterations from {@code centroids} (ascending; updated in place). */
    static Clustering lloyd(SortedValues values, double[] centroids, int maxIterations) {
        int[] starts = null;
        int iterations = 0;
        boolean converged = false;
        while (true) {
            int[] next = values.clusterStarts(centroids);
            if (Arrays.equals(next, starts)) {
                converged = true;
                break;
            }
            if (iterations == maxIterations) {
                break;
            }
            values.updateMeans(next, centroids);
            starts = next;
            iterations++;
        }
        float[] codebook = new float[centroids.length];
        for (int j = 0; j < codebook.length; j++) {
            codebook[j] = (float) centroids[j];
        }
        return new Clustering(codebook, iterations, converged);
    }

    /**
     * The index of the nearest entry of the ascending {@code codebook} for each value, in order; a
     * value at a midpoint takes the lower entry.
     */
    public static CentroidIndices assign(float[] codebook, float[] values) {
        Clustering.requireAscending(codebook);
        int k = codebook.length;
        double[] boundaries = new double[k - 1];
        for (int j = 1; j < k; j++) {
            boundaries[j - 1] = ((double) codebook[j - 1] + codebook[j]) / 2;
        }
        // Of equal entries the first takes every value, as in the clustering.
        int[] firstEqual = new int[k];
        for (int j = 1; j < k; j++) {
            firstEqual[j] = codebook[j] == codebook[j - 1] ? firstEqual[j - 1] : j;
        }
        CentroidIndices out = CentroidIndices.allocate(k, values.length);
        for (int i = 0; i < values.length; i++) {
            double x = values[i];
            // The number of boundaries below x is the cluster index.
            int lo = 0;
            int hi = boundaries.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (boundaries[mid] < x) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            out.set(i, firstEqual[lo]);
        }
        return out;
    }

    // ---- initialization ----

    /** The first centroids, ascending. */
    static double[] initialCentroids(SortedValues values, int k, KMeansInit init, long seed) {
        double[] centroids = switch (init) {
            case LINEAR -> linear(values, k);
            case DENSITY -> density(values, k);
            case RANDOM -> forgy(values, k, new SplittableRandom(seed));
            case KMEANS_PLUS_PLUS -> kMeansPlusPlus(values, k, new SplittableRandom(seed));
        };
        Arrays.sort(centroids);
        return centroids;
    }

    private static double[] linear(SortedValues values, int k) {
        double min = values.get(0);
        double max = values.get(values.size() - 1);
        double[] out = new double[k];
        if (k == 1) {
            out[0] = (min + max) / 2;
            return out;
        }
        for (int j = 0; j < k; j++) {
            out[j] = j == k - 1 ? max : min + (max - min) * j / (k - 1);
        }
        return out;
    }

    private static double[] density(SortedValues values, int k) {
        int last = values.size() - 1;
        double[] out = new double[k];
        for (int j = 0; j < k; j++) {
            int rank = k == 1 ? last / 2 : (int) Math.round((double) last * j / (k - 1));
            out[j] = values.get(rank);
        }
        return out;
    }

    /** k distinct positions by Floyd's sampling; with fewer values than k, all of them and copies of the largest. */
    private static double[] forgy(SortedValues values, int k, SplittableRandom rng) {
        int n = values.size();
        double[] out = new double[k];
        if (n <= k) {
            for (int j = 0; j < k; j++) {
                out[j] = values.get(Math.min(j, n - 1));
            }
            return out;
        }
        Set<Integer> chosen = new HashSet<>();
        int j = 0;
        for (int candidate = n - k; candidate < n; candidate++) {
            int pick = rng.nextInt(candidate + 1);
            if (!chosen.add(pick)) {
                chosen.add(candidate);
                pick = candidate;
            }
            out[j++] = values.get(pick);
        }
        return out;
    }

    /**
     * k-means++ on the sorted values. The chosen centroids, kept sorted, split the values into runs
     * nearest to each; a run's D^2 mass comes from prefix sums, so a draw walks the runs and then
     * binary-searches inside one: O(k) per draw plus O(log n), O(k^2 + k log n) in all. When every
     * value already sits on a centroid, the rest are copies of the largest.
     */
    private static double[] kMeansPlusPlus(SortedValues values, int k, SplittableRandom rng) {
        int n = values.size();
        double[] centers = new double[k];
        int[] starts = new int[k + 1];
        double[] mass = new double[k];
        centers[0] = values.get(rng.nextInt(n));
        starts[1] = n;
        mass[0] = values.squaredDistances(0, n, centers[0]);
        for (int count = 1; count < k; count++) {
            double total = 0;
            for (int j = 0; j < count; j++) {
                total += mass[j];
            }
            if (!(total > 0)) {
                double largest = centers[count - 1];
                Arrays.fill(centers, count, k, largest);
                break;
            }
            double target = rng.nextDouble() * total;
            int run = -1;
            int lastWithMass = 0;
            for (int j = 0; j < count && run < 0; j++) {
                if (mass[j] > 0) {
                    lastWithMass = j;
                    if (target < mass[j]) {
                        run = j;
                    } else {
                        target -= mass[j];
                    }
                }
            }
            if (run < 0) {
                // Rounding left the target at the very end of the mass: take the last value that carries some.
                run = lastWithMass;
                target = mass[run];
            }
            double picked = values.get(pickInRun(values, starts[run], starts[run + 1], centers[run], target));
            insert(values, centers, starts, mass, count, picked);
        }
        return centers;
    }

    /** The first position p in [from, to) whose D^2 mass from {@code from} through p exceeds {@code target}. */
    private static int pickInRun(SortedValues values, int from, int to, double center, double target) {
        int lo = from + 1;
        int hi = to;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values.squaredDistances(from, mid, center) > target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return Math.min(lo, to) - 1;
    }

    /** Adds {@code c} to the {@code count} sorted centers, updating the runs and masses that change. */
    private static void insert(SortedValues values, double[] centers, int[] starts, double[] mass, int count, double c) {
        int p = count;
        while (p > 0 && centers[p - 1] > c) {
            p--;
        }
        System.arraycopy(centers, p, centers, p + 1, count - p);
        System.arraycopy(starts, p + 1, starts, p + 2, count - p);
        System.arraycopy(mass, p, mass, p + 1, count - p);
        centers[p] = c;
        int n = values.size();
        starts[count + 1] = n;
        for (int j = Math.max(1, p); j <= Math.min(p + 1, count); j++) {
            double boundary = (centers[j - 1] + centers[j]) / 2;
            starts[j] = values.firstAbove(boundary, 0, n);
        }
        for (int j = Math.max(0, p - 1); j <= Math.min(p + 1, count); j++) {
            mass[j] = values.squaredDistances(starts[j], starts[j + 1], centers[j]);
        }
    }
}
