// AveragePool: the mean over each window, padding counted or not (count_include_pad).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** A window's divisor counts its taps inside the input, or inside the padded extent with count_include_pad. See {@link Pooling} for the loops. */
final class AveragePool {

    private AveragePool() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Pooling.create(ctx, Pooling.Kind.AVERAGE);
    }
}
