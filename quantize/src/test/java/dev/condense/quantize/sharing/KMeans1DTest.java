// Checks the fast one-dimensional k-means against its plain twin for every init, and its edge cases: empty clusters, few or equal values, 10M values.
package dev.condense.quantize.sharing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KMeans1DTest {

    /** Prefix-sum means and summed means differ by rounding only; centroids are stored as float. */
    private static final double CENTROID_TOLERANCE = 1e-6;

    static float[] gaussian(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double u = 1 - rng.nextDouble();
            v[i] = (float) (0.05 * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble()));
        }
        return v;
    }

    private static double distortion(float[] codebook, float[] values) {
        CentroidIndices idx = KMeans1D.assign(codebook, values);
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            double d = values[i] - codebook[idx.get(i)];
            sum += d * d;
        }
        return sum;
    }

    @ParameterizedTest
    @EnumSource(KMeansInit.class)
    void matchesPlainLloydFromTheSameStart(KMeansInit init) {
        for (long seed = 1; seed <= 4; seed++) {
            float[] values = gaussian(seed, 3000);
            int k = seed % 2 == 0 ? 16 : 5;
            double[] start = KMeans1D.initialCentroids(SortedValues.of(values), k, init, seed);
            Clustering fast = KMeans1D.lloyd(SortedValues.of(values), start.clone(), 300);
            LloydReference.Result plain = LloydReference.lloyd(values, start, 300);
            assertEquals(plain.iterations(), fast.iterations(), init + " seed " + seed);
            assertEquals(plain.converged(), fast.converged());
            assertTrue(fast.converged(), "300 iterations should converge on 3000 values");
            float[] codebook = fast.codebook();
            for (int j = 0; j < k; j++) {
                assertEquals(plain.centroids()[j], codebook[j], CENTROID_TOLERANCE, "centroid " + j);
            }
            assertArrayEquals(plain.assignment(), KMeans1D.assign(codebook, values).toIntArray());
        }
    }

    @Test
    void stopsAtTheIterationLimit() {
        float[] values = gaussian(9, 2000);
        double[] start = KMeans1D.initialCentroids(SortedValues.of(values), 32, KMeansInit.LINEAR, 0);
        Clustering three = KMeans1D.lloyd(SortedValues.of(values), start.clone(), 3);
        LloydReference.Result plain = LloydReference.lloyd(values, start, 3);
        assertEquals(3, three.iterations());
        assertFalse(three.converged());
        assertEquals(plain.centroids()[5], three.codebook()[5], CENTROID_TOLERANCE);
        Clustering none = KMeans1D.lloyd(SortedValues.of(values), start.clone(), 0);
        assertEquals(0, none.iterations());
        assertEquals((float) start[31], none.codebook()[31]);
    }

    @Test
    void linearInitSpacesCentroidsFromMinToMax() {
        float[] values = {0.5f, -1, 3, 2, 1};
        assertArrayEquals(new double[] {-1, 0, 1, 2, 3},
                KMeans1D.initialCentroids(SortedValues.of(values), 5, KMeansInit.LINEAR, 0));
    }

    @Test
    void densityInitTakesEvenlySpacedRanks() {
        float[] values = new float[101];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (i * i) / 100;
        }
        // Ranks 0, 25, 50, 75, 100 of the squares: the CDF cut at heights 0, 1/4, 1/2, 3/4, 1.
        assertArrayEquals(new double[] {0, 6.25f, 25, 56.25f, 100},
                KMeans1D.initialCentroids(SortedValues.of(values), 5, KMeansInit.DENSITY, 0));
    }

    @Test
    void randomInitDrawsDistinctValuesBySeed() {
        float[] values = new float[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        double[] a = KMeans1D.initialCentroids(SortedValues.of(values), 64, KMeansInit.RANDOM, 7);
        double[] b = KMeans1D.initialCentroids(SortedValues.of(values), 64, KMeansInit.RANDOM, 7);
        double[] c = KMeans1D.initialCentroids(SortedValues.of(values), 64, KMeansInit.RANDOM, 8);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals(64, Arrays.stream(a).distinct().count());
        assertTrue(Arrays.stream(a).allMatch(x -> x == Math.rint(x) && x >= 0 && x < 1000));
    }

    @Test
    void kMeansPlusPlusMatchesTheScanningTwin() {
        for (long seed = 1; seed <= 5; seed++) {
            float[] values = gaussian(100 + seed, 2000);
            for (int k : new int[] {2, 8, 64}) {
                assertArrayEquals(LloydReference.kMeansPlusPlus(values, k, seed),
                        KMeans1D.initialCentroids(SortedValues.of(values), k, KMeansInit.KMEANS_PLUS_PLUS, seed),
                        "seed " + seed + ", k " + k);
            }
        }
    }

    @Test
    void emptyClustersKeepTheirCentroids() {
        // Two tight groups far apart: linear init puts six of eight centroids in the gap, where no value is.
        float[] values = {-1.01f, -1, -0.99f, -1.02f, 1.01f, 1, 0.98f};
        Clustering c = KMeans1D.fit(values, 8, KMeansInit.LINEAR, 0, 100);
        LloydReference.Result plain = LloydReference.lloyd(values,
                KMeans1D.initialCentroids(SortedValues.of(values), 8, KMeansInit.LINEAR, 0), 100);
        float[] codebook = c.codebook();
        assertEquals(-1.005, codebook[0], 1e-6);
        assertEquals(0.9966667, codebook[7], 1e-6);
        for (int j = 1; j < 7; j++) {
            assertEquals(-1.02 + 2.03 * j / 7, codebook[j], 1e-6, "empty centroid " + j);
            assertEquals(plain.centroids()[j], codebook[j], CENTROID_TOLERANCE);
        }
        assertTrue(c.converged());
        assertArrayEquals(new int[] {0, 0, 0, 0, 7, 7, 7}, KMeans1D.assign(codebook, values).toIntArray());
    }

    @ParameterizedTest
    @EnumSource(KMeansInit.class)
    void fewerDistinctValuesThanCentroidsAreReproducedExactly(KMeansInit init) {
        float[] values = new float[60];
        float[] distinct = {-0.7f, 0.1f, 0.35f};
        for (int i = 0; i < values.length; i++) {
            values[i] = distinct[(i * 7) % 3];
        }
        Clustering c = KMeans1D.fit(values, 16, init, 3, 100);
        float[] codebook = c.codebook();
        CentroidIndices idx = KMeans1D.assign(codebook, values);
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], codebook[idx.get(i)], init + " at " + i);
        }
        assertTrue(c.converged());
    }

    @ParameterizedTest
    @EnumSource(KMeansInit.class)
    void allEqualValuesGiveThatValue(KMeansInit init) {
        float[] values = new float[500];
        Arrays.fill(values, 0.3f);
        Clustering c = KMeans1D.fit(values, 32, init, 5, 100);
        CentroidIndices idx = KMeans1D.assign(c.codebook(), values);
        for (int i = 0; i < values.length; i++) {
            assertEquals(0.3f, c.codebook()[idx.get(i)]);
        }
        assertEquals(0.3f, c.codebook()[0]);
        assertTrue(c.converged());
    }

    @Test
    void noValuesGiveAZeroCodebook() {
        Clustering c = KMeans1D.fit(new float[0], 4, KMeansInit.LINEAR, 0, 10);
        assertArrayEquals(new float[4], c.codebook());
        assertEquals(0, KMeans1D.assign(c.codebook(), new float[0]).size());
    }

    @Test
    void assignTakesTheNearestAndTheLowerOnATie() {
        float[] codebook = {-1, 0, 0, 2};
        float[] values = {-0.5f, -0.6f, 0, 1, 1.01f, 5, -9};
        assertArrayEquals(new int[] {0, 0, 1, 1, 3, 3, 0}, KMeans1D.assign(codebook, values).toIntArray());
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.assign(new float[] {1, 0}, values));
    }

    @Test
    void rejectsNonFiniteValuesAndBadSettings() {
        assertThrows(IllegalArgumentException.class,
                () -> KMeans1D.fit(new float[] {1, Float.NaN}, 2, KMeansInit.LINEAR, 0, 10));
        assertThrows(IllegalArgumentException.class,
                () -> KMeans1D.fit(new float[] {1, Float.POSITIVE_INFINITY}, 2, KMeansInit.LINEAR, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.fit(new float[] {1}, 0, KMeansInit.LINEAR, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> KMeans1D.fit(new float[] {1}, 2, KMeansInit.LINEAR, 0, -1));
    }

    @Test
    void tenMillionValuesClusterWithoutScanningPerCentroid() {
        float[] values = gaussian(2016, 10_000_000);
        Clustering c = KMeans1D.fit(values, 32, KMeansInit.LINEAR, 0, 100);
        assertTrue(c.iterations() >= 1 && c.iterations() <= 100, c.toString());
        float[] codebook = c.codebook();
        CentroidIndices idx = KMeans1D.assign(codebook, values);
        assertEquals(10_000_000, idx.size());
        assertEquals(1, idx.bytesPerIndex());
        double[] start = KMeans1D.initialCentroids(SortedValues.of(values), 32, KMeansInit.LINEAR, 0);
        float[] startCodebook = new float[32];
        for (int j = 0; j < 32; j++) {
            startCodebook[j] = (float) start[j];
        }
        // Lloyd never increases the distortion; on a Gaussian it lowers it well below linear spacing.
        assertTrue(distortion(codebook, values) < 0.9 * distortion(startCodebook, values));
        assertNotEquals(startCodebook[1], codebook[1]);
    }
}
