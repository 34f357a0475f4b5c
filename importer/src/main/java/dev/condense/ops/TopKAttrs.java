// Typed attributes of TopK: k as an attribute before opset 10, as input 1 from opset 10.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * TopK's attributes: {@code axis} (default -1), {@code largest} and {@code sorted} (opset 11 on,
 * default true). Before opset 10 {@code k} is a required attribute; from opset 10 it is input 1
 * ({@code kFromInput}) and {@code k} here is -1.
 */
public record TopKAttrs(long axis, long k, boolean kFromInput, boolean largest, boolean sorted) {

    public static TopKAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "k", opset, 10, "k is input 1");
        Attrs.requireSince(node, "largest", opset, 11);
        Attrs.requireSince(node, "sorted", opset, 11);
        long k = -1;
        if (opset < 10) {
            k = Attrs.requiredInt(node, "k");
            if (k < 0) {
                throw new ModelLoadException(node.describe() + ": attribute 'k' is " + k + "; it must be >= 0");
            }
        }
        return new TopKAttrs(Attrs.getInt(node, "axis", -1), k, opset >= 10, Attrs.flag(node, "largest", true),
                Attrs.flag(node, "sorted", true));
    }
}
