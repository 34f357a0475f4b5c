// The scales and zero points a QDQ graph dequantizes an 8-bit initializer with, read from its DequantizeLinear nodes.
package dev.condense.compress.dcz;

import dev.condense.compress.layer.Int8Quantization;
import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The link between an int8 tensor entry and the graph (docs/FORMAT.md, section 1.4): an INT8 or
 * UINT8 initializer stored as an int8 entry is read by DequantizeLinear nodes of the main graph
 * (input 0) whose {@code x_scale} is an fp32 initializer and whose {@code x_zero_point}, when
 * present, an initializer of the weight's type; all of them must dequantize it the same way, and
 * the entry records that way. A scalar (or one-element) scale is per tensor; a 1-D scale of
 * {@code dims[axis]} values is per channel along {@code axis} (default 1, negative counts from the
 * end). Blocked quantization ({@code block_size}) has no int8 entry.
 */
public final class DequantizeParameters {

    private DequantizeParameters() {
    }

    /** The quantization of an 8-bit initializer, or why the graph gives it none. */
    public record Found(Int8Quantization quantization, String problem) {
        public boolean ok() {
            return quantization != null;
        }
    }

    /**
     * The quantization with which {@code graph}'s DequantizeLinear nodes read {@code weight} (an
     * INT8 or UINT8 initializer), or the reason there is none: no such node, a scale or zero point
     * that is not a constant of the right type and shape, a bad scale, blocked quantization, or two
     * nodes that disagree.
     */
    public static Found of(Graph graph, Tensor weight) {
        if (weight.dtype() != DataType.INT8 && weight.dtype() != DataType.UINT8) {
            return new Found(null, "it is " + weight.dtype().displayName() + ", not int8 or uint8");
        }
        List<Node> readers = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.inputs().contains(weight.name())) {
                if (!node.isDefaultDomain() || !node.opType().equals("DequantizeLinear")
                        || node.inputs().indexOf(weight.name()) != 0 || node.inputs().lastIndexOf(weight.name()) != 0) {
                    return new Found(null, node.describe() + " reads it other than as a DequantizeLinear's input");
                }
                readers.add(node);
            }
        }
        if (readers.isEmpty()) {
            return new Found(null, "no DequantizeLinear of the main graph reads it");
        }
        Int8Quantization first = null;
        for (Node node : readers) {
            Found f = ofNode(graph, weight, node);
            if (!f.ok()) {
                return f;
            }
            if (first == null) {
                first = f.quantization();
            } else if (!sameMeaning(first, f.quantization())) {
                return new Found(null, node.describe() + " dequantizes it with " + describe(f.quantization())
                        + ", another DequantizeLinear with " + describe(first));
            }
        }
        return new Found(first, null);
    }

    private static Found ofNode(Graph graph, Tensor weight, Node node) {
        String where = node.describe() + ": ";
        if (node.attribute("block_size").map(a -> !(a instanceof Attribute.IntValue(long v)) || v != 0).orElse(false)) {
            return new Found(null, where + "blocked quantization (block_size) has no int8 entry");
        }
        Tensor scale = node.input(1).flatMap(graph::initializer).orElse(null);
        if (scale == null || scale.dtype() != DataType.FLOAT) {
            return new Found(null, where + "its scale " + node.input(1).orElse("(none)") + " is "
                    + (scale == null ? "not an initializer" : scale.dtype().displayName() + ", not float32"));
        }
        long channels = scale.elementCount();
        boolean perTensor = scale.rank() == 0 || channels == 1;
        int axis = Int8Quantization.PER_TENSOR;
        if (scale.rank() > 1) {
            return new Found(null, where + "its scale has dims " + Arrays.toString(scale.dims()) + "; expected a scalar or 1-D");
        }
        if (!perTensor || scale.rank() == 1) {
            long a = node.attribute("axis").map(at -> at instanceof Attribute.IntValue(long v) ? v : Long.MIN_VALUE).orElse(1L);
            long normalized = a < 0 ? a + weight.rank() : a;
            if (normalized < 0 || normalized >= weight.rank()) {
                if (!perTensor) {
                    return new Found(null, where + "axis " + a + " is outside the rank " + weight.rank() + " of the weight");
                }
            } else if (weight.dim((int) normalized) == channels) {
                axis = (int) normalized;
                perTensor = false;
            } else if (!perTensor) {
                return new Found(null, where + "its scale has " + channels + " values, axis " + a + " of "
                        + Arrays.toString(weight.dims()) + " has " + weight.dim((int) normalized));
            }
        }
        float[] scales = scale.toFloatArray();
        byte[] zeroPoints = new byte[scales.length];
        boolean unsigned = weight.dtype() == DataType.UINT8;
        if (node.input(2).isPresent()) {
            Tensor zp = graph.initializer(node.input(2).get()).orElse(null);
            if (zp == null || zp.dtype() != weight.dtype() || zp.elementCount() != channels) {
                return new Found(null, where + "its zero point " + node.input(2).get() + " is " + (zp == null
                        ? "not an initializer" : zp.dtype().displayName() + Arrays.toString(zp.dims()) + ", expected "
                        + weight.dtype().displayName() + " with " + channels + " value" + (channels == 1 ? "" : "s")));
            }
            zeroPoints = zp.toByteArray();
        }
        try {
            return new Found(new Int8Quantization(unsigned, axis, scales, zeroPoints), null);
        } catch (IllegalArgumentException e) {
            return new Found(null, where + e.getMessage());
        }
    }

    /**
     * True when {@code a} and {@code b} dequantize every element alike: the same element type and,
     * unless each has one scale and zero point for all channels, the same axis; scales compared bit
     * for bit.
     */
    public static boolean sameMeaning(Int8Quantization a, Int8Quantization b) {
        if (a.unsigned() != b.unsigned()) {
            return false;
        }
        if (uniform(a) && uniform(b) && a.channels() > 0 && b.channels() > 0) {
            return Float.floatToRawIntBits(a.scale(0)) == Float.floatToRawIntBits(b.scale(0))
                    && a.zeroPoint(0) == b.zeroPoint(0);
        }
        if (a.axis() != b.axis() || a.channels() != b.channels()) {
            return false;
        }
        for (int c = 0; c < a.channels(); c++) {
            if (Float.floatToRawIntBits(a.scale(c)) != Float.floatToRawIntBits(b.scale(c)) || a.zeroPoint(c) != b.zeroPoint(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean uniform(Int8Quantization q) {
        for (int c = 1; c < q.channels(); c++) {
            if (Float.floatToRawIntBits(q.scale(c)) != Float.floatToRawIntBits(q.scale(0)) || q.zeroPoint(c) != q.zeroPoint(0)) {
                return false;
            }
        }
        return true;
    }

    /** "int8 per tensor, scale 0.02, zero point 0" or "int8 along axis 0, 64 scales [0.01, ...]". */
    static String describe(Int8Quantization q) {
        String type = q.unsigned() ? "uint8" : "int8";
        if (q.channels() == 1) {
            return type + (q.perTensor() ? " per tensor" : " along axis " + q.axis()) + ", scale " + q.scale(0)
                    + ", zero point " + q.zeroPoint(0);
        }
        StringBuilder s = new StringBuilder(type + " along axis " + q.axis() + ", " + q.channels() + " scales [");
        for (int c = 0; c < Math.min(4, q.channels()); c++) {
            s.append(c == 0 ? "" : ", ").append(q.scale(c));
        }
        s.append(q.channels() > 4 ? ", ...]" : "]").append(" and zero points [");
        for (int c = 0; c < Math.min(4, q.channels()); c++) {
            s.append(c == 0 ? "" : ", ").append(q.zeroPoint(c));
        }
        return s.append(q.channels() > 4 ? ", ...]" : "]").toString();
    }
}
