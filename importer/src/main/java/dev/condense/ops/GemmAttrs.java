// Typed attributes of Gemm: Y = alpha * A' * B' + beta * C.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** Gemm's attributes; A' is A transposed when {@code transA}, likewise B'. */
public record GemmAttrs(float alpha, float beta, boolean transA, boolean transB) {

    public static GemmAttrs of(Node node, int opset) throws ModelLoadException {
        return new GemmAttrs(Attrs.getFloat(node, "alpha", 1.0f), Attrs.getFloat(node, "beta", 1.0f),
                Attrs.flag(node, "transA", false), Attrs.flag(node, "transB", false));
    }
}
