// Sub: y = a - b with NumPy broadcasting.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Mean subtraction in exported preprocessing and normalizations; see {@link Broadcast}. */
final class Sub {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    static final Broadcast.Loops LOOPS = new Broadcast.Loops(Sub::vv, Sub::vs, Sub::sv, Sub::reference);

    private Sub() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.binary(ctx, LOOPS);
    }

    static void vv(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = FloatVector.fromArray(S, b, bo + i);
            va.sub(vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b[bo + i]);
        }
    }

    static void vs(float[] a, int ao, float b, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            va.sub(b).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b);
        }
    }

    static void sv(float a, float[] b, int bo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector vb = FloatVector.fromArray(S, b, bo + i);
            va.sub(vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a, b[bo + i]);
        }
    }

    static float reference(float a, float b) {
        return a - b;
    }
}
