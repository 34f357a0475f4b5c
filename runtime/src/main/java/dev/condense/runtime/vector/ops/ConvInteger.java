// ConvInteger: convolution of uint8/int8 x and w, minus their zero points, into exact int32 sums.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Inputs: x, w, optional x_zero_point (scalar), optional w_zero_point (scalar or per output channel). */
final class ConvInteger {

    private ConvInteger() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Conv.Geometry g = Conv.geometry(ctx, ctx.input(0), ctx.input(1), ctx.output(0));
        return QuantizedLinear.create(ctx, new QuantizedLinear.ConvLayout(g),
                new QuantizedLinear.Inputs(0, -1, 2, 1, -1, 3, -1, -1, -1, QuantizedLinear.Output.INTEGER));
    }
}
