// Typed attributes of GatherND.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** GatherND's {@code batch_dims} (opset 12 on, default 0): leading axes data and indices share. */
public record GatherNdAttrs(int batchDims) {

    public static GatherNdAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.requireSince(node, "batch_dims", opset, 12);
        long b = Attrs.getInt(node, "batch_dims", 0);
        if (b < 0 || b > Integer.MAX_VALUE) {
            throw new ModelLoadException(node.describe() + ": attribute 'batch_dims' is " + b + "; it must be >= 0");
        }
        return new GatherNdAttrs((int) b);
    }
}
