// RowDot gives the same bits before and after the JIT compiles it: lanes are summed in lane order at every tier.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Lanes;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RowDotTest {

    /** Calls enough for C2 to compile the loop (its invocation threshold is 5,000) while the test still runs. */
    static final int CALLS = 30_000;

    @Test
    void sameBitsInterpretedAndCompiled() {
        int m = 1;
        int k = 3 * Lanes.FLOAT.length() + 5;
        int n = 6;
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = random(rng, m * k);
        float[] w = random(rng, n * k);
        float[] bias = random(rng, m * n);
        float[] expected = laneOrder(x, m, k, w, n, bias);
        float[] y = new float[m * n];
        for (int call = 0; call < CALLS; call++) {
            RowDot.multiply(x, 0, m, k, w, 0, 0, n, n, y, 0, bias, 0, Activation.NONE);
            for (int j = 0; j < n; j++) {
                if (Float.floatToRawIntBits(y[j]) != Float.floatToRawIntBits(expected[j])) {
                    assertEquals(expected[j], y[j], 0f, "call " + call + ", output " + j);
                }
            }
        }
    }

    /** What RowDot computes, spelled out: one FMA chain per lane, lanes summed from 0, then the scalar tail. */
    private static float[] laneOrder(float[] x, int m, int k, float[] w, int n, float[] bias) {
        int lanes = Lanes.FLOAT.length();
        int bound = Lanes.FLOAT.loopBound(k);
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float[] acc = new float[lanes];
                for (int p = 0; p < bound; p++) {
                    acc[p % lanes] = Math.fma(w[j * k + p], x[i * k + p], acc[p % lanes]);
                }
                float s = 0;
                for (float a : acc) {
                    s += a;
                }
                for (int p = bound; p < k; p++) {
                    s += w[j * k + p] * x[i * k + p];
                }
                y[i * n + j] = s + bias[i * n + j];
            }
        }
        return y;
    }

    private static float[] random(SplittableRandom rng, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }
}
