// Typed attributes of Cast.
package dev.condense.ops;

import dev.condense.ir.DataType;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Cast's target type {@code to} and, from opset 19, {@code saturate} for float8 targets (default true). */
public record CastAttrs(DataType to, boolean saturate) {

    public static CastAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.requireSince(node, "saturate", opset, 19);
        long code = Attrs.requiredInt(node, "to");
        DataType to = DataType.fromOnnx((int) code).filter(t -> t.onnxCode() == code).orElseThrow(() ->
                new ModelLoadException(node.describe() + ": attribute 'to' is " + code + " ("
                        + DataType.onnxName((int) code) + "); Condense holds " + DataType.supportedList()));
        return new CastAttrs(to, Attrs.flag(node, "saturate", true));
    }
}
