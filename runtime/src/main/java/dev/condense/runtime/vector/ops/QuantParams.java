// The scale and zero point of one quantized tensor (per tensor or per axis), checked and read for the kernels.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.KernelRunException;
import dev.condense.runtime.vector.Operand;

import java.util.Arrays;
import java.util.Optional;

/**
 * Scales and zero points are constants in every quantized model, so they are read and checked
 * once when the plan is built: a scale that is zero, negative, NaN or infinite, a zero point
 * outside its type's range or of another type than the data, and a scale or zero point whose
 * shape does not match the axis are refused there, naming the node, the op and the value. ONNX's
 * node tests feed them as graph inputs; then {@link #resolve} reads and checks them on each run.
 */
final class QuantParams {

    /** One resolved pair: {@code scale[c]}, {@code zeroPoint[c]} for each of {@code channels} slices. */
    record Resolved(float[] scale, int[] zeroPoint) {
    }

    private final String label;
    private final String role;
    private final Operand scale;
    private final Operand zeroPoint;
    private final DataType type;
    /** The quantized axis of the data, or -1 for one pair for the whole tensor. */
    final int axis;
    /** Slices along the axis (1 when per tensor). */
    final int channels;
    /** Elements per slice step: the product of the data's dimensions after the axis. */
    final int inner;
    private final Resolved constant;

    private QuantParams(String label, String role, Operand scale, Operand zeroPoint, DataType type, int axis,
                        int channels, int inner, Resolved constant) {
        this.label = label;
        this.role = role;
        this.scale = scale;
        this.zeroPoint = zeroPoint;
        this.type = type;
        this.axis = axis;
        this.channels = channels;
        this.inner = inner;
        this.constant = constant;
    }

    /**
     * The quantization of data of {@code shape} and {@code type} by inputs {@code scaleInput} and
     * {@code zeroPointInput} (which may be omitted: zero). {@code axis} is the attribute's value,
     * used only when the scale has more than one element; {@code perAxis} false refuses that.
     */
    static QuantParams of(KernelContext ctx, String role, int scaleInput, int zeroPointInput, DataType type,
                          long[] shape, long axis, boolean perAxis) throws SessionException {
        Operand z = ctx.hasInput(zeroPointInput) ? ctx.input(zeroPointInput) : null;
        // Without a scale (ConvInteger, MatMulInteger) the zero point alone says per tensor or per axis.
        if (scaleInput < 0 && z == null) {
            return new QuantParams(ctxLabel(ctx), role, null, null, type, -1, 1, 1, new Resolved(new float[] {1f},
                    new int[] {0}));
        }
        Operand s = scaleInput >= 0 ? ctx.input(scaleInput) : z;
        Optional<Tensor> zt = ctx.constantInput(zeroPointInput);
        DataType zType = zt.map(Tensor::dtype).orElse(z == null ? type : z.dtype());
        if (z != null && zType != type) {
            throw ctx.error(role + " zero point '" + z.name() + "' is " + zType.displayName() + ", but the data it"
                    + " belongs to is " + type.displayName() + "; ONNX requires the same type");
        }
        if (z != null && s != z && !Arrays.equals(z.shape(), s.shape())) {
            throw ctx.error(role + " zero point '" + z.name() + "' has shape " + Arrays.toString(z.shape())
                    + ", but its scale '" + s.name() + "' has shape " + Arrays.toString(s.shape()));
        }
        int a = -1;
        int channels = 1;
        int inner = 1;
        if (s.size() != 1) {
            if (!perAxis) {
                throw ctx.error(role + " scale '" + s.name() + "' has shape " + Arrays.toString(s.shape())
                        + "; at opset " + ctx.opset() + " it must be a scalar (per-axis scales exist from opset 13)");
            }
            a = Kernels.axis(ctx, axis, shape.length, "attribute 'axis'");
            if (s.rank() != 1 || s.dim(0) != shape[a]) {
                throw ctx.error(role + " scale '" + s.name() + "' has shape " + Arrays.toString(s.shape())
                        + "; per-axis quantization along axis " + a + " of data " + Arrays.toString(shape)
                        + " needs a 1-D scale of " + shape[a] + " values");
            }
            channels = Math.toIntExact(shape[a]);
            inner = Kernels.product(shape, a + 1, shape.length);
        }
        String label = ctxLabel(ctx);
        Resolved fixed = null;
        if (s.isConstant() && (z == null || z.isConstant())) {
            try {
                fixed = read(label, role, s, z, type, null);
            } catch (KernelRunException e) {
                throw new SessionException(e.getMessage());
            }
        }
        return new QuantParams(label, role, s, z, type, a, channels, inner, fixed);
    }

