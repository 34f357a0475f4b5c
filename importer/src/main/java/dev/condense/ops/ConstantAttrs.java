// Typed attributes of Constant: whichever of its value_* attributes is set, as one tensor.
package dev.condense.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensor a Constant node produces, named after its output. Exactly one of {@code value},
 * {@code value_float}, {@code value_floats}, {@code value_int}, {@code value_ints} (the scalar and
 * list forms from opset 12) must be set; string and sparse values are not supported.
 */
public record ConstantAttrs(Tensor value) {

    private static final List<String> VALUE_ATTRIBUTES = List.of("value", "value_float", "value_floats", "value_int",
            "value_ints", "value_string", "value_strings", "sparse_value");

    public static ConstantAttrs of(Node node, int opset) throws ModelLoadException {
        List<String> set = new ArrayList<>();
        for (String name : VALUE_ATTRIBUTES) {
            if (node.attribute(name).isPresent()) {
                set.add(name);
            }
        }
        if (set.size() != 1) {
            throw new ModelLoadException(node.describe() + ": exactly one of " + String.join(", ", VALUE_ATTRIBUTES)
                    + " must be set, found " + (set.isEmpty() ? "none" : String.join(", ", set)));
        }
        String which = set.getFirst();
        if (!which.equals("value")) {
            Attrs.requireSince(node, which, opset, 12);
        }
        String name = node.outputs().isEmpty() ? node.name() : node.output();
        Tensor value = switch (which) {
            case "value" -> Attrs.tensor(node, "value").orElseThrow().withName(name);
            case "value_float" -> Tensor.scalar(name, Attrs.getFloat(node, which, 0f));
            case "value_floats" -> {
                float[] v = Attrs.floats(node, which).orElseThrow();
                yield Tensor.ofFloats(name, new long[] {v.length}, v);
            }
            case "value_int" -> Tensor.ofLongs(name, new long[0], Attrs.requiredInt(node, which));
            case "value_ints" -> Tensor.vector(name, Attrs.requiredInts(node, which));
            default -> throw new ModelLoadException(node.describe() + ": attribute '" + which
                    + "' holds a value Condense does not support ("
                    + node.attribute(which).map(Attribute::typeName).orElse("?") + "); only numeric dense tensors are");
        };
        return new ConstantAttrs(value);
    }
}
