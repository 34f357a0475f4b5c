// Floor: y = floor(x), elementwise.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;

/**
 * A plain loop: the Vector API has no rounding-to-integer lane operation, and the op is rare and
 * cheap in CNNs (quantization arithmetic, index computations that did not fold).
 */
final class Floor {

    private Floor() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Floor::apply);
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = (float) Math.floor(x[xo + i]);
        }
    }
}
