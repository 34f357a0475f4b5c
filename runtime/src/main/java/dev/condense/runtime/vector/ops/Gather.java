// Gather with constant indices: slices of the data along one axis, picked and ordered by the index tensor.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.GatherAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

/**
 * The indices must be constant once the input shapes are fixed (index tensors are baked into the
 * plan; a data-dependent gather is not a CNN op). Negative indices count from the end; one out
 * of range is an error when the kernel is built. The output {@code data[:axis] + indices.shape +
 * data[axis+1:]} is a copy of one contiguous block of {@code inner} floats per (outer, index).
 */
final class Gather {

    /** Output floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private Gather() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        GatherAttrs attrs = Kernels.attrs(ctx, GatherAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        int axis = Kernels.axis(ctx, attrs.axis(), xs.length, "attribute 'axis'");
        long[] raw = Kernels.constantInts(ctx, 1, "indices").orElseThrow(() -> ctx.error("needs indices (input 1)"));
        long[] indexShape = ctx.input(1).shape();
        long dim = xs[axis];
        int[] indices = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            long v = raw[i] < 0 ? raw[i] + dim : raw[i];
            if (v < 0 || v >= dim) {
                throw ctx.error("index " + raw[i] + " is out of range for axis " + axis + " of size " + dim);
            }
            indices[i] = (int) v;
        }
        long[] out = new long[xs.length - 1 + indexShape.length];
        System.arraycopy(xs, 0, out, 0, axis);
        System.arraycopy(indexShape, 0, out, axis, indexShape.length);
        System.arraycopy(xs, axis + 1, out, axis + indexShape.length, xs.length - axis - 1);
        Kernels.requireShape(ctx, y, out, "output");
        int outer = Kernels.product(xs, 0, axis);
        int inner = Kernels.product(xs, axis + 1, xs.length);
        int count = indices.length;
        int units = Math.multiplyExact(outer, count);
        int size = (int) dim;
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / Math.max(1, inner));
        // x: [outer, dim, inner], y: [outer, count, inner]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, units, grain)) {
                copy(xa, xo, arena, yo, 0, units, indices, size, inner);
            } else {
                parallel.forRange(units, grain, (s, e) -> copy(xa, xo, arena, yo, s, e, indices, size, inner));
            }
        };
    }

    private static void copy(float[] x, int xo, float[] y, int yo, int from, int to, int[] indices, int dim,
                             int inner) {
        int count = indices.length;
        for (int u = from; u < to; u++) {
            int o = u / count;
            int j = u % count;
            System.arraycopy(x, xo + (o * dim + indices[j]) * inner, y, yo + u * inner, inner);
        }
    }

    /** The reference: element by element, indices normalized on the fly. */
    static float[] reference(float[] x, long[] xs, int axis, long[] indices) {
        int outer = Kernels.product(xs, 0, axis);
        int inner = Kernels.product(xs, axis + 1, xs.length);
        int dim = (int) xs[axis];
        float[] y = new float[outer * indices.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < indices.length; j++) {
                int index = (int) (indices[j] < 0 ? indices[j] + dim : indices[j]);
                for (int i = 0; i < inner; i++) {
                    y[(o * indices.length + j) * inner + i] = x[(o * dim + index) * inner + i];
                }
            }
        }
        return y;
    }
}
