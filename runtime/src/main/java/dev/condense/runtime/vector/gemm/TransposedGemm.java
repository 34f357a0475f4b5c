// GEMM with the roles swapped, for layers with few columns: C^T = B^T A^T, weights as the wide operand.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;
import jdk.incubator.vector.FloatVector;

/**
 * A batch-1 convolution on a 7x7 map has 49 output positions: as the right-hand side of
 * {@link Sgemm} that is three full column panels and one holding a single column, a quarter of the
 * work thrown away, and each pre-broadcast weight panel serves only four tiles. Swapped, the
 * positions become the 6-row panels (49 rows waste 5 of 54) and the output channels the 16-wide
 * column panels (512 channels waste none), each broadcast position panel serves every channel
 * panel, and the weights, constant, are packed as column panels once at build time. The result
 * comes out transposed, {@code [positions][channels]}, and is written back in the output's layout
 * with bias, residual and activation in one pass.
 */
public final class TransposedGemm {

    private static final int MR = PackedA.MR;
    private static final int NR = MicroKernel.NR;
    private static final int KC = Sgemm.KC;
    /** Floats of packed weights one group of channel panels may hold: 128 KB, a quarter of L2. */
    private static final int L2_WEIGHTS = 32 * 1024;
    private static final ThreadLocal<float[]> WIDE = ThreadLocal.withInitial(() -> new float[KC * MicroKernel.A_STEP]);

    private TransposedGemm() {
    }

    /** Weights {@code [M, K]} (row stride K, from {@code offset}) as column panels of {@code W^T}, K-block by K-block. */
    public static float[] packWeights(float[] w, int offset, int m, int k) {
        int mpad = Math.ceilDiv(m, NR) * NR;
        float[] dst = new float[Math.multiplyExact(mpad, k)];
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            int block = k0 * mpad;
            for (int j = 0; j < mpad / NR; j++) {
                for (int kk = 0; kk < kc; kk++) {
                    int d = block + j * kc * NR + kk * NR;
                    for (int lane = 0; lane < NR; lane++) {
                        int row = j * NR + lane;
                        dst[d + lane] = row < m ? w[offset + row * k + k0 + kk] : 0f;
                    }
                }
            }
        }
        return dst;
    }

    /** Floats of the transposed result {@code [positions rounded up to MR][channels rounded up to NR]}. */
    public static int resultSize(int m, int n) {
        return Math.multiplyExact(Math.ceilDiv(n, MR) * MR, Math.ceilDiv(m, NR) * NR);
    }

    /**
     * Computes channel panels {@code [j0, j1)} of {@code C^T} for all {@code n} positions into
     * {@code ct} (row stride: channels rounded up to NR), reading the positions from B packed whole
     * beforehand ({@link Sgemm#packBlock}, shared by the threads).
     */
    public static void multiply(float[] packedW, int m, int k, float[] packedB, int pbOff, int n, int j0, int j1,
                                float[] ct, int ctOff) {
        int mpad = Math.ceilDiv(m, NR) * NR;
        int npad = Math.ceilDiv(n, NR) * NR;
        float[] wide = WIDE.get();
        int lanes = MicroKernel.LANES;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            int wBlock = k0 * mpad;
            int bBlock = pbOff + k0 * npad;
            boolean accumulate = k0 > 0;
            // Channel panels in groups whose weights (kc x NR floats each) stay in L2 while every
            // position panel passes: 960 channels' weights are half a megabyte per K-block, and
            // streaming them from L3 once per position panel cost more than the multiplies.
            int group = Math.max(1, L2_WEIGHTS / (kc * NR));
            for (int g0 = j0; g0 < j1; g0 += group) {
                int g1 = Math.min(j1, g0 + group);
                for (int p = 0; p * MR < n; p++) {
                    // Positions p*MR .. p*MR+5 of this K-block, broadcast: B^T's row panel. Position i sits in
                    // B's column panel i / NR at lane i % NR (past n the packed panels hold zeros).
                    for (int r = 0; r < MR; r++) {
                        int i = p * MR + r;
                        int src = bBlock + (i / NR) * kc * NR + i % NR;
                        boolean inside = i < npad;
                        for (int kk = 0; kk < kc; kk++) {
                            FloatVector.broadcast(MicroKernel.SPECIES, inside ? packedB[src + kk * NR] : 0f)
                                    .intoArray(wide, (kk * MR + r) * lanes);
                        }
                    }
                    for (int j = g0; j < g1; j++) {
                        MicroKernel.tile(wide, 0, packedW, wBlock + j * kc * NR, kc, ct,
                                ctOff + p * MR * mpad + j * NR, mpad, accumulate);
                    }
                }
            }
        }
    }

    /**
     * Writes channels {@code [m0, m1)} of the transposed result to {@code y: [M, N]}:
     * {@code y[c][i] = act(ct[i][c] + bias[c] + residual[c][i])}. A panel of channels at a time,
     * position by position, the transpose reads each result row in order and writes sixteen
     * output rows a short stride apart; then each finished output row gets its bias, residual and
     * activation in vectors. (Walking a channel down the result instead reads with a stride of
     * the channel count, which for 960 channels lands every load 4 KB from the last store and
     * made this pass cost as much as the multiply.)
     */
    public static void writeBack(float[] ct, int ctOff, int m, int n, int m0, int m1, float[] y, int yOff,
                                 float[] bias, float[] residual, int rOff, Activation act) {
        int mpad = Math.ceilDiv(m, NR) * NR;
        for (int c0 = m0; c0 < m1; c0 += NR) {
            int width = Math.min(NR, m1 - c0);
            for (int i = 0; i < n; i++) {
                int src = ctOff + i * mpad + c0;
                int dst = yOff + c0 * n + i;
                for (int t = 0; t < width; t++) {
                    y[dst + t * n] = ct[src + t];
                }
            }
            for (int c = c0; c < c0 + width; c++) {
                int row = yOff + c * n;
                act.finish(y, row, bias == null ? 0f : bias[c], residual, rOff + c * n, y, row, n);
            }
        }
    }
}
