// Typed attributes of Flatten.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Flatten's {@code axis} (default 1): output is {@code [d0*...*d(axis-1), d(axis)*...*d(n-1)]}. */
public record FlattenAttrs(long axis) {

    public static FlattenAttrs of(Node node, int opset) throws ModelLoadException {
        return new FlattenAttrs(Attrs.getInt(node, "axis", 1));
    }

    /** The axis in [0, rank] (rank itself allowed: everything goes to the first factor). */
    public int axis(Node node, int rank) throws ModelLoadException {
        if (axis < -rank || axis > rank) {
            throw new ModelLoadException(node.describe() + ": attribute 'axis' is " + axis + "; for rank " + rank
                    + " it must lie in [" + (-rank) + ", " + rank + "]");
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }
}
