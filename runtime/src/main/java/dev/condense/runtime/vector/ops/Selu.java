// Selu: y = gamma * x for x > 0, gamma * alpha * (e^x - 1) otherwise (self-normalizing networks).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.SeluAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** gamma * alpha is one constant; expm1 keeps precision near 0; overflowing lanes are discarded by the blend. */
final class Selu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Selu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        SeluAttrs attrs = Kernels.attrs(ctx, SeluAttrs::of);
        float gamma = attrs.gamma();
        float scaledAlpha = attrs.gamma() * attrs.alpha();
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> apply(x, xo, y, yo, n, gamma, scaledAlpha));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float gamma, float scaledAlpha) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector negative = v.lanewise(VectorOperators.EXPM1).mul(scaledAlpha);
            v.mul(gamma).blend(negative, v.compare(VectorOperators.LE, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], gamma, scaledAlpha);
        }
    }

    static float reference(float x, float gamma, float scaledAlpha) {
        return x > 0 ? gamma * x : scaledAlpha * (float) Math.expm1(x);
    }
}
