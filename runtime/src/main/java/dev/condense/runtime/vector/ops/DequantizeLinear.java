// DequantizeLinear: y = (x - x_zero_point) * x_scale, per tensor or per axis, from uint8, int8 or int32.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.DataType;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;

/**
 * Opset 10 takes scalar scales, 13 per-axis ones. int32 data (a quantized bias) has zero point 0.
 * In a QDQ model the plan compiler folds the DequantizeLinear nodes in front of a convolution or
 * matrix product into the int8 kernel; this kernel runs the ones that remain.
 */
final class DequantizeLinear {

    private DequantizeLinear() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        QuantizeLinear.Attrs attrs = QuantizeLinear.Attrs.of(ctx);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        DataType type = QuantParams.requireQuantized(ctx, 0, "input", true);
        QuantParams q = QuantParams.of(ctx, "x", 1, 2, type, x.shape(), attrs.axis(), ctx.opset() >= 13);
        int n = x.size();
        return arena -> {
            QuantParams.Resolved r = q.resolve(arena);
            float[] xa = x.array(arena);
            int xo = x.offset();
            float[] ya = y.array(arena);
            int yo = y.offset();
            for (int i = 0; i < n; i++) {
                int c = q.channelOf(i);
                ya[yo + i] = (float) (((double) xa[xo + i] - r.zeroPoint()[c]) * r.scale()[c]);
            }
        };
    }
}
