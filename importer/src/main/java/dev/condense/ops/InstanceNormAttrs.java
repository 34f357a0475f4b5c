// Typed attributes of InstanceNormalization.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** InstanceNormalization's epsilon (default 1e-5). */
public record InstanceNormAttrs(float epsilon) {

    public static InstanceNormAttrs of(Node node, int opset) throws ModelLoadException {
        return new InstanceNormAttrs(Attrs.getFloat(node, "epsilon", 1e-5f));
    }
}
