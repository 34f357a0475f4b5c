// Softplus: y = ln(1 + e^x), a smooth rectifier.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Computed as max(x, 0) + ln(1 + e^-|x|), which neither overflows for large x nor loses the small
 * values for very negative x. */
final class Softplus {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Softplus() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Softplus::apply);
    }

    /** The vector loop over {@code n} floats; the tail uses the scalar definition. */
    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.max(0f).add(v.abs().neg().lanewise(VectorOperators.EXP).lanewise(VectorOperators.LOG1P)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i]);
        }
    }

    /** The scalar definition, the reference the vector loop is tested against. */
    static float reference(float x) {
        return Math.max(x, 0f) + (float) Math.log1p(Math.exp(-Math.abs(x)));
    }
}
