// The auto_pad choices of Conv, ConvTranspose and the pooling ops.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.List;

/**
 * How a sliding-window op pads. {@code NOTSET} uses the explicit {@code pads}; {@code VALID} pads
 * nothing; the SAME modes pad so that output = ceil(input / stride), an odd extra pad going to the
 * end (UPPER) or the beginning (LOWER).
 */
public enum AutoPad {
    NOTSET, SAME_UPPER, SAME_LOWER, VALID;

    /** The node's {@code auto_pad} attribute, NOTSET when absent. */
    public static AutoPad of(Node node) throws ModelLoadException {
        return valueOf(Attrs.oneOf(node, "auto_pad", "NOTSET", List.of("NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID")));
    }

    public boolean isSame() {
        return this == SAME_UPPER || this == SAME_LOWER;
    }
}
