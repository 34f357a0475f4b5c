// MatMulInteger: matrix product of uint8/int8 a and b, minus their zero points, into exact int32 sums.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Inputs: a, b, optional a_zero_point (scalar), optional b_zero_point (scalar or one per column of b). */
final class MatMulInteger {

    private MatMulInteger() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return QuantizedLinear.create(ctx, QLinearMatMul.layout(ctx, 0, 1),
                new QuantizedLinear.Inputs(0, -1, 2, 1, -1, 3, -1, -1, -1, QuantizedLinear.Output.INTEGER));
    }
}
