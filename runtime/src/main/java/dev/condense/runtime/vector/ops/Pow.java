// Pow: y = a ^ b with NumPy broadcasting; a constant or scalar exponent of 1, 2 or 3 is a multiplication.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exported graphs raise to small integer powers (variance as (x - mean)^2, the cube in GELU's
 * tanh form); those rows multiply instead of calling the vector pow, which is much slower. x*x equals pow(x, 2) exactly; x*x*x may differ from it in the last bit. An
 * integer exponent tensor (opset 12 on) reaches the kernel as floats, exactly for |b| < 2^24.
 */
final class Pow {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    static final Broadcast.Loops LOOPS = new Broadcast.Loops(Pow::vv, Pow::vs, Pow::sv, Pow::reference);

    private Pow() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Broadcast.binary(ctx, LOOPS);
    }

    static void vv(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            FloatVector vb = FloatVector.fromArray(S, b, bo + i);
            va.lanewise(VectorOperators.POW, vb).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a[ao + i], b[bo + i]);
        }
    }

    /** A scalar exponent: the row's fast path is chosen once, by its value. */
    static void vs(float[] a, int ao, float b, float[] y, int yo, int n) {
        if (b == 1f) {
            System.arraycopy(a, ao, y, yo, n);
            return;
        }
        boolean square = b == 2f;
        boolean cube = b == 3f;
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector va = FloatVector.fromArray(S, a, ao + i);
            FloatVector r = square ? va.mul(va) : cube ? va.mul(va).mul(va) : va.lanewise(VectorOperators.POW, b);
            r.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float x = a[ao + i];
            y[yo + i] = square ? x * x : cube ? x * x * x : reference(x, b);
        }
    }

    static void sv(float a, float[] b, int bo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            va.lanewise(VectorOperators.POW, FloatVector.fromArray(S, b, bo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(a, b[bo + i]);
        }
    }

    static float reference(float a, float b) {
        return (float) Math.pow(a, b);
    }
}
