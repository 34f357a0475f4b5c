// Typed attributes of Gather.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Gather's {@code axis} (default 0). */
public record GatherAttrs(long axis) {

    public static GatherAttrs of(Node node, int opset) throws ModelLoadException {
        return new GatherAttrs(Attrs.getInt(node, "axis", 0));
    }
}
