// Slice: a box of the input with a step per axis (negative steps walk backwards), bounds clamped as ONNX specifies.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.SliceAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.Arrays;

/**
 * Starts, ends, axes and steps are attributes before opset 10 and constant inputs after (they
 * fix the output shape, so the plan needs them). The slice is a {@link StridedCopy}: base offset
 * from the starts, strides multiplied by the steps.
 */
final class Slice {

    private Slice() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        SliceAttrs attrs = Kernels.attrs(ctx, SliceAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        int rank = xs.length;
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (attrs.fromInputs()) {
            starts = Kernels.constantInts(ctx, 1, "starts").orElseThrow(() -> ctx.error("needs starts (input 1)"));
            ends = Kernels.constantInts(ctx, 2, "ends").orElseThrow(() -> ctx.error("needs ends (input 2)"));
            axes = Kernels.constantInts(ctx, 3, "axes").orElse(null);
            steps = Kernels.constantInts(ctx, 4, "steps").orElse(null);
        } else {
            starts = attrs.starts();
            ends = attrs.ends();
            axes = attrs.axes().length == 0 ? null : attrs.axes();
            steps = null;
        }
        if (axes == null) {
            axes = new long[starts.length];
            Arrays.setAll(axes, i -> i);
        }
        if (steps == null) {
            steps = new long[starts.length];
            Arrays.fill(steps, 1);
        }
        if (ends.length != starts.length || axes.length != starts.length || steps.length != starts.length) {
            throw ctx.error("starts " + Arrays.toString(starts) + ", ends " + Arrays.toString(ends) + ", axes "
                    + Arrays.toString(axes) + " and steps " + Arrays.toString(steps) + " must have one length");
        }
        long[] first = new long[rank];
        long[] step = new long[rank];
        long[] out = xs.clone();
        Arrays.fill(step, 1);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < starts.length; i++) {
            int a = Kernels.axis(ctx, axes[i], rank, "axes[" + i + "]");
            if (seen[a]) {
                throw ctx.error("axes " + Arrays.toString(axes) + " name axis " + a + " twice");
            }
            seen[a] = true;
            if (steps[i] == 0) {
                throw ctx.error("steps " + Arrays.toString(steps) + " hold 0 for axis " + a);
            }
            long[] range = range(starts[i], ends[i], steps[i], xs[a]);
            first[a] = range[0];
            out[a] = range[1];
            step[a] = steps[i];
        }
        Kernels.requireShape(ctx, y, out, "output");
        int[] in = Kernels.strides(xs);
        long base = 0;
        long[] strides = new long[rank];
        for (int d = 0; d < rank; d++) {
            base += first[d] * in[d];
            strides[d] = step[d] * in[d];
        }
        StridedCopy copy = new StridedCopy(out, strides, base);
        Parallel parallel = ctx.parallel();
        // x: [d0, ..., dk], y: [len0, ..., lenk]
        return arena -> copy.run(parallel, x.array(arena), x.offset(), arena, y.offset());
    }

    /**
     * The first index and the count of one axis of size {@code dim}: negative bounds count from
     * the end, then starts clamp to [0, dim] ([0, dim - 1] stepping back) and ends to [0, dim]
     * ([-1, dim - 1] stepping back).
     */
    static long[] range(long start, long end, long step, long dim) {
        long s = start < 0 ? Math.max(start, -dim) + dim : start;
        long e = end < 0 ? Math.max(end, -dim - 1) + dim : end;
        long count;
        if (step > 0) {
            s = Math.min(s, dim);
            e = Math.min(e, dim);
            count = e > s ? Math.ceilDiv(e - s, step) : 0;
        } else {
            s = Math.min(s, dim - 1);
            e = Math.min(e, dim - 1);
            count = s > e ? Math.ceilDiv(s - e, step == Long.MIN_VALUE ? Long.MAX_VALUE : -step) : 0;
        }
        return new long[] {count == 0 ? 0 : s, count};
    }
}
