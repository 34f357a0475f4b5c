// Typed attributes of LayerNormalization (opset 17 on).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * LayerNormalization's attributes: statistics over the axes from {@code axis} (default -1) to the
 * last; {@code stashType} is the ONNX type code the statistics are computed in (default 1, float).
 */
public record LayerNormAttrs(long axis, float epsilon, int stashType) {

    public static LayerNormAttrs of(Node node, int opset) throws ModelLoadException {
        return new LayerNormAttrs(Attrs.getInt(node, "axis", -1), Attrs.getFloat(node, "epsilon", 1e-5f),
                (int) Attrs.getInt(node, "stash_type", 1));
    }
}
