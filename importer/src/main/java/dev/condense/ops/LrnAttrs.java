// Typed attributes of LRN (local response normalization across channels).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** LRN's attributes: {@code size} channels per window (required, >= 1), alpha 1e-4, beta 0.75, bias 1. */
public record LrnAttrs(int size, float alpha, float beta, float bias) {

    public static LrnAttrs of(Node node, int opset) throws ModelLoadException {
        long size = Attrs.requiredInt(node, "size");
        if (size < 1 || size > Integer.MAX_VALUE) {
            throw new ModelLoadException(node.describe() + ": attribute 'size' is " + size + "; it must be >= 1");
        }
        return new LrnAttrs((int) size, Attrs.getFloat(node, "alpha", 1e-4f), Attrs.getFloat(node, "beta", 0.75f),
                Attrs.getFloat(node, "bias", 1.0f));
    }
}
