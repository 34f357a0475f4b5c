// The driver every elementwise unary kernel shares: one flat range of floats, split over the session's threads.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.Arrays;

/**
 * Each op keeps its own vector loop in a static method ({@link Range}): the Vector API only
 * compiles to vector instructions where the lane operations inline, so one shared loop calling a
 * per-op function for each vector would fall back to boxed lanes. Calling a per-op loop once per
 * share costs nothing.
 */
final class Elementwise {

    /** Floats per block: shares start on a block boundary, so each thread's range is aligned and whole cache lines. */
    static final int BLOCK = 1024;

    /** Blocks one thread takes at least (64K floats): below that, waking a thread costs more than it saves. */
    static final int GRAIN_BLOCKS = 64;

    /** A unary op over a range: {@code y[yo + i] = f(x[xo + i])} for {@code i < n}; {@code x} and {@code y} may be one array. */
    @FunctionalInterface
    interface Range {
        void apply(float[] x, int xo, float[] y, int yo, int n);
    }

    private Elementwise() {
    }

    /** The kernel applying {@code f} to input 0, whose shape output 0 must have. */
    static Kernel unary(KernelContext ctx, Range f) throws SessionException {
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        if (!Arrays.equals(x.shape(), y.shape())) {
            throw ctx.error("input " + x + " and output " + y + " must have one shape");
        }
        int n = y.size();
        Parallel parallel = ctx.parallel();
        // x: [any], y: [same]
        return arena -> apply(parallel, f, x.array(arena), x.offset(), arena, y.offset(), n);
    }

    /** Runs {@code f} over {@code n} floats, in shares of whole blocks when there are enough. */
    static void apply(Parallel parallel, Range f, float[] x, int xo, float[] y, int yo, int n) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        if (Kernels.runsInline(parallel, blocks, GRAIN_BLOCKS)) {
            f.apply(x, xo, y, yo, n);
            return;
        }
        parallel.forRange(blocks, GRAIN_BLOCKS, (start, end) -> {
            int from = start * BLOCK;
            int to = Math.min(n, end * BLOCK);
            f.apply(x, xo + from, y, yo + from, to - from);
        });
    }
}
