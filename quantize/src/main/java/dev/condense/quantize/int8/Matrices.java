// Layout changes of 2-D weight tensors, for any element type, byte for byte.
package dev.condense.quantize.int8;

import dev.condense.ir.Tensor;

/** Gemm stores weights [N, K] with transB; MatMulInteger and QLinearMatMul want [K, N]. */
final class Matrices {

    private Matrices() {
    }

    /** {@code w} [rows, cols] as [cols, rows] under {@code name}, in its own element type. */
    static Tensor transpose(Tensor w, String name) {
        int rows = Math.toIntExact(w.dim(0));
        int cols = Math.toIntExact(w.dim(1));
        int size = w.dtype().byteSize();
        byte[] src = w.toByteArray();
        byte[] t = new byte[src.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                System.arraycopy(src, (r * cols + c) * size, t, (c * rows + r) * size, size);
            }
        }
        return Tensor.ofRaw(name, w.dtype(), new long[] {cols, rows}, t);
    }
}
