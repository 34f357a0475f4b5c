// Typed attributes of Squeeze: axes as an attribute before opset 13, as an input from opset 13.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Squeeze's axes. Before opset 13 they are the optional attribute {@code axes}; from opset 13
 * they are optional input 1 ({@code axesFromInput}) and {@code axes} is empty. No axes means
 * removing every dimension of size 1.
 */
public record SqueezeAttrs(long[] axes, boolean axesFromInput) {

    public SqueezeAttrs {
        axes = axes.clone();
    }

    public static SqueezeAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "axes", opset, 13, "the axes are input 1");
        long[] axes = Attrs.ints(node, "axes").orElse(new long[0]);
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new SqueezeAttrs(axes, opset >= 13);
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqueezeAttrs s && Arrays.equals(axes, s.axes) && axesFromInput == s.axesFromInput;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(axes) + Boolean.hashCode(axesFromInput);
    }

    @Override
    public String toString() {
        return "SqueezeAttrs[axes=" + Arrays.toString(axes) + ", axesFromInput=" + axesFromInput + "]";
    }
}
