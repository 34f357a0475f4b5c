// Fully connected layers at small batch: each output is a dot product of an input row with a weight row.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Y[m][n] = act(bias[m][n] + X[m] . W[n])} with {@code W: [N, K]} (PyTorch's Linear layout).
 * At batch 1 a classifier layer is a matrix-vector product bound by reading W (VGG-16's first
 * one is 411 MB), so the loop streams four weight rows at a time against one input row, four
 * independent accumulators hiding the FMA latency. Callers split the N range over threads. Lanes
 * are summed in lane order ({@link Lanes#sumLanes}), so a result does not change once the JIT
 * compiles the loop.
 */
public final class RowDot {

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;

    private RowDot() {
    }

    /**
     * @param w    {@code [N, K]} row-major from {@code wOff}
     * @param bias {@code [M, N]} row-major from {@code biasOff}, or null
     */
    public static void multiply(float[] x, int xOff, int m, int k, float[] w, int wOff, int n0, int n1, int n,
                                float[] y, int yOff, float[] bias, int biasOff, Activation act) {
        int lanes = SPECIES.length();
        int bound = SPECIES.loopBound(k);
        int nb = n0;
        for (; nb + 4 <= n1; nb += 4) {
            int w0 = wOff + nb * k;
            int w1 = w0 + k;
            int w2 = w1 + k;
            int w3 = w2 + k;
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * k;
                FloatVector a0 = FloatVector.zero(SPECIES);
                FloatVector a1 = FloatVector.zero(SPECIES);
                FloatVector a2 = FloatVector.zero(SPECIES);
                FloatVector a3 = FloatVector.zero(SPECIES);
                int p = 0;
                for (; p < bound; p += lanes) {
                    FloatVector xv = FloatVector.fromArray(SPECIES, x, xi + p);
                    a0 = FloatVector.fromArray(SPECIES, w, w0 + p).fma(xv, a0);
                    a1 = FloatVector.fromArray(SPECIES, w, w1 + p).fma(xv, a1);
                    a2 = FloatVector.fromArray(SPECIES, w, w2 + p).fma(xv, a2);
                    a3 = FloatVector.fromArray(SPECIES, w, w3 + p).fma(xv, a3);
                }
                float s0 = Lanes.sumLanes(a0);
                float s1 = Lanes.sumLanes(a1);
                float s2 = Lanes.sumLanes(a2);
                float s3 = Lanes.sumLanes(a3);
                for (; p < k; p++) {
                    float xv = x[xi + p];
                    s0 += w[w0 + p] * xv;
                    s1 += w[w1 + p] * xv;
                    s2 += w[w2 + p] * xv;
                    s3 += w[w3 + p] * xv;
                }
                int yi = yOff + i * n + nb;
                int bi = biasOff + i * n + nb;
                y[yi] = act.apply(s0 + (bias == null ? 0f : bias[bi]));
                y[yi + 1] = act.apply(s1 + (bias == null ? 0f : bias[bi + 1]));
                y[yi + 2] = act.apply(s2 + (bias == null ? 0f : bias[bi + 2]));
                y[yi + 3] = act.apply(s3 + (bias == null ? 0f : bias[bi + 3]));
            }
        }
        for (; nb < n1; nb++) {
            int wr = wOff + nb * k;
            for (int i = 0; i < m; i++) {
                int xi = xOff + i * k;
                FloatVector acc = FloatVector.zero(SPECIES);
                int p = 0;
                for (; p < bound; p += lanes) {
                    acc = FloatVector.fromArray(SPECIES, w, wr + p).fma(FloatVector.fromArray(SPECIES, x, xi + p), acc);
                }
                float s = Lanes.sumLanes(acc);
                for (; p < k; p++) {
                    s += w[wr + p] * x[xi + p];
                }
                y[yOff + i * n + nb] = act.apply(s + (bias == null ? 0f : bias[biasOff + i * n + nb]));
            }
        }
    }

    /** The plain twin, in double. */
    public static void reference(float[] x, int m, int k, float[] w, int n, float[] y, float[] bias, Activation act) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = bias == null ? 0 : bias[i * n + j];
                for (int p = 0; p < k; p++) {
                    s += (double) x[i * k + p] * w[j * k + p];
                }
                y[i * n + j] = act.apply((float) s);
            }
        }
    }
}
