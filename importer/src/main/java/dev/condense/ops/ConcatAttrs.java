// Typed attributes of Concat.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Concat's required {@code axis}; negative counts from the end. */
public record ConcatAttrs(long axis) {

    public static ConcatAttrs of(Node node, int opset) throws ModelLoadException {
        return new ConcatAttrs(Attrs.requiredInt(node, "axis"));
    }
}
