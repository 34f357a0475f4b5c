// Typed attributes of ConstantOfShape: the one-element tensor whose value and type fill the output.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

/** ConstantOfShape's {@code value}: a one-element tensor, float 0 when absent. */
public record ConstantOfShapeAttrs(Tensor value) {

    public static ConstantOfShapeAttrs of(Node node, int opset) throws ModelLoadException {
        Tensor value = Attrs.tensor(node, "value").orElse(Tensor.ofFloats("value", new long[] {1}, 0f));
        if (value.elementCount() != 1) {
            throw new ModelLoadException(node.describe() + ": attribute 'value' must hold one element, got " + value);
        }
        return new ConstantOfShapeAttrs(value);
    }
}
