// Typed attributes of BatchNormalization across opsets 7 to 22.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * BatchNormalization's attributes. {@code spatial} exists before opset 9 only (default true: one
 * statistic per channel; false: per element of {@code [C, D1, ...]}); later opsets are always
 * spatial. {@code trainingMode} exists from opset 14 on; inference uses the running statistics.
 */
public record BatchNormAttrs(float epsilon, float momentum, boolean spatial, boolean trainingMode) {

    public static BatchNormAttrs of(Node node, int opset) throws ModelLoadException {
        Attrs.rejectFrom(node, "spatial", opset, 9, "statistics are always per channel");
        Attrs.requireSince(node, "training_mode", opset, 14);
        return new BatchNormAttrs(Attrs.getFloat(node, "epsilon", 1e-5f), Attrs.getFloat(node, "momentum", 0.9f),
                Attrs.flag(node, "spatial", true), Attrs.flag(node, "training_mode", false));
    }
}
