// HardSigmoid: y = max(0, min(1, alpha * x + beta)), the cheap sigmoid of MobileNetV3's gates.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.HardSigmoidAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Both loops use a fused multiply-add, so body and tail round alike. */
final class HardSigmoid {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private HardSigmoid() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        HardSigmoidAttrs attrs = Kernels.attrs(ctx, HardSigmoidAttrs::of);
        float alpha = attrs.alpha();
        float beta = attrs.beta();
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> apply(x, xo, y, yo, n, alpha, beta));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float alpha, float beta) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i).fma(alpha, beta);
            v = v.blend(zero, v.compare(VectorOperators.LE, zero));
            v.blend(one, v.compare(VectorOperators.GE, one)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], alpha, beta);
        }
    }

    static float reference(float x, float alpha, float beta) {
        return Math.max(Math.min(Math.fma(x, alpha, beta), 1f), 0f);
    }
}
