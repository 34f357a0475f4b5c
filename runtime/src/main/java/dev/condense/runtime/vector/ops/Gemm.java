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
        if (!b.isConstant()) {
            throw ctx.error("B must be a constant (the weights) for the vector engine");
        }
        int m = Math.toIntExact(y.dim(0));
        int n = Math.toIntExact(y.dim(1));
        int k = Math.toIntExact(attrs.transA() ? a.dim(0) : a.dim(1));
        float[] w = weightsNK(b.constant(), k, n, attrs.transB(), attrs.alpha());
        float[] bias = null;
        if (ctx.hasInput(2)) {
            Operand c = ctx.input(2);
            if (!c.isConstant()) {
                throw ctx.error("C must be a constant for the vector engine");
            }
            bias = expandBias(ctx, c, m, n, attrs.beta());
        }
        Operand scratch = attrs.transA() ? ctx.scratch("transposedA", (long) m * k) : null;
        return create(ctx.parallel(), a, attrs.transA(), scratch, m, k, w, n, y, bias, ctx.activation());
    }

    /** The shared run: Y[M, N] = act(X[M, K] . W[N, K] + bias), split over N. Also used by MatMul. */
    static Kernel create(Parallel parallel, Operand a, boolean transA, Operand scratch, int m, int k, float[] w, int n,
                         Operand y, float[] bias, Activation act) {
        // Each share should stream at least ~64 KB of weights so thread hand-off stays negligible.
        int grain = Math.max(4, 16384 / Math.max(1, k));
        return arena -> {
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
            parallel.forRange(n, grain, (n0, n1) -> RowDot.multiply(x, xo, m, k, w, n0, n1, n, ya, yo, bias, act));
        };
    }

    /** B as {@code [N, K]} times alpha. */
    static float[] weightsNK(float[] b, int k, int n, boolean transposed, float alpha) {
        float[] w = new float[Math.multiplyExact(k, n)];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < k; p++) {
                w[j * k + p] = alpha * (transposed ? b[j * k + p] : b[p * n + j]);
            }
        }
        return w;
    }

    /** {@code beta * C} broadcast to {@code [M, N]}. */
    private static float[] expandBias(KernelContext ctx, Operand c, int m, int n, float beta) throws SessionException {
        long[] s = c.shape();
        long rows = s.length == 2 ? s[0] : 1;
        long cols = s.length == 0 ? 1 : s[s.length - 1];
        if (s.length > 2 || (rows != 1 && rows != m) || (cols != 1 && cols != n)) {
            throw ctx.error("C " + c + " does not broadcast to [" + m + ", " + n + "]");
        }
        float[] v = c.constant();
        float[] bias = new float[Math.multiplyExact(m, n)];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                bias[i * n + j] = beta * v[(int) ((rows == 1 ? 0 : i) * cols + (cols == 1 ? 0 : j))];
            }
        }
        return bias;
    }
}
