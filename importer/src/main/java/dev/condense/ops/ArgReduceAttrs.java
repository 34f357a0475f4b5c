// Typed attributes of ArgMax and ArgMin.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** ArgMax/ArgMin: {@code axis} (default 0), {@code keepdims} (default true), {@code select_last_index} (opset 12 on). */
public record ArgReduceAttrs(long axis, boolean keepDims, boolean selectLastIndex) {

    public static ArgReduceAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.requireSince(node, "select_last_index", opset, 12);
        return new ArgReduceAttrs(Attrs.getInt(node, "axis", 0), Attrs.flag(node, "keepdims", true),
                Attrs.flag(node, "select_last_index", false));
    }
}