    private static String ctxLabel(KernelContext ctx) {
        return ctx.label();
    }

    boolean isConstant() {
        return constant != null;
    }

    DataType type() {
        return type;
    }

    /** The checked values; for inputs fed at run time, read from {@code arena} and checked now. */
    Resolved resolve(float[] arena) {
        return constant != null ? constant : read(label, role, scale, zeroPoint, type, arena);
    }

    /** The constant values (the plan was built with them). */
    Resolved constant() {
        if (constant == null) {
            throw new IllegalStateException(role + " quantization of " + label + " is fed at run time");
        }
        return constant;
    }

    /** The slice along the axis that flat element {@code i} of the data lies in. */
    int channelOf(int i) {
        return axis < 0 ? 0 : (i / inner) % channels;
    }

    private static Resolved read(String label, String role, Operand s, Operand z, DataType type, float[] arena) {
        float[] sa = s.array(arena);
        int n = s.size();
        float[] scales = new float[n];
        int[] zps = new int[n];
        for (int i = 0; i < n; i++) {
            if (s == z) {
                scales[i] = 1f;
                continue;
            }
            float v = sa[s.offset() + i];
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new KernelRunException(label + ": " + role + " scale '" + s.name() + "'" + (n > 1 ? "[" + i + "]"
                        : "") + " is " + v + "; a quantization scale must be a positive finite number");
            }
            scales[i] = v;
        }
        if (z != null) {
            float[] za = z.array(arena);
            for (int i = 0; i < n; i++) {
                float v = za[z.offset() + i];
                if (v != Math.rint(v) || v < min(type) || v > max(type)) {
                    throw new KernelRunException(label + ": " + role + " zero point '" + z.name() + "'"
                            + (n > 1 ? "[" + i + "]" : "") + " is " + v + ", outside " + type.displayName() + "'s range ["
                            + min(type) + ", " + max(type) + "]");
                }
                if (type == DataType.INT32 && v != 0) {
                    throw new KernelRunException(label + ": " + role + " zero point '" + z.name() + "' is " + (long) v
                            + "; int32 data (a bias) is dequantized with zero point 0");
                }
                zps[i] = (int) v;
            }
        }
        return new Resolved(scales, zps);
    }

    /** The smallest value of a quantized type. */
    static long min(DataType t) {
        return switch (t) {
            case UINT8 -> 0;
            case INT8 -> -128;
            case INT32 -> Integer.MIN_VALUE;
            default -> throw new IllegalArgumentException(t + " is not a quantized type");
        };
    }

    /** The largest value of a quantized type. */
    static long max(DataType t) {
        return switch (t) {
            case UINT8 -> 255;
            case INT8 -> 127;
            case INT32 -> Integer.MAX_VALUE;
            default -> throw new IllegalArgumentException(t + " is not a quantized type");
        };
    }

    /** The type of the data in input {@code i}: its constant's own type, else the activation's. */
    static DataType typeOf(KernelContext ctx, int i) throws SessionException {
        return ctx.constantInput(i).map(Tensor::dtype).orElse(ctx.input(i).dtype());
    }

    /** Checks that input {@code i} holds uint8 or int8 values (or int32 when {@code int32} allows it). */
    static DataType requireQuantized(KernelContext ctx, int i, String what, boolean int32) throws SessionException {
        DataType t = typeOf(ctx, i);
        if (t != DataType.UINT8 && t != DataType.INT8 && !(int32 && t == DataType.INT32)) {
            throw ctx.error(what + " '" + ctx.input(i).name() + "' is " + t.displayName() + "; expected uint8 or int8"
                    + (int32 ? " or int32" : ""));
        }
        return t;
    }

    /** {@code round half to even(v)} saturated to {@code [lo, hi]}; NaN gives {@code lo}. */
    static float saturate(double v, float lo, float hi) {
        double r = Math.rint(v);
        return r >= hi ? hi : r > lo ? (float) r : lo;
    }
}
