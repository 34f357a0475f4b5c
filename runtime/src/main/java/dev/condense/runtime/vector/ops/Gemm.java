// Gemm: Y = alpha * A' B' + beta * C, with B (the weights) constant, as exported for fully connected layers.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ops.GemmAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import dev.condense.runtime.vector.gemm.RowDot;

/**
 * Build time puts B in {@code [N, K]} layout (transposing when {@code transB = 0}), scales it by
 * alpha, and expands {@code beta * C} to a full {@code [M, N]} bias, so the run is one
 * {@link RowDot} pass split over output features. {@code transA} inputs are transposed into
 * scratch first.
 */
final class Gemm {

    private Gemm() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        GemmAttrs attrs;
        try {
            attrs = GemmAttrs.of(ctx.node(), ctx.opset());
        } catch (ModelLoadException e) {
            throw ctx.error(e.getMessage());
        }
        Operand a = ctx.input(0);
        Operand b = ctx.input(1);
        Operand y = ctx.output(0);
        Operand c = ctx.hasInput(2) ? ctx.input(2) : null;
        if (a.rank() != 2 || b.rank() != 2) {
            throw ctx.error("A and B must be matrices, got " + a + " and " + b);
        }
        int m = Math.toIntExact(y.dim(0));
        int n = Math.toIntExact(y.dim(1));
        int k = Math.toIntExact(attrs.transA() ? a.dim(0) : a.dim(1));
        if (c != null) {
            checkBias(ctx, c, m, n);
        }
        Operand scratch = attrs.transA() ? ctx.scratch("transposedA", (long) m * k) : null;
        if (b.isConstant() && (c == null || c.isConstant())) {
            float[] w = weightsNK(b.constant(), 0, k, n, attrs.transB(), attrs.alpha());
            float[] bias = c == null ? null : expandBias(c.constant(), 0, c.shape(), m, n, attrs.beta());
            return create(ctx.parallel(), a, attrs.transA(), scratch, m, k, w, n, y, bias, ctx.activation());
        }
        // B or C fed at run time (ONNX's node tests do): prepared into scratch on every run.
        Operand wRun = ctx.scratch("weights", (long) n * k);
        Operand biasRun = c == null ? null : ctx.scratch("bias", (long) m * n);
        Parallel parallel = ctx.parallel();
        Activation act = ctx.activation();
        return arena -> {
            weightsNK(b.array(arena), b.offset(), k, n, attrs.transB(), attrs.alpha(), arena, wRun.offset());
            if (c != null) {
                expandBias(c.array(arena), c.offset(), c.shape(), m, n, attrs.beta(), arena, biasRun.offset());
            }
            run(parallel, a, attrs.transA(), scratch, m, k, arena, wRun.offset(), n, y,
                    c == null ? null : arena, c == null ? 0 : biasRun.offset(), act, arena);
        };
    }

    /** The shared run: Y[M, N] = act(X[M, K] . W[N, K] + bias), split over N. Also used by MatMul. */
    static Kernel create(Parallel parallel, Operand a, boolean transA, Operand scratch, int m, int k, float[] w, int n,
                         Operand y, float[] bias, Activation act) {
        return arena -> run(parallel, a, transA, scratch, m, k, w, 0, n, y, bias, 0, act, arena);
    }

    private static void run(Parallel parallel, Operand a, boolean transA, Operand scratch, int m, int k, float[] w,
                            int wOff, int n, Operand y, float[] bias, int biasOff, Activation act, float[] arena) {
        // Each share should stream at least ~64 KB of weights so thread hand-off stays negligible.
        int grain = Math.max(4, 16384 / Math.max(1, k));
        float[] xa = a.array(arena);
        int xOff = a.offset();
        if (transA) {
            float[] sa = scratch.array(arena);
            int so = scratch.offset();
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < m; i++) {
                    sa[so + i * k + p] = xa[xOff + p * m + i];
                }
            }
            xa = sa;
            xOff = so;
        }
        float[] x = xa;
        int xo = xOff;
        float[] ya = y.array(arena);
        int yo = y.offset();
        parallel.forRange(n, grain, (n0, n1) -> RowDot.multiply(x, xo, m, k, w, wOff, n0, n1, n, ya, yo, bias, biasOff,
                act));
    }

    private static void checkBias(KernelContext ctx, Operand c, int m, int n) throws SessionException {
        long[] s = c.shape();
        long rows = s.length == 2 ? s[0] : 1;
        long cols = s.length == 0 ? 1 : s[s.length - 1];
        if (s.length > 2 || (rows != 1 && rows != m) || (cols != 1 && cols != n)) {
            throw ctx.error("C " + c + " does not broadcast to [" + m + ", " + n + "]");
        }
    }

    /** B as {@code [N, K]} times alpha, in a new array. */
    static float[] weightsNK(float[] b, int bOff, int k, int n, boolean transposed, float alpha) {
        float[] w = new float[Math.multiplyExact(k, n)];
        weightsNK(b, bOff, k, n, transposed, alpha, w, 0);
        return w;
    }

    /** B as {@code [N, K]} times alpha, written to {@code w} from {@code wOff}. */
    static void weightsNK(float[] b, int bOff, int k, int n, boolean transposed, float alpha, float[] w, int wOff) {
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                w[wOff + j * k + p] = alpha * (transposed ? b[bOff + j * k + p] : b[bOff + p * n + j]);
            }
        }
    }

    /** {@code beta * C} broadcast to {@code [M, N]}, in a new array. */
    private static float[] expandBias(float[] c, int cOff, long[] shape, int m, int n, float beta) {
        float[] bias = new float[Math.multiplyExact(m, n)];
        expandBias(c, cOff, shape, m, n, beta, bias, 0);
        return bias;
    }

    private static void expandBias(float[] c, int cOff, long[] shape, int m, int n, float beta, float[] dst, int dOff) {
        long rows = shape.length == 2 ? shape[0] : 1;
        long cols = shape.length == 0 ? 1 : shape[shape.length - 1];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                dst[dOff + i * n + j] = beta * c[cOff + (int) ((rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j))];
            }
        }
    }
}
