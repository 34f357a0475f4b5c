// The int8 micro-kernels against their plain twin: random and extreme values, odd K, partial row blocks.
package dev.condense.runtime.vector.gemm;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Int8GemmTest {

    @Test
    void pairsBlockSumsEqualTheTwinModulo2To32() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int k : new int[] {1, 2, 7, 64, 301, 1600, Int8Gemm.MAX_K}) {
            int n = 6;
            for (boolean extreme : new boolean[] {false, true}) {
                int[] w = new int[n * k];
                int[] x = new int[k * Int8Gemm.NP];
                for (int i = 0; i < w.length; i++) {
                    w[i] = extreme ? 255 : rng.nextInt(256);
                }
                for (int i = 0; i < x.length; i++) {
                    x[i] = extreme ? 255 : rng.nextInt(256);
                }
                int[] pairs = Int8Gemm.packPairs(w, n, k);
                int[] block = new int[Int8Gemm.blockSize(k)];
                for (int kk = 0; kk < k; kk++) {
                    for (int q = 0; q < Int8Gemm.NP; q++) {
                        block[(kk / 2) * Int8Gemm.NP + q] |= x[kk * Int8Gemm.NP + q] << (16 * (kk & 1));
                    }
                }
                int[] s = new int[Int8Gemm.MR * Int8Gemm.NP];
                for (int nb = 0; nb < Math.ceilDiv(n, Int8Gemm.MR); nb++) {
                    Int8Gemm.pairsBlock(pairs, nb, (k + 1) / 2, block, s);
                    for (int r = 0; r < Int8Gemm.MR && nb * Int8Gemm.MR + r < n; r++) {
                        for (int q = 0; q < Int8Gemm.NP; q++) {
                            long expected = Int8Gemm.reference(w, k, nb * Int8Gemm.MR + r, x, q, Int8Gemm.NP);
                            assertEquals((int) expected, s[r * Int8Gemm.NP + q], "k " + k + " row " + r + " column " + q);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rowsEqualTheTwin() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int k : new int[] {1, 15, 16, 17, 100, 4097}) {
            int n = 9;
            int[] w = new int[n * k];
            byte[] wb = new byte[n * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = i % 7 == 0 ? -128 : rng.nextInt(256) - 128;
                wb[i] = (byte) w[i];
            }
            int[] x = new int[k];
            short[] xs = new short[k];
            for (int i = 0; i < k; i++) {
                x[i] = i % 5 == 0 ? 255 : rng.nextInt(256);
                xs[i] = (short) x[i];
            }
            long[] s = new long[n];
            Int8Gemm.rows(wb, k, 2, n, xs, s);
            for (int row = 2; row < n; row++) {
                assertEquals(Int8Gemm.reference(w, k, row, x, 0, 1), s[row], "k " + k + " row " + row);
            }
            assertEquals(0, s[0] + s[1], "rows outside [n0, n1) are not written");
        }
    }
}
