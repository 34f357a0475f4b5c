// Relu: y = max(x, 0), the rectifier between most CNN layers.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.VectorSpecies;

/** Math.max semantics in both loops, so NaN stays NaN and -0 becomes +0 alike. */
final class Relu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Relu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Relu::apply);
    }

    /** The vector loop over {@code n} floats; the tail uses the scalar definition. */
    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        Activation.RELU.finish(x, xo, 0f, null, 0, y, yo, n);
    }

    /** The scalar definition, the reference the vector loop is tested against. */
    static float reference(float x) {
        return Math.max(x, 0f);
    }
}
