// Min: the elementwise minimum of one or more inputs, broadcast together.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Math.min semantics in every loop: NaN wins, and -0 is less than +0. */
final class Min {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    static final Broadcast.Loops LOOPS = new Broadcast.Loops(Min::vv, Min::vs, Min::sv, Min::reference);

    private Min() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.variadic(ctx, LOOPS, false);
    }

    static void vv(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = FloatVector.fromArray(S, b, bo + i);
            va.min(vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b[bo + i]);
        }
    }

    static void vs(float[] a, int ao, float b, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            va.min(b).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b);
        }
    }

    /** The op commutes, so a scalar left operand is the vector-scalar loop. */
    static void sv(float a, float[] b, int bo, float[] y, int yo, int n) {
        vs(b, bo, a, y, yo, n);
    }

    static float reference(float a, float b) {
        return Math.min(a, b);
    }
}
