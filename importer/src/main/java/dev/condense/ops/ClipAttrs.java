// Typed attributes of Clip: bounds as attributes before opset 11, as inputs from opset 11.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * Clip's bounds. Before opset 11 they are attributes {@code min}/{@code max}; from opset 11 they
 * are the optional inputs 1 and 2 ({@code boundsFromInputs}), and this record holds -inf/+inf,
 * which is also what an absent bound means.
 */
public record ClipAttrs(float min, float max, boolean boundsFromInputs) {

    public static ClipAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "min", opset, 11, "the lower bound is input 1");
        Attrs.rejectFrom(node, "max", opset, 11, "the upper bound is input 2");
        return new ClipAttrs(Attrs.getFloat(node, "min", Float.NEGATIVE_INFINITY),
                Attrs.getFloat(node, "max", Float.POSITIVE_INFINITY), opset >= 11);
    }
}
