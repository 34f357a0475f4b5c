// Sqrt: y = sqrt(x).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** A negative input gives NaN. */
final class Sqrt {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Sqrt() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Sqrt::apply);
    }

    /** The vector loop over {@code n} floats; the tail uses the scalar definition. */
    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.lanewise(VectorOperators.SQRT).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i]);
        }
    }

    /** The scalar definition, the reference the vector loop is tested against. */
    static float reference(float x) {
        return (float) Math.sqrt(x);
    }
}
