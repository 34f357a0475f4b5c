// LeakyRelu: y = x for x >= 0, alpha * x below (YOLO-style detectors, some GAN discriminators).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.LeakyReluAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Standalone kernel; after a Conv, Gemm or MatMul the plan compiler fuses it into the producer instead. */
final class LeakyRelu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private LeakyRelu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        float alpha = Kernels.attrs(ctx, LeakyReluAttrs::of).alpha();
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> apply(x, xo, y, yo, n, alpha));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float alpha) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], alpha);
        }
    }

    static float reference(float x, float alpha) {
        return x < 0 ? alpha * x : x;
    }
}
