// Concat: inputs joined along one axis; every other dimension must agree.
package dev.condense.runtime.vector.ops;

import dev.condense.ops.ConcatAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

/**
 * Seen as {@code [outer, d_k * inner]} per input, the output row of every outer index is the
 * inputs' rows one after another, so the kernel is block copies. The copies are cut into chunks
 * of at most {@link #CHUNK} floats and the chunks spread over the threads, which also keeps the
 * frequent {@code N = 1} channel concatenation (DenseNet, Inception, SqueezeNet's fire modules),
 * where outer is 1, parallel.
 */
final class Concat {

    /** Floats per copy unit. */
    static final int CHUNK = 1 << 14;

    /** Chunks one thread takes at least. */
    private static final int GRAIN = 4;

    private Concat() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        ConcatAttrs attrs = Kernels.attrs(ctx, ConcatAttrs::of);
        int count = ctx.inputCount();
        if (count < 1) {
            throw ctx.error("needs at least one input");
        }
        Operand[] in = new Operand[count];
        long[] first = ctx.input(0).shape();
        int rank = first.length;
        int axis = Kernels.axis(ctx, attrs.axis(), rank, "attribute 'axis'");
        long[] out = first.clone();
        out[axis] = 0;
        for (int k = 0; k < count; k++) {
            in[k] = ctx.input(k);
            long[] s = in[k].shape();
            boolean agrees = s.length == rank;
            for (int d = 0; agrees && d < rank; d++) {
                agrees = d == axis || s[d] == first[d];
            }
            if (!agrees) {
                throw ctx.error("input " + k + " " + in[k] + " does not match input 0 " + ctx.input(0)
                        + " outside axis " + axis);
            }
            out[axis] += s[axis];
        }
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, out, "output");
        int outer = Kernels.product(out, 0, axis);
        int inner = Kernels.product(out, axis + 1, rank);
        int[] block = new int[count];
        int[] at = new int[count];
        int[] chunkStart = new int[count + 1];
        int row = 0;
        for (int k = 0; k < count; k++) {
            block[k] = Math.multiplyExact(Math.toIntExact(in[k].dim(axis)), inner);
            at[k] = row;
            row += block[k];
            chunkStart[k + 1] = chunkStart[k] + (block[k] + CHUNK - 1) / CHUNK;
        }
        int chunksPerOuter = chunkStart[count];
        int units = Math.multiplyExact(outer, chunksPerOuter);
        int outRow = row;
        Parallel parallel = ctx.parallel();
        // inputs: [d0, ..., d_k(axis), ..., dn], y: [d0, ..., sum d_k(axis), ..., dn]
        return arena -> {
            if (Kernels.runsInline(parallel, units, GRAIN)) {
                copy(in, arena, y.offset(), 0, units, chunksPerOuter, chunkStart, block, at, outRow);
            } else {
                parallel.forRange(units, GRAIN, (s, e) -> copy(in, arena, y.offset(), s, e, chunksPerOuter,
                        chunkStart, block, at, outRow));
            }
        };
    }

    /** Copy units [from, to): unit u is chunk {@code u % chunksPerOuter} of outer index {@code u / chunksPerOuter}. */
    private static void copy(Operand[] in, float[] arena, int yo, int from, int to, int chunksPerOuter,
                             int[] chunkStart, int[] block, int[] at, int outRow) {
        int k = 0;
        for (int u = from; u < to; u++) {
            int o = u / chunksPerOuter;
            int c = u % chunksPerOuter;
            if (c == 0 || c < chunkStart[k] || c >= chunkStart[k + 1]) {
                k = 0;
                while (c >= chunkStart[k + 1]) {
                    k++;
                }
            }
            int offset = (c - chunkStart[k]) * CHUNK;
            int n = Math.min(CHUNK, block[k] - offset);
            Operand src = in[k];
            System.arraycopy(src.array(arena), src.offset() + o * block[k] + offset, arena,
                    yo + o * outRow + at[k] + offset, n);
        }
    }

    /** The reference: each output element's input found from its full index. */
    static float[] reference(float[][] inputs, long[][] shapes, int axis) {
        long[] out = shapes[0].clone();
        out[axis] = 0;
        for (long[] s : shapes) {
            out[axis] += s[axis];
        }
        int n = Kernels.product(out, 0, out.length);
        float[] y = new float[n];
        int inner = Kernels.product(out, axis + 1, out.length);
        for (int i = 0; i < n; i++) {
            int outerIndex = i / (int) (out[axis] * inner);
            int along = (int) (i / inner % out[axis]);
            int within = i % inner;
            int k = 0;
            while (along >= shapes[k][axis]) {
                along -= (int) shapes[k][axis];
                k++;
            }
            y[i] = inputs[k][(int) ((outerIndex * shapes[k][axis] + along) * inner + within)];
        }
        return y;
    }
}
