// Upsample (opsets 7 to 9, deprecated by Resize): nearest or linear with asymmetric coordinates.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/** Scales from the attribute (opsets 7, 8) or a constant input (9); ResizeAttrs records the legacy coordinates. */
final class Upsample {

    private Upsample() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Resize.create(ctx);
    }
}
