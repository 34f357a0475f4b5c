// Reshape and the other ops that only relabel a buffer's shape: Flatten, Squeeze, Unsqueeze, Identity, Dropout.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/**
 * The output aliases the input's memory: row-major data does not move when only the shape
 * changes, so these kernels do nothing at run time. (Shape inputs are constants by now: the plan
 * compiler fixed the input shapes and folded the shape arithmetic.)
 */
final class Reshape {

    static final Kernel NOTHING = arena -> { };

    private Reshape() {
    }

    /** Reshape, Flatten, Squeeze, Unsqueeze, Identity, inference Dropout: output 0 is input 0. */
    static Kernel identity(KernelContext ctx) throws SessionException {
        if (ctx.input(0).size() != ctx.output(0).size()) {
            throw ctx.error("output has " + ctx.output(0).size() + " elements, input " + ctx.input(0).size());
        }
        if (ctx.input(0).isConstant()) {
            throw ctx.error("input is a constant the plan compiler should have folded");
        }
        ctx.alias(0, 0);
        return NOTHING;
    }
}
