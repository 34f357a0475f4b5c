// The plain twin of Sgemm: the textbook triple loop, in double, that tests hold the fast path to.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;

/** {@code C[m][n] = act(bias[m] + sum_k A[m][k] * B[k][n])}, A and B row-major. */
public final class SgemmReference {

    private SgemmReference() {
    }

    public static void multiply(float[] a, int m, int k, float[] b, int n, float[] c, float[] bias, Activation act) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = bias == null ? 0 : bias[i];
                for (int p = 0; p < k; p++) {
                    sum += (double) a[i * k + p] * b[p * n + j];
                }
                c[i * n + j] = act.apply((float) sum);
            }
        }
    }
}
