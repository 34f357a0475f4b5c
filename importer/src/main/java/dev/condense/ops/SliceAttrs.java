// Typed attributes of Slice: starts/ends/axes as attributes before opset 10, as inputs from opset 10.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Slice's parameters. Before opset 10 {@code starts}, {@code ends} (required) and {@code axes}
 * (default 0..n-1) are attributes and every step is 1; from opset 10 starts, ends, axes and steps
 * are inputs 1 to 4 ({@code fromInputs}) and the arrays here are empty.
 */
public record SliceAttrs(long[] starts, long[] ends, long[] axes, boolean fromInputs) {

    public SliceAttrs {
        starts = starts.clone();
        ends = ends.clone();
        axes = axes.clone();
    }

    public static SliceAttrs of(Node node, int opset) throws ModelLoadException {
        for (String name : new String[] {"starts", "ends", "axes"}) {
            Attrs.rejectFrom(node, name, opset, 10, "Slice parameters are inputs");
        }
        if (opset >= 10) {
            return new SliceAttrs(new long[0], new long[0], new long[0], true);
        }
        long[] starts = Attrs.requiredInts(node, "starts");
        long[] ends = Attrs.requiredInts(node, "ends");
        long[] axes = Attrs.ints(node, "axes").orElse(new long[0]);
        if (ends.length != starts.length || (axes.length != 0 && axes.length != starts.length)) {
            throw new ModelLoadException(node.describe() + ": attributes 'starts' " + Arrays.toString(starts) + ", 'ends' "
                    + Arrays.toString(ends) + " and 'axes' " + Arrays.toString(axes) + " must have the same length");
        }
        Attrs.requireDistinct(node, "attribute 'axes'", axes);
        return new SliceAttrs(starts, ends, axes, false);
    }

    @Override
    public long[] starts() {
        return starts.clone();
    }

    @Override
    public long[] ends() {
        return ends.clone();
    }

    @Override
    public long[] axes() {
        return axes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SliceAttrs s && Arrays.equals(starts, s.starts) && Arrays.equals(ends, s.ends)
                && Arrays.equals(axes, s.axes) && fromInputs == s.fromInputs;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {starts, ends, axes, fromInputs});
    }

    @Override
    public String toString() {
        return "SliceAttrs[starts=" + Arrays.toString(starts) + ", ends=" + Arrays.toString(ends) + ", axes="
                + Arrays.toString(axes) + ", fromInputs=" + fromInputs + "]";
    }
}
