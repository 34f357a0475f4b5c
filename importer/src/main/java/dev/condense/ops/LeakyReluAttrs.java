// Typed attributes of LeakyRelu.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** LeakyRelu's negative slope {@code alpha} (default 0.01). */
public record LeakyReluAttrs(float alpha) {

    public static LeakyReluAttrs of(Node node, int opset) throws ModelLoadException {
        return new LeakyReluAttrs(Attrs.getFloat(node, "alpha", 0.01f));
    }
}
