// Sum: the elementwise sum of one or more inputs, broadcast together (Add's loops, folded input by input).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Inputs are added left to right, into the output, so no temporary is needed for three or more inputs. */
final class Sum {

    private Sum() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.variadic(ctx, Add.LOOPS, false);
    }
}
