// Transpose: output dimension i is input dimension perm[i] (default: reversed), the data moved accordingly.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ops.TransposeAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

/**
 * A strided copy ({@link StridedCopy}) of the input with its strides permuted. Merging dimensions
 * that stay neighbours reduces the common CNN permutations to one 2-D transpose per batch (NCHW
 * to NHWC is {@code [N, C, H*W] -> [N, H*W, C]}), which runs in cache-sized tiles; a
 * permutation that moves nothing is one copy.
 */
final class Transpose {

    private Transpose() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        TransposeAttrs attrs = Kernels.attrs(ctx, TransposeAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        int[] perm;
        try {
            perm = attrs.permutation(ctx.node(), xs.length);
        } catch (ModelLoadException e) {
            throw Kernels.fromImporter(e);
        }
        StridedCopy copy = plan(xs, perm);
        long[] out = new long[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = xs[perm[i]];
        }
        Kernels.requireShape(ctx, y, out, "output");
        Parallel parallel = ctx.parallel();
        // x: [d0, ..., dk], y: [d(perm[0]), ..., d(perm[k])]
        return arena -> copy.run(parallel, x.array(arena), x.offset(), arena, y.offset());
    }

    /** The strided copy that transposes an input of {@code dims} by {@code perm}. */
    static StridedCopy plan(long[] dims, int[] perm) {
        long[] out = new long[dims.length];
        long[] strides = new long[dims.length];
        int[] in = Kernels.strides(dims);
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[perm[i]];
            strides[i] = in[perm[i]];
        }
        return new StridedCopy(out, strides, 0);
    }
}
