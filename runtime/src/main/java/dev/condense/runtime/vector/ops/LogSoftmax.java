// LogSoftmax: y = x - max - ln(sum(e^(x - max))) along the axis, with Softmax's axis rules and loops.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Shares {@link Softmax}'s engine: the same reductions, then a subtraction instead of a division. */
final class LogSoftmax {

    private LogSoftmax() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Softmax.create(ctx, true);
    }
}
