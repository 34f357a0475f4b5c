// Typed attributes of Split: sizes as an attribute before opset 13, as an input from 13, num_outputs from 18.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Split's attributes. {@code split} (the part sizes) is an attribute before opset 13 and optional
 * input 1 from opset 13 ({@code splitFromInput}); {@code numOutputs} (opset 18 on, 0 when absent)
 * asks for that many parts of size ceil(d / n), the last one smaller. Without either the
 * dimension is split evenly among the node's outputs.
 */
public record SplitAttrs(long axis, long[] split, boolean splitFromInput, int numOutputs) {

    public SplitAttrs {
        split = split.clone();
    }

    public static SplitAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "split", opset, 13, "the sizes are input 1");
        Attrs.requireSince(node, "num_outputs", opset, 18);
        long[] split = Attrs.ints(node, "split").orElse(new long[0]);
        for (long s : split) {
            if (s < 0) {
                throw new ModelLoadException(node.describe() + ": attribute 'split' " + Arrays.toString(split)
                        + " holds " + s + "; sizes must be >= 0");
            }
        }
        long numOutputs = Attrs.getInt(node, "num_outputs", 0);
        if (numOutputs < 0 || numOutputs > Integer.MAX_VALUE
                || (node.attribute("num_outputs").isPresent() && numOutputs != node.outputs().size())) {
            throw new ModelLoadException(node.describe() + ": attribute 'num_outputs' is " + numOutputs
                    + " but the node has " + node.outputs().size() + " outputs");
        }
        return new SplitAttrs(Attrs.getInt(node, "axis", 0), split, opset >= 13, (int) numOutputs);
    }

    @Override
    public long[] split() {
        return split.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SplitAttrs s && axis == s.axis && Arrays.equals(split, s.split)
                && splitFromInput == s.splitFromInput && numOutputs == s.numOutputs;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {axis, split, splitFromInput, numOutputs});
    }

    @Override
    public String toString() {
        return "SplitAttrs[axis=" + axis + ", split=" + Arrays.toString(split) + ", splitFromInput=" + splitFromInput
                + ", numOutputs=" + numOutputs + "]";
    }
}
