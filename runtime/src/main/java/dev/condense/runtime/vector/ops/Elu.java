// Elu: y = x for x >= 0, alpha * (e^x - 1) below.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.EluAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x - 1 is computed as expm1, which keeps its relative precision for x near 0. Lanes that keep
 * x may overflow expm1 to +inf; the blend discards them.
 */
final class Elu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Elu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        float alpha = Kernels.attrs(ctx, EluAttrs::of).alpha();
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> apply(x, xo, y, yo, n, alpha));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float alpha) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector negative = v.lanewise(VectorOperators.EXPM1).mul(alpha);
            v.blend(negative, v.compare(VectorOperators.LT, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], alpha);
        }
    }

    static float reference(float x, float alpha) {
        return x < 0 ? alpha * (float) Math.expm1(x) : x;
    }
}
