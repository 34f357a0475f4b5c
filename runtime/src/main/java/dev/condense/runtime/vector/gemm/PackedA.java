// The constant left matrix of a GEMM (weights), packed once into row panels the micro-kernel streams.
package dev.condense.runtime.vector.gemm;

/**
 * {@code A: [M, K]} row-major is stored as ceil(M / MR) panels; panel {@code p} holds rows
 * {@code p*MR .. p*MR+MR-1} interleaved by k ({@code data[p*MR*K + k*MR + r] = A[p*MR + r][k]}),
 * rows past M zero. The micro-kernel then reads MR weights of one k with one cache line walk,
 * and a K-block {@code [k0, k0+kc)} of a panel is the contiguous run starting at
 * {@code p*MR*K + k0*MR}.
 */
public record PackedA(float[] data, int base, int m, int k) {

    /** Rows per panel: with two vectors of columns, 6 x 2 accumulators fill 12 of the 16 AVX2 registers. */
    public static final int MR = 6;

    /** Packs {@code rows x cols} values read as {@code src[offset + r*rowStride + c]} into a new array. */
    public static PackedA pack(float[] src, int offset, int rows, int cols, int rowStride) {
        float[] data = new float[size(rows, cols)];
        packInto(src, offset, rows, cols, rowStride, data, 0);
        return new PackedA(data, 0, rows, cols);
    }

    /** Floats a packed {@code rows x cols} matrix occupies. */
    public static int size(int rows, int cols) {
        return Math.multiplyExact(Math.multiplyExact(Math.ceilDiv(rows, MR), MR), cols);
    }

    /**
     * Packs into {@code dst} from {@code dstBase} (weights that arrive at run time, packed into
     * the arena on every run); padding rows are written as zeros.
     */
    public static void packInto(float[] src, int offset, int rows, int cols, int rowStride, float[] dst, int dstBase) {
        int panels = Math.ceilDiv(rows, MR);
        for (int p = 0; p < panels; p++) {
            int base = dstBase + p * MR * cols;
            if (p * MR + MR > rows) {
                java.util.Arrays.fill(dst, base, base + MR * cols, 0f);
            }
            for (int r = 0; r < MR; r++) {
                int row = p * MR + r;
                if (row >= rows) {
                    break;
                }
                int s = offset + row * rowStride;
                for (int c = 0; c < cols; c++) {
                    dst[base + c * MR + r] = src[s + c];
                }
            }
        }
    }

    public int panels() {
        return Math.ceilDiv(m, MR);
    }

    /** Start of panel {@code p}'s K-block beginning at {@code k0}. */
    public int offset(int p, int k0) {
        return base + p * MR * k + k0 * MR;
    }
}
