// Typed attributes of the Reduce* ops, whose axes moved from attribute to input (ReduceSum at 13, the rest at 18).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Attributes of ReduceMean, ReduceSum, ReduceMax, ReduceMin, ReduceProd and the other Reduce ops.
 * Axes are attribute {@code axes} until the op's version moves them to optional input 1
 * ({@code axesFromInput}: ReduceSum from opset 13, the others from opset 18), and that version
 * also adds {@code noop_with_empty_axes}. Empty axes reduce all dimensions unless
 * {@code noopWithEmptyAxes}.
 */
public record ReduceAttrs(long[] axes, boolean keepDims, boolean noopWithEmptyAxes, boolean axesFromInput) {

    public ReduceAttrs {
        axes = axes.clone();
    }

    /** The opset from which {@code opType}'s axes are an input. */
    public static int axesInputSince(String opType) {
        return opType.equals("ReduceSum") ? 13 : 18;
    }

    public static ReduceAttrs of(Node node, int opset) throws ModelLoadException {
        int since = axesInputSince(node.opType());
        Attrs.rejectFrom(node, "axes", opset, since, "the axes are input 1");
        Attrs.requireSince(node, "noop_with_empty_axes", opset, since);
        long[] axes = Attrs.ints(node, "axes").orElse(new long[0]);
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new ReduceAttrs(axes, Attrs.flag(node, "keepdims", true), Attrs.flag(node, "noop_with_empty_axes", false),
                opset >= since);
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReduceAttrs r && Arrays.equals(axes, r.axes) && keepDims == r.keepDims
                && noopWithEmptyAxes == r.noopWithEmptyAxes && axesFromInput == r.axesFromInput;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {axes, keepDims, noopWithEmptyAxes, axesFromInput});
    }

    @Override
    public String toString() {
        return "ReduceAttrs[axes=" + Arrays.toString(axes) + ", keepDims=" + keepDims + ", noopWithEmptyAxes="
                + noopWithEmptyAxes + ", axesFromInput=" + axesFromInput + "]";
    }
}
