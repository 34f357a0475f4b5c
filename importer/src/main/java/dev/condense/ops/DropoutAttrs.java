// Typed attributes of Dropout: the ratio is an attribute before opset 12 and an input from opset 12.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * Dropout's drop ratio. Before opset 12 it is attribute {@code ratio} (default 0.5); from opset 12
 * it is optional input 1 ({@code ratioFromInput}) and this record holds the default 0.5. Inference
 * ignores it; training uses it.
 */
public record DropoutAttrs(float ratio, boolean ratioFromInput) {

    public static DropoutAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "ratio", opset, 12, "the ratio is input 1");
        float ratio = Attrs.getFloat(node, "ratio", 0.5f);
        if (!(ratio >= 0 && ratio < 1)) {
            throw new ModelLoadException(node.describe() + ": attribute 'ratio' is " + ratio + "; it must lie in [0, 1)");
        }
        return new DropoutAttrs(ratio, opset >= 12);
    }
}
