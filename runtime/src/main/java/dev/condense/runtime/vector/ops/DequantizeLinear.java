// DequantizeLinear: y = (x - x_zero_point) * x_scale, per tensor or per axis, from uint8, int8 or int32.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.DataType;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Operand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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
        int runs = n / q.inner;
        return arena -> {
            QuantParams.Resolved r = q.resolve(arena);
            float[] xa = x.array(arena);
            float[] ya = y.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (q.axis < 0) {
                dequantize(xa, xo, ya, yo, n, r.scale()[0], r.zeroPoint()[0]);
            } else {
                for (int run = 0; run < runs; run++) {
                    int c = run % q.channels;
                    dequantize(xa, xo + run * q.inner, ya, yo + run * q.inner, q.inner, r.scale()[c], r.zeroPoint()[c]);
                }
            }
        };
    }

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;

    /** {@code y = (x - zero) * scale}: the difference of integers is exact in float, the product rounded once. */
    static void dequantize(float[] x, int xo, float[] y, int yo, int n, float scale, int zero) {
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xo + i).sub((float) zero).mul(scale).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = (x[xo + i] - zero) * scale;
        }
    }
}
