// Mul: y = a * b with NumPy broadcasting.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Squeeze-and-excitation gates ({@code [N, C, 1, 1]} against {@code [N, C, H, W]}) and SiLU's x * sigmoid(x); see {@link Broadcast}. */
final class Mul {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    static final Broadcast.Loops LOOPS = new Broadcast.Loops(Mul::vv, Mul::vs, Mul::sv, Mul::reference);

    private Mul() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.binary(ctx, LOOPS);
    }

    static void vv(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = FloatVector.fromArray(S, b, bo + i);
            va.mul(vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b[bo + i]);
        }
    }

    static void vs(float[] a, int ao, float b, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            va.mul(b).intoArray(y, yo + i);
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
        return a * b;
    }
}
