// Dropout at inference: the identity, so the output aliases the input like Reshape's.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Tensor;
import dev.condense.ops.DropoutAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

import java.util.Optional;

/**
 * From opset 12 a {@code training_mode} input can ask for real dropout, which is random; the
 * engine runs inference, so it accepts training mode only with a constant ratio of 0 (still the
 * identity) and refuses it otherwise. The optional mask output is boolean, which the plan
 * compiler already refuses (the engine computes float32).
 */
final class Dropout {

    private Dropout() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        DropoutAttrs attrs = Kernels.attrs(ctx, DropoutAttrs::of);
        if (attrs.ratioFromInput() && ctx.hasInput(2)) {
            Optional<Tensor> training = ctx.constantInput(2);
            if (training.isEmpty()) {
                throw ctx.error("training_mode (input 2) is computed at run time; the vector engine runs inference"
                        + " and needs it constant");
            }
            if (training.get().getDouble(0) != 0) {
                Optional<Float> ratio = ctx.hasInput(1) ? Kernels.constantScalar(ctx, 1) : Optional.of(attrs.ratio());
                if (ratio.isEmpty() || ratio.get() != 0f) {
                    throw ctx.error("training_mode is true with ratio " + (ratio.isEmpty() ? "given at run time"
                            : ratio.get()) + ": training dropout is random, and the vector engine runs inference");
                }
            }
        }
        return Reshape.identity(ctx);
    }
}
