// Typed attributes of Elu and Celu.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Elu's (and Celu's) {@code alpha}, default 1. */
public record EluAttrs(float alpha) {

    public static EluAttrs of(Node node, int opset) throws ModelLoadException {
        return new EluAttrs(Attrs.getFloat(node, "alpha", 1.0f));
    }
}
