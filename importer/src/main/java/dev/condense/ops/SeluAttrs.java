// Typed attributes of Selu.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Selu's alpha and gamma, defaulting to the self-normalizing constants. */
public record SeluAttrs(float alpha, float gamma) {

    public static SeluAttrs of(Node node, int opset) throws ModelLoadException {
        return new SeluAttrs(Attrs.getFloat(node, "alpha", 1.67326319217681884765625f),
                Attrs.getFloat(node, "gamma", 1.05070102214813232421875f));
    }
}
