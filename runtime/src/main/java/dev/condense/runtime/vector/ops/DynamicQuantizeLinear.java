// DynamicQuantizeLinear: uint8 quantization of x with a scale and zero point computed from x's own range.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.DataType;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;

/**
 * As ONNX defines it: the range is widened to include 0, {@code y_scale = (max - min) / 255},
 * {@code y_zero_point = saturate(round(0 - min / y_scale))}, then y is quantized as by
 * QuantizeLinear. An all-zero x has scale 0; its outputs are then all zero.
 */
final class DynamicQuantizeLinear {

    private DynamicQuantizeLinear() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        Operand yScale = ctx.output(1);
        Operand yZeroPoint = ctx.output(2);
        if (y.dtype() != DataType.UINT8) {
            throw ctx.error("output '" + y.name() + "' is " + y.dtype().displayName() + "; ONNX defines it uint8");
        }
        int n = x.size();
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            float min = 0;
            float max = 0;
            for (int i = 0; i < n; i++) {
                min = Math.min(min, xa[xo + i]);
                max = Math.max(max, xa[xo + i]);
            }
            float scale = (max - min) / 255f;
            float zp = scale == 0 ? 0 : QuantParams.saturate(Math.rint(0 - min / scale), 0, 255);
            float[] ya = y.array(arena);
            int yo = y.offset();
            for (int i = 0; i < n; i++) {
                ya[yo + i] = scale == 0 ? 0 : QuantParams.saturate(Math.rint(xa[xo + i] / scale) + zp, 0, 255);
            }
            yScale.array(arena)[yScale.offset()] = scale;
            yZeroPoint.array(arena)[yZeroPoint.offset()] = zp;
        };
    }
}
