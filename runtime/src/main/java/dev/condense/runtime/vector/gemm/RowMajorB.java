// B read from a row-major matrix in the arena: a 1x1 convolution's input, or a MatMul operand.
package dev.condense.runtime.vector.gemm;

import jdk.incubator.vector.FloatVector;

/** {@code B[k][n] = src[offset + k*ldb + n]}; full panels copy two vectors per row. */
public final class RowMajorB implements BPacker {

    private final float[] src;
    private final int offset;
    private final int k;
    private final int n;
    private final int ldb;

    public RowMajorB(float[] src, int offset, int k, int n, int ldb) {
        this.src = src;
        this.offset = offset;
        this.k = k;
        this.n = n;
        this.ldb = ldb;
    }

    @Override
    public int k() {
        return k;
    }

    @Override
    public int n() {
        return n;
    }

    @Override
    public void pack(int k0, int kc, int n0, int cols, float[] dst, int dstOff) {
        int nr = MicroKernel.NR;
        int lanes = MicroKernel.LANES;
        int panels = Math.ceilDiv(cols, nr);
        for (int j = 0; j < panels; j++) {
            int c0 = n0 + j * nr;
            int width = Math.min(nr, n0 + cols - c0);
            int d = dstOff + j * kc * nr;
            int s = offset + k0 * ldb + c0;
            if (width == nr) {
                for (int kk = 0; kk < kc; kk++, d += nr, s += ldb) {
                    FloatVector.fromArray(MicroKernel.SPECIES, src, s).intoArray(dst, d);
                    FloatVector.fromArray(MicroKernel.SPECIES, src, s + lanes).intoArray(dst, d + lanes);
                }
            } else {
                for (int kk = 0; kk < kc; kk++, d += nr, s += ldb) {
                    System.arraycopy(src, s, dst, d, width);
                    java.util.Arrays.fill(dst, d + width, d + nr, 0f);
                }
            }
        }
    }
}
