// QLinearConv: convolution of quantized x and w with int32 accumulation, requantized to y's scale and zero point.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/**
 * Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point (per tensor or per output channel),
 * y_scale, y_zero_point, optional int32 bias B (scale x_scale * w_scale, zero point 0).
 * x: [N, C, (H,) W], w: [M, C/group, (kH,) kW]. The plan compiler also emits this op for a QDQ
 * convolution it fuses: then B may be float32 and y_scale absent (a float output), see
 * {@link QuantizedLinear}.
 */
final class QLinearConv {

    private QLinearConv() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Conv.Geometry g = Conv.geometry(ctx, ctx.input(0), ctx.input(3), ctx.output(0));
        return QuantizedLinear.create(ctx, new QuantizedLinear.ConvLayout(g),
                new QuantizedLinear.Inputs(0, 1, 2, 3, 4, 5, 6, 7, 8, QuantizedLinear.Output.QUANTIZED));
    }
}
