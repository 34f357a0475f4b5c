// Typed attributes of Reshape.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * Reshape's {@code allowzero} (opset 14 on, default false): when false a 0 in the target shape
 * copies the input's dimension at that index; when true it means a dimension of size zero.
 */
public record ReshapeAttrs(boolean allowZero) {

    public static ReshapeAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.requireSince(node, "allowzero", opset, 14);
        return new ReshapeAttrs(Attrs.flag(node, "allowzero", false));
    }
}
