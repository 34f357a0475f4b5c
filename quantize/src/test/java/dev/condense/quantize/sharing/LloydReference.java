// The plain reference twin of KMeans1D: O(n k) Lloyd iterations and k-means++ by scanning every value, as textbooks state them.
package dev.condense.quantize.sharing;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Slow and obvious; the fast clustering must agree with it. Values are used as given (not sorted) unless stated. */
final class LloydReference {

    record Result(double[] centroids, int[] assignment, int iterations, boolean converged) {
    }

    private LloydReference() {
    }

    /** Index of the nearest centroid; the lower index on a tie. */
    static int nearest(double[] centroids, double x) {
        int best = 0;
        double bestDistance = Math.abs(x - centroids[0]);
        for (int j = 1; j < centroids.length; j++) {
            double d = Math.abs(x - centroids[j]);
            if (d < bestDistance) {
                best = j;
                bestDistance = d;
            }
        }
        return best;
    }

    static int[] assign(double[] centroids, float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = nearest(centroids, values[i]);
        }
        return out;
    }

    /**
     * Lloyd from {@code initial} (ascending): assign, average, keep the centroids sorted, repeat
     * until no value changes cluster or the limit.
     */
    static Result lloyd(float[] values, double[] initial, int maxIterations) {
        double[] centroids = initial.clone();
        int[] assignment = assign(centroids, values);
        int iterations = 0;
        boolean converged = false;
        while (iterations < maxIterations) {
            double[] sum = new double[centroids.length];
            int[] count = new int[centroids.length];
            for (int i = 0; i < values.length; i++) {
                sum[assignment[i]] += values[i];
                count[assignment[i]]++;
            }
            for (int j = 0; j < centroids.length; j++) {
                if (count[j] > 0) {
                    centroids[j] = sum[j] / count[j];
                }
            }
            Arrays.sort(centroids);
            iterations++;
            int[] next = assign(centroids, values);
            if (Arrays.equals(next, assignment)) {
                converged = true;
                break;
            }
            assignment = next;
        }
        return new Result(centroids, assignment, iterations, converged);
    }

    /**
     * k-means++ over the values in ascending order with the same random draws as the fast version:
     * the first centroid at a uniform position, each next one at the first position where the
     * running sum of D^2 passes a uniform fraction of the total.
     */
    static double[] kMeansPlusPlus(float[] values, int k, long seed) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] centers = new double[k];
        centers[0] = sorted[rng.nextInt(sorted.length)];
        for (int count = 1; count < k; count++) {
            double[] d2 = new double[sorted.length];
            double total = 0;
            for (int i = 0; i < sorted.length; i++) {
                double best = Double.POSITIVE_INFINITY;
                for (int j = 0; j < count; j++) {
                    double d = sorted[i] - centers[j];
                    best = Math.min(best, d * d);
                }
                d2[i] = best;
                total += best;
            }
            if (!(total > 0)) {
                double largest = Arrays.stream(centers, 0, count).max().orElseThrow();
                Arrays.fill(centers, count, k, largest);
                break;
            }
            double target = rng.nextDouble() * total;
            double running = 0;
            int pick = sorted.length - 1;
            for (int i = 0; i < sorted.length; i++) {
                running += d2[i];
                if (running > target) {
                    pick = i;
                    break;
                }
            }
            centers[count] = sorted[pick];
        }
        Arrays.sort(centers);
        return centers;
    }
}
