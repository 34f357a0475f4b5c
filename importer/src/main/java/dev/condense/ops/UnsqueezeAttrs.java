// Typed attributes of Unsqueeze: axes as a required attribute before opset 13, as a required input from opset 13.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Unsqueeze's axes, which index the output. Before opset 13 they are the required attribute
 * {@code axes}; from opset 13 they are required input 1 ({@code axesFromInput}) and {@code axes}
 * is empty.
 */
public record UnsqueezeAttrs(long[] axes, boolean axesFromInput) {

    public UnsqueezeAttrs {
        axes = axes.clone();
    }

    public static UnsqueezeAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "axes", opset, 13, "the axes are input 1");
        if (opset >= 13) {
            return new UnsqueezeAttrs(new long[0], true);
        }
        long[] axes = Attrs.requiredInts(node, "axes");
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new UnsqueezeAttrs(axes, false);
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UnsqueezeAttrs s && Arrays.equals(axes, s.axes) && axesFromInput == s.axesFromInput;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(axes) + Boolean.hashCode(axesFromInput);
    }

    @Override
    public String toString() {
        return "UnsqueezeAttrs[axes=" + Arrays.toString(axes) + ", axesFromInput=" + axesFromInput + "]";
    }
}
