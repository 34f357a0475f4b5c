// Pad: constant, reflect, edge or wrap padding (negative pads crop), pads from the attribute or a constant input.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.PadAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.Arrays;
import java.util.Locale;

/**
 * At build time each axis gets a table from output index to input index (-1 where the constant
 * goes), which is where the modes differ: reflect mirrors without repeating the edge, edge
 * repeats it, wrap continues from the other side. At run time an output row whose outer indices
 * hit the constant is filled; any other row is its inner table applied, the stretch that maps
 * one to one copied in one piece. Before opset 11 pads and value are attributes; from 11 pads
 * are a constant input 1 and the value an optional input 2, constant or fed at run time; from
 * 18 input 3 names the axes the pads are for.
 */
final class Pad {

    /** Output floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private Pad() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        PadAttrs attrs = Kernels.attrs(ctx, PadAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        int rank = xs.length;
        if (rank == 0) {
            throw ctx.error("input " + x + " is a scalar; there is no axis to pad");
        }
        long[] given = attrs.padsFromInput()
                ? Kernels.constantInts(ctx, 1, "pads").orElseThrow(() -> ctx.error("needs pads (input 1)"))
                : attrs.pads();
        long[] axes = Kernels.constantInts(ctx, 3, "axes").orElse(null);
        if (axes == null) {
            axes = new long[rank];
            Arrays.setAll(axes, i -> i);
        }
        if (given.length != 2 * axes.length) {
            throw ctx.error("pads " + Arrays.toString(given) + " must hold a begin and an end for each of "
                    + axes.length + " axes");
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < axes.length; i++) {
            int a = Kernels.axis(ctx, axes[i], rank, "axes[" + i + "]");
            begin[a] = given[i];
            end[a] = given[i + axes.length];
        }
        long[] out = new long[rank];
        int[][] maps = new int[rank][];
        for (int d = 0; d < rank; d++) {
            out[d] = xs[d] + begin[d] + end[d];
            if (out[d] < 0) {
                throw ctx.error("pads " + Arrays.toString(given) + " crop axis " + d + " of " + x + " below zero");
            }
            if (xs[d] == 0 && out[d] > 0 && attrs.mode() != PadAttrs.Mode.CONSTANT) {
                throw ctx.error(attrs.mode().name().toLowerCase(Locale.ROOT) + " padding of " + x
                        + " needs data along axis " + d + ", which is empty");
            }
            maps[d] = map(attrs.mode(), (int) xs[d], (int) out[d], (int) begin[d]);
        }
        Kernels.requireShape(ctx, y, out, "output");
        Operand valueInput = attrs.padsFromInput() && ctx.hasInput(2) ? Kernels.requireScalar(ctx, 2, "value") : null;
        float attrValue = attrs.value();
        int[] strides = Kernels.strides(xs);
        int n = y.size();
        if (n == 0) {
            return Reshape.NOTHING;
        }
        int row = (int) out[rank - 1];
        int rows = n / row;
        int[] inner = maps[rank - 1];
        // The stretch of the last axis that is a one-to-one copy: [copyLo, copyHi).
        int copyLo = (int) Math.clamp(begin[rank - 1], 0, out[rank - 1]);
        int copyHi = (int) Math.min(out[rank - 1], begin[rank - 1] + xs[rank - 1]);
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / row);
        // x: [d0, ..., dk], y: [d0 + b0 + e0, ..., dk + bk + ek]
        return arena -> {
            float value = valueInput == null ? attrValue : Kernels.scalar(valueInput, arena);
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, rows, grain)) {
                rows(xa, xo, arena, yo, 0, rows, out, maps, strides, inner, copyLo, copyHi, value);
            } else {
                parallel.forRange(rows, grain, (s, e) -> rows(xa, xo, arena, yo, s, e, out, maps, strides, inner,
                        copyLo, copyHi, value));
            }
        };
    }

    /** For each output index along an axis, the input index it reads, or -1 for the constant. */
    static int[] map(PadAttrs.Mode mode, int size, int outSize, int begin) {
        int[] m = new int[outSize];
        for (int o = 0; o < outSize; o++) {
            int i = o - begin;
            if (i >= 0 && i < size) {
                m[o] = i;
                continue;
            }
            m[o] = switch (mode) {
                case CONSTANT -> -1;
                case EDGE -> Math.clamp(i, 0, size - 1);
                case WRAP -> Math.floorMod(i, size);
                case REFLECT -> reflect(i, size);
            };
        }
        return m;
    }

    /** Index {@code i} mirrored into [0, size) about the edges, the edges not repeated (NumPy's reflect). */
    private static int reflect(int i, int size) {
        if (size == 1) {
            return 0;
        }
        int period = 2 * (size - 1);
        int r = Math.floorMod(i, period);
        return r < size ? r : period - r;
    }

    private static void rows(float[] x, int xo, float[] y, int yo, int from, int to, long[] out, int[][] maps,
                             int[] strides, int[] inner, int copyLo, int copyHi, float value) {
        int rank = out.length;
        int row = inner.length;
        for (int r = from; r < to; r++) {
            int dst = yo + r * row;
            int src = xo;
            boolean constant = false;
            int rest = r;
            for (int d = rank - 2; d >= 0; d--) {
                int i = maps[d][(int) (rest % out[d])];
                rest /= (int) out[d];
                if (i < 0) {
                    constant = true;
                    break;
                }
                src += i * strides[d];
            }
            if (constant) {
                Arrays.fill(y, dst, dst + row, value);
                continue;
            }
            for (int o = 0; o < copyLo; o++) {
                y[dst + o] = inner[o] < 0 ? value : x[src + inner[o]];
            }
            if (copyHi > copyLo) {
                System.arraycopy(x, src + inner[copyLo], y, dst + copyLo, copyHi - copyLo);
            }
            for (int o = Math.max(copyLo, copyHi); o < row; o++) {
                y[dst + o] = inner[o] < 0 ? value : x[src + inner[o]];
            }
        }
    }

    /** The reference: every output element from its full index, the mode applied per axis. */
    static float[] reference(float[] x, long[] xs, long[] begin, long[] end, PadAttrs.Mode mode, float value) {
        int rank = xs.length;
        long[] out = new long[rank];
        for (int d = 0; d < rank; d++) {
            out[d] = xs[d] + begin[d] + end[d];
        }
        int n = Kernels.product(out, 0, rank);
        float[] y = new float[n];
        int[] strides = Kernels.strides(xs);
        for (int e = 0; e < n; e++) {
            int rest = e;
            int src = 0;
            boolean constant = false;
            for (int d = rank - 1; d >= 0; d--) {
                int i = (int) (rest % out[d] - begin[d]);
                rest /= (int) out[d];
                if (i < 0 || i >= xs[d]) {
                    switch (mode) {
                        case CONSTANT -> constant = true;
                        case EDGE -> i = i < 0 ? 0 : (int) xs[d] - 1;
                        case WRAP -> i = (int) Math.floorMod(i, xs[d]);
                        case REFLECT -> {
                            while (i < 0 || i >= xs[d]) {
                                i = i < 0 ? -i : 2 * ((int) xs[d] - 1) - i;
                                if (xs[d] == 1) {
                                    i = 0;
                                }
                            }
                        }
                    }
                }
                src += i * strides[d];
            }
            y[e] = constant ? value : x[src];
        }
        return y;
    }
}
