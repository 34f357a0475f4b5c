// GlobalAveragePool: the mean of each (n, c) plane, [N, C, D1, ...] to [N, C, 1, ...].
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** See {@link GlobalPooling} for the loops. */
final class GlobalAveragePool {

    private GlobalAveragePool() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return GlobalPooling.create(ctx, false);
    }
}
