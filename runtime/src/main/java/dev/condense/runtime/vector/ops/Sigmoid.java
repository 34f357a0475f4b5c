// Sigmoid: y = 1 / (1 + exp(-x)), the gate of squeeze-and-excitation blocks and of SiLU.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** exp(-x) overflows to +inf for x below about -88, which gives the correct limit 0, so no clamp is needed. */
final class Sigmoid {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Sigmoid() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Sigmoid::apply);
    }

    /** The vector loop over {@code n} floats; the tail uses the scalar definition. */
    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            one.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i]);
        }
    }

    /** The scalar definition, the reference the vector loop is tested against. */
    static float reference(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }
}
