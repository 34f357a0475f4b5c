// Mean: the elementwise mean of one or more inputs, broadcast together: their sum, then one division.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Dividing the sum once by the input count, rather than scaling each input, keeps one rounding. */
final class Mean {

    private Mean() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.variadic(ctx, Add.LOOPS, true);
    }
}
