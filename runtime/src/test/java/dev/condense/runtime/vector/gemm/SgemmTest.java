// The packed GEMM against its reference twin on shapes that hit every edge: partial panels, K-blocks, tails.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SgemmTest {

    /** Float accumulation against double: relative to the sum of |terms|, which grows with K. */
    static final double TOLERANCE = 2e-6;

    @ParameterizedTest(name = "M={0} K={1} N={2}")
    @CsvSource({"1,1,1", "6,1,16", "5,3,7", "7,17,15", "12,256,32", "13,257,33", "6,512,129", "64,64,196",
        "100,300,300", "37,1000,50", "3,2,400"})
    void matchesTheReference(int m, int k, int n) {
        SplittableRandom rng = new SplittableRandom(m * 31L + k * 7L + n);
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] bias = random(rng, m);
        for (Activation act : new Activation[] {Activation.NONE, Activation.RELU, Activation.clip(-0.5f, 0.5f),
            Activation.leakyRelu(0.1f)}) {
            float[] expected = new float[m * n];
            SgemmReference.multiply(a, m, k, b, n, expected, bias, act);
            // C sits inside a larger array with a row stride above N, as convolution outputs of a batch do.
            int ldc = n + 3;
            float[] c = new float[5 + m * ldc];
            java.util.Arrays.fill(c, Float.NaN);
            PackedA packed = PackedA.pack(a, 0, m, k, k);
            Sgemm.multiply(packed, 0, packed.panels(), new RowMajorB(b, 0, k, n, n), 0, n, c, 5, ldc,
                    Sgemm.padBias(bias, 0, m), act);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(expected[i * n + j], c[5 + i * ldc + j], TOLERANCE * (k + 1),
                            act.kind() + " C[" + i + "][" + j + "]");
                }
            }
            assertEquals(Float.NaN, c[4], "nothing written before C");
        }
    }

    @ParameterizedTest(name = "rows {0}-{1} of M={2}, columns {3}-{4}")
    @CsvSource({"0,1,13,0,40", "1,3,13,17,40", "0,3,13,5,6"})
    void partialRangesWriteOnlyTheirPart(int p0, int p1, int m, int n0, int n1) {
        int k = 9;
        int n = 40;
        SplittableRandom rng = new SplittableRandom(3);
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] expected = new float[m * n];
        SgemmReference.multiply(a, m, k, b, n, expected, null, Activation.NONE);
        float[] c = new float[m * n];
        PackedA packed = PackedA.pack(a, 0, m, k, k);
        Sgemm.multiply(packed, p0, p1, new RowMajorB(b, 0, k, n, n), n0, n1, c, 0, n, null, Activation.NONE);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                boolean inside = i >= p0 * PackedA.MR && i < Math.min(m, p1 * PackedA.MR) && j >= n0 && j < n1;
                assertEquals(inside ? expected[i * n + j] : 0f, c[i * n + j], 1e-5, "C[" + i + "][" + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "M={0} K={1} N={2}")
    @CsvSource({"1,5,3", "2,8,4", "3,33,9", "4,100,17", "1,25088,10"})
    void rowDotMatchesItsReference(int m, int k, int n) {
        SplittableRandom rng = new SplittableRandom(k);
        float[] x = random(rng, m * k);
        float[] w = random(rng, n * k);
        float[] bias = random(rng, m * n);
        float[] expected = new float[m * n];
        RowDot.reference(x, m, k, w, n, expected, bias, Activation.RELU);
        float[] y = new float[m * n + 2];
        RowDot.multiply(x, 0, m, k, w, 0, 0, n, n, y, 0, bias, 0, Activation.RELU);
        for (int i = 0; i < m * n; i++) {
            assertEquals(expected[i], y[i], TOLERANCE * (k + 1), "y[" + i + "]");
        }
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }
}
