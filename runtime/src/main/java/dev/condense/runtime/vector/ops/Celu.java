// Celu: y = max(0, x) + min(0, alpha * (e^(x / alpha) - 1)), the continuously differentiable Elu.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.EluAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The definition as ONNX writes it, with expm1 for precision near 0; an overflow to +inf loses to min(0, .). */
final class Celu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Celu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        float alpha = Kernels.attrs(ctx, EluAttrs::of).alpha();
        if (alpha == 0) {
            throw ctx.error("attribute 'alpha' is 0; Celu divides by it");
        }
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> apply(x, xo, y, yo, n, alpha));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float alpha) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector negative = v.div(alpha).lanewise(VectorOperators.EXPM1).mul(alpha).min(0f);
            v.max(0f).add(negative).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], alpha);
        }
    }

    static float reference(float x, float alpha) {
        return Math.max(x, 0f) + Math.min(alpha * (float) Math.expm1(x / alpha), 0f);
    }
}
