// HardSwish: y = x * max(0, min(1, x / 6 + 1/2)), MobileNetV3's activation.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** ONNX defines it as x * HardSigmoid(x) with alpha 1/6 and beta 0.5; both loops use that form. */
final class HardSwish {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;
    private static final float ALPHA = 1f / 6f;
    private static final float BETA = 0.5f;

    private HardSwish() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, HardSwish::apply);
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector gate = v.fma(ALPHA, BETA);
            gate = gate.blend(zero, gate.compare(VectorOperators.LE, zero));
            gate = gate.blend(one, gate.compare(VectorOperators.GE, one));
            v.mul(gate).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i]);
        }
    }

    static float reference(float x) {
        return x * HardSigmoid.reference(x, ALPHA, BETA);
    }
}
