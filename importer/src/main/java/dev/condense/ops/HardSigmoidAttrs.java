// Typed attributes of HardSigmoid: y = max(0, min(1, alpha * x + beta)).
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/** HardSigmoid's alpha (default 0.2) and beta (default 0.5). */
public record HardSigmoidAttrs(float alpha, float beta) {

    public static HardSigmoidAttrs of(Node node, int opset) throws ModelLoadException {
        return new HardSigmoidAttrs(Attrs.getFloat(node, "alpha", 0.2f), Attrs.getFloat(node, "beta", 0.5f));
    }
}
