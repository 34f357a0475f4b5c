// Fills an output from an input walked with per-dimension strides: the engine of Slice and of the general Transpose.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Parallel;

import java.util.ArrayList;
import java.util.List;

/**
 * Output element {@code (i0, ..., ik)} is input element {@code base + sum(i_d * stride_d)};
 * strides may be zero or negative (a reversed slice). Dimensions of size 1 are dropped and
 * neighbours that are contiguous with each other in the input merged, so a slice of whole rows
 * is a few long copies and a transpose that keeps trailing dimensions together moves blocks.
 * When the last two dimensions are a 2-D transpose (the input is contiguous along the second
 * last), the copy goes in square tiles so that both sides stay in cache.
 */
final class StridedCopy {

    /** Side of a transpose tile, in floats: 32 x 32 floats is 4 KiB, two tiles fit in L1. */
    static final int TILE = 32;

    /** Output floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private final int[] dims;
    private final int[] strides;
    private final int base;
    private final int rank;
    /** Floats per output row (the last dimension), rows = size / row. */
    private final int row;
    private final int rows;
    private final boolean tiled;

    StridedCopy(long[] outDims, long[] inStrides, long base) {
        List<int[]> kept = new ArrayList<>();
        for (int d = 0; d < outDims.length; d++) {
            if (outDims[d] == 1) {
                continue;
            }
            int size = Math.toIntExact(outDims[d]);
            int stride = Math.toIntExact(inStrides[d]);
            if (!kept.isEmpty()) {
                int[] prev = kept.getLast();
                if ((long) prev[1] == (long) stride * size) {
                    prev[0] = Math.multiplyExact(prev[0], size);
                    prev[1] = stride;
                    continue;
                }
            }
            kept.add(new int[] {size, stride});
        }
        if (kept.isEmpty() || outDims.length == 0) {
            kept.clear();
            kept.add(new int[] {1, 1});
        }
        for (long d : outDims) {
            if (d == 0) {
                kept.clear();
                kept.add(new int[] {0, 1});
                break;
            }
        }
        this.rank = kept.size();
        this.dims = new int[rank];
        this.strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            dims[d] = kept.get(d)[0];
            strides[d] = kept.get(d)[1];
        }
        this.base = Math.toIntExact(base);
        this.row = dims[rank - 1];
        int r = 1;
        for (int d = 0; d < rank - 1; d++) {
            r = Math.multiplyExact(r, dims[d]);
        }
        this.rows = row == 0 ? 0 : r;
        this.tiled = rank >= 2 && strides[rank - 2] == 1 && strides[rank - 1] != 1 && dims[rank - 2] >= TILE / 4
                && row >= TILE / 4;
    }

    /** A plain copy of {@code n} floats, as a StridedCopy (Transpose with a permutation that moves no data). */
    static StridedCopy contiguous(long n) {
        return new StridedCopy(new long[] {n}, new long[] {1}, 0);
    }

    void run(Parallel parallel, float[] x, int xo, float[] y, int yo) {
        if (rows == 0) {
            return;
        }
        if (tiled) {
            // Units are (batch, band of TILE output rows); a band reads TILE input columns.
            int bands = (dims[rank - 2] + TILE - 1) / TILE;
            int batches = rows / dims[rank - 2];
            int units = batches * bands;
            int grain = Math.max(1, GRAIN / (TILE * row));
            if (Kernels.runsInline(parallel, units, grain)) {
                bands(x, xo, y, yo, 0, units, bands);
            } else {
                parallel.forRange(units, grain, (s, e) -> bands(x, xo, y, yo, s, e, bands));
            }
            return;
        }
        int grain = Math.max(1, GRAIN / row);
        if (Kernels.runsInline(parallel, rows, grain)) {
            rows(x, xo, y, yo, 0, rows);
        } else {
            parallel.forRange(rows, grain, (s, e) -> rows(x, xo, y, yo, s, e));
        }
    }

    /** The input offset of output row {@code r} (an index over every dimension but the last). */
    private int rowOffset(int r, int lastOuter) {
        int off = base;
        int rest = r;
        for (int d = lastOuter; d >= 0; d--) {
            off += (rest % dims[d]) * strides[d];
            rest /= dims[d];
        }
        return off;
    }

    private void rows(float[] x, int xo, float[] y, int yo, int from, int to) {
        int inner = strides[rank - 1];
        for (int r = from; r < to; r++) {
            int src = xo + rowOffset(r, rank - 2);
            int dst = yo + r * row;
            if (inner == 1) {
                System.arraycopy(x, src, y, dst, row);
            } else {
                for (int i = 0; i < row; i++) {
                    y[dst + i] = x[src + i * inner];
                }
            }
        }
    }

    private void bands(float[] x, int xo, float[] y, int yo, int from, int to, int bands) {
        int height = dims[rank - 2];
        int inner = strides[rank - 1];
        for (int u = from; u < to; u++) {
            int batch = u / bands;
            int a0 = (u % bands) * TILE;
            int a1 = Math.min(height, a0 + TILE);
            int src = xo + rowOffset(batch, rank - 3);
            int dst = yo + batch * height * row;
            for (int b0 = 0; b0 < row; b0 += TILE) {
                int b1 = Math.min(row, b0 + TILE);
                for (int a = a0; a < a1; a++) {
                    int s = src + a;
                    int t = dst + a * row;
                    for (int b = b0; b < b1; b++) {
                        y[t + b] = x[s + b * inner];
                    }
                }
            }
        }
    }

    /** The reference: every output element's input offset from its full index, no merging or tiling. */
    static float[] reference(float[] x, long[] outDims, long[] inStrides, long base) {
        int n = Kernels.product(outDims, 0, outDims.length);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            long off = base;
            int rest = i;
            for (int d = outDims.length - 1; d >= 0; d--) {
                off += (rest % outDims[d]) * inStrides[d];
                rest /= (int) outDims[d];
            }
            y[i] = x[(int) off];
        }
        return y;
    }
}
