// Typed attributes of Softmax, LogSoftmax and Hardmax, whose meaning of axis changed in opset 13.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * The axis of Softmax, LogSoftmax and Hardmax. Before opset 13 ({@code coerceTo2d}) the input is
 * viewed as a matrix {@code [d0*...*d(axis-1), d(axis)*...*d(n-1)]} and normalized along its rows,
 * axis defaulting to 1; from opset 13 the op normalizes along the single dimension {@code axis},
 * defaulting to -1. Both give the same result when axis is the last dimension.
 */
public record SoftmaxAttrs(long axis, boolean coerceTo2d) {

    public static SoftmaxAttrs of(Node node, int opset) throws ModelLoadException {
        boolean legacy = opset < 13;
        return new SoftmaxAttrs(Attrs.getInt(node, "axis", legacy ? 1 : -1), legacy);
    }

    /** The axis in [0, rank), or an error naming the valid range. */
    public int axis(Node node, int rank) throws ModelLoadException {
        return Attrs.normalizeAxis(node, "attribute 'axis'", axis, rank);
    }
}
