// Typed attributes of Gelu (opset 20 on).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.List;

/** Gelu's {@code approximate}: false for the erf form ("none"), true for the tanh form. */
public record GeluAttrs(boolean tanhApproximation) {

    public static GeluAttrs of(Node node, int opset) throws ModelLoadException {
        return new GeluAttrs(Attrs.oneOf(node, "approximate", "none", List.of("none", "tanh")).equals("tanh"));
    }
}
