// Typed attributes of Squeeze and Unsqueeze: axes as an attribute before opset 13, as an input from opset 13.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Squeeze's and Unsqueeze's axes (Unsqueeze's index the output). Before opset 13 they are the
 * attribute {@code axes}, optional for Squeeze and required for Unsqueeze; from opset 13 they are
 * input 1 ({@code axesFromInput}), again optional for Squeeze only, and {@code axes} is empty.
 * Squeeze without axes removes every dimension of size 1.
 */
public record AxesAttrs(long[] axes, boolean axesFromInput) {

    public AxesAttrs {
        axes = axes.clone();
    }

    public static AxesAttrs of(Node node, int opset) throws ModelLoadException {
        boolean squeeze = node.opType().equals("Squeeze");
        if (!squeeze && !node.opType().equals("Unsqueeze")) {
            throw new IllegalArgumentException("AxesAttrs reads Squeeze and Unsqueeze, not " + node.describe());
        }
        Attrs.rejectFrom(node, "axes", opset, 13, "the axes are input 1");
        if (opset >= 13) {
            return new AxesAttrs(new long[0], true);
        }
        long[] axes = squeeze ? Attrs.ints(node, "axes").orElse(new long[0]) : Attrs.requiredInts(node, "axes");
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new AxesAttrs(axes, false);
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AxesAttrs a && Arrays.equals(axes, a.axes) && axesFromInput == a.axesFromInput;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(axes) + Boolean.hashCode(axesFromInput);
    }

    @Override
    public String toString() {
        return "AxesAttrs[axes=" + Arrays.toString(axes) + ", axesFromInput=" + axesFromInput + "]";
    }
}
