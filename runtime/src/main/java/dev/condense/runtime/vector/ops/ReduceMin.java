// ReduceMin: the minimum over the reduced axes.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Axes from the attribute, or from a constant input once the op's version moved them there; see {@link Reduce}. */
final class ReduceMin {

    private ReduceMin() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Reduce.create(ctx, Reduce.Kind.MIN);
    }
}
