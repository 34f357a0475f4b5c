// QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point), per tensor or per axis, to uint8 or int8.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Operand;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Opset 10 takes scalar scales; 13 adds per-axis ones (attribute {@code axis}, default 1); 19's
 * {@code saturate} concerns float8 and is ignored; 21's {@code block_size} is refused unless 0.
 * The output holds the integers as exact floats, typed by the zero point (uint8 without one).
 * The division is in float32, as the ONNX reference computes it, so ties round as it does.
 */
final class QuantizeLinear {

    /** Internal attribute: the output is the dequantized value, {@code (y - zero) * scale}, in float32. */
    static final String DEQUANTIZE = "condense_dequantize";

    private QuantizeLinear() {
    }

    /** The typed attributes. */
    record Attrs(long axis, long blockSize) {
        static Attrs of(KernelContext ctx) throws SessionException {
            long axis = 1;
            long block = 0;
            var a = ctx.node().attribute("axis");
            if (a.isPresent() && a.get() instanceof Attribute.IntValue(long v)) {
                axis = v;
            }
            var b = ctx.node().attribute("block_size");
            if (b.isPresent() && b.get() instanceof Attribute.IntValue(long v)) {
                block = v;
            }
            if (block != 0) {
                throw ctx.error("attribute 'block_size' is " + block + "; the vector engine quantizes per tensor and"
                        + " per axis only");
            }
            return new Attrs(axis, block);
        }
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Attrs attrs = Attrs.of(ctx);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        // Set by the plan compiler on a QuantizeLinear it merged with the DequantizeLinear reading it.
        boolean dequantize = ctx.node().attribute(DEQUANTIZE).map(a -> a instanceof Attribute.IntValue(long v) && v == 1)
                .orElse(false);
        DataType type = dequantize ? (ctx.hasInput(2) ? QuantParams.typeOf(ctx, 2) : DataType.UINT8) : y.dtype();
        if (type != DataType.UINT8 && type != DataType.INT8) {
            throw ctx.error("output '" + y.name() + "' is " + type.displayName() + "; the vector engine quantizes to"
                    + " uint8 and int8");
        }
        if (x.dtype() != DataType.FLOAT) {
            throw ctx.error("input '" + x.name() + "' is " + x.dtype().displayName() + "; expected float32");
        }
        QuantParams q = QuantParams.of(ctx, "y", 1, 2, type, x.shape(), attrs.axis(), ctx.opset() >= 13);
        float lo = QuantParams.min(type);
        float hi = QuantParams.max(type);
        int n = x.size();
        int runs = n / q.inner;
        return arena -> {
            QuantParams.Resolved r = q.resolve(arena);
            float[] xa = x.array(arena);
            float[] ya = y.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (q.axis < 0) {
                quantize(xa, xo, ya, yo, n, r.scale()[0], r.zeroPoint()[0], lo, hi, dequantize);
            } else {
                // Per axis: runs of `inner` elements share one channel's scale and zero point.
                for (int run = 0; run < runs; run++) {
                    int c = run % q.channels;
                    quantize(xa, xo + run * q.inner, ya, yo + run * q.inner, q.inner, r.scale()[c], r.zeroPoint()[c],
                            lo, hi, dequantize);
                }
            }
        };
    }

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest even integer. */
    private static final float ROUNDING = 12582912f;

    /**
     * {@code y = saturate(rint(x / scale) + zero)} for {@code n} values: the quotient is clamped to
     * the range first (integer bounds, so the order does not matter), which keeps the rounding trick
     * exact. The zero point is added after rounding, as ONNX defines it.
     */
    static void quantize(float[] x, int xo, float[] y, int yo, int n, float scale, int zero, float lo, float hi,
                         boolean dequantize) {
        float min = lo - zero;
        float max = hi - zero;
        // Dequantizing too: (q - zero) * scale, the rounded quotient times the scale.
        float add = dequantize ? 0f : zero;
        float mul = dequantize ? scale : 1f;
        int i = 0;
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, xo + i).div(scale);
            v.max(min).min(max).add(ROUNDING).sub(ROUNDING).add(add).mul(mul).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float q = QuantParams.saturate(Math.rint(x[xo + i] / scale) + zero, lo, hi);
            y[yo + i] = dequantize ? (q - zero) * scale : q;
        }
    }
}
