// MaxPool: the maximum over each window (kernel_shape, strides, pads or auto_pad, dilations, ceil_mode).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Padding never wins: padded taps are skipped, not read as zeros. The int64 Indices output is refused. See {@link Pooling} for the loops. */
final class MaxPool {

    private MaxPool() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Pooling.create(ctx, Pooling.Kind.MAX);
    }
}
