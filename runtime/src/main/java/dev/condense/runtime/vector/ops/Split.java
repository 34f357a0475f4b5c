// Split: the input cut along one axis into consecutive parts, one per output.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.SplitAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.Arrays;

/**
 * Part sizes come from the {@code split} attribute (before opset 13), a constant input 1 (from
 * 13), {@code num_outputs} (from 18: parts of ceil(d / n), the last smaller) or an even split;
 * they must agree with the output shapes the plan inferred. Each part is {@code outer} block
 * copies, the parts spread over the threads.
 */
final class Split {

    private Split() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        SplitAttrs attrs = Kernels.attrs(ctx, SplitAttrs::of);
        Operand x = ctx.input(0);
        long[] xs = x.shape();
        int axis = Kernels.axis(ctx, attrs.axis(), xs.length, "attribute 'axis'");
        int parts = ctx.outputCount();
        long[] sizes = attrs.splitFromInput() ? Kernels.constantInts(ctx, 1, "split").orElse(null)
                : attrs.split().length > 0 ? attrs.split() : null;
        long dim = xs[axis];
        if (sizes == null) {
            sizes = new long[parts];
            long each = attrs.numOutputs() > 0 ? Math.ceilDiv(dim, parts) : dim / parts;
            if (attrs.numOutputs() == 0 && dim % parts != 0) {
                throw ctx.error("axis " + axis + " of " + x + " does not split evenly into " + parts + " outputs");
            }
            for (int j = 0; j < parts; j++) {
                sizes[j] = Math.max(0, Math.min(each, dim - each * j));
            }
        }
        if (sizes.length != parts || Arrays.stream(sizes).sum() != dim) {
            throw ctx.error("split sizes " + Arrays.toString(sizes) + " must be one per output (" + parts
                    + ") and add up to " + dim + ", the size of axis " + axis + " of " + x);
        }
        Operand[] outs = new Operand[parts];
        int[] offsets = new int[parts];
        int[] blocks = new int[parts];
        int outer = Kernels.product(xs, 0, axis);
        int inner = Kernels.product(xs, axis + 1, xs.length);
        int at = 0;
        for (int j = 0; j < parts; j++) {
            outs[j] = ctx.output(j);
            long[] expected = xs.clone();
            expected[axis] = sizes[j];
            if (!ctx.node().outputs().get(j).isEmpty()) {
                Kernels.requireShape(ctx, outs[j], expected, "output " + j);
            }
            offsets[j] = at;
            blocks[j] = Math.multiplyExact((int) sizes[j], inner);
            at += blocks[j];
        }
        int row = at;
        int units = Math.multiplyExact(outer, parts);
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, (1 << 15) / Math.max(1, row / Math.max(1, parts)));
        // x: [outer, dim, inner], output j: [outer, sizes[j], inner]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            if (Kernels.runsInline(parallel, units, grain)) {
                copy(xa, xo, arena, outs, 0, units, offsets, blocks, row);
            } else {
                parallel.forRange(units, grain, (s, e) -> copy(xa, xo, arena, outs, s, e, offsets, blocks, row));
            }
        };
    }

    /** Units [from, to): unit u copies part {@code u % parts} of outer index {@code u / parts}. */
    private static void copy(float[] x, int xo, float[] arena, Operand[] outs, int from, int to, int[] offsets,
                             int[] blocks, int row) {
        int parts = outs.length;
        for (int u = from; u < to; u++) {
            int o = u / parts;
            int j = u % parts;
            if (outs[j].size() > 0) {
                System.arraycopy(x, xo + o * row + offsets[j], arena, outs[j].offset() + o * blocks[j], blocks[j]);
            }
        }
    }
}
