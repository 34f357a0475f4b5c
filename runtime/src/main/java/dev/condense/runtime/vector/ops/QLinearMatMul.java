// QLinearMatMul: matrix product of quantized a and b with int32 accumulation, requantized to y's scale and zero point.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Attribute;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;

/**
 * Inputs: a, a_scale, a_zero_point (scalars), b, b_scale, b_zero_point (scalar or one per column
 * of b), y_scale, y_zero_point. a: [.., M, K]; b: [K, N], or [.., K, N] with a's batch. For the
 * QDQ matrix products it fuses, the plan compiler adds a float or int32 bias as input 8, may leave
 * y_scale out (float output), and marks weights kept in Gemm's [N, K] layout with the attribute
 * {@value #WEIGHTS_NK}.
 */
final class QLinearMatMul {

    /** Internal attribute on fused nodes: b is [N, K] with per-row parameters. */
    static final String WEIGHTS_NK = "condense_weights_nk";

    private QLinearMatMul() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return QuantizedLinear.create(ctx, layout(ctx, 0, 3), new QuantizedLinear.Inputs(0, 1, 2, 3, 4, 5, 6, 7, 8,
                QuantizedLinear.Output.QUANTIZED));
    }

    /** The product's layout from a and b's shapes. */
    static QuantizedLinear.MatMulLayout layout(KernelContext ctx, int aInput, int bInput) throws SessionException {
        Operand a = ctx.input(aInput);
        Operand b = ctx.input(bInput);
        boolean nk = ctx.node().attribute(WEIGHTS_NK).map(v -> v instanceof Attribute.IntValue(long x) && x == 1)
                .orElse(false);
        if (a.rank() < 2 || b.rank() < 2) {
            throw ctx.error("a " + a + " and b " + b + " must be matrices or stacks of them");
        }
        int k = Math.toIntExact(a.dim(a.rank() - 1));
        int m = Math.toIntExact(a.dim(a.rank() - 2));
        int bk = Math.toIntExact(nk ? b.dim(b.rank() - 1) : b.dim(b.rank() - 2));
        int n = Math.toIntExact(nk ? b.dim(b.rank() - 2) : b.dim(b.rank() - 1));
        int batch = Kernels.product(a.shape(), 0, a.rank() - 2);
        int bBatch = Kernels.product(b.shape(), 0, b.rank() - 2);
        if (bk != k || (bBatch != 1 && bBatch != batch)) {
            throw ctx.error("a " + a + " and b " + b + " do not multiply: K " + k + " against " + bk
                    + ", batches " + batch + " and " + bBatch);
        }
        return new QuantizedLinear.MatMulLayout(batch, m, k, n, nk, bBatch != 1);
    }
}
