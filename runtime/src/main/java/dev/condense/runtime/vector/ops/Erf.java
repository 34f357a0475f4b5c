// Erf: the Gauss error function, which exported GELU activations compute as 0.5 x (1 + erf(x / sqrt 2)).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Abramowitz and Stegun 7.1.26: for x >= 0, erf(x) = 1 - t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^(-x^2)
 * with t = 1 / (1 + p x), absolute error below 1.5e-7 in exact arithmetic; odd symmetry gives
 * negative x. Evaluated in float it stays within {@link #MAX_ABS_ERROR} of the true value. Large
 * |x| needs no special case: e^(-x^2) underflows to 0 and the result is exactly +-1.
 */
final class Erf {

    /** The error bound the unit test holds this approximation to, against a double-precision erf. */
    static final double MAX_ABS_ERROR = 1e-6;

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;

    private Erf() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return Elementwise.unary(ctx, Erf::apply);
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector a = v.abs();
            FloatVector t = one.div(a.fma(P, 1f));
            FloatVector poly = t.fma(A5, A4).fma(t, FloatVector.broadcast(S, A3)).fma(t, FloatVector.broadcast(S, A2))
                    .fma(t, FloatVector.broadcast(S, A1)).mul(t);
            FloatVector e = a.mul(a).neg().lanewise(VectorOperators.EXP);
            FloatVector r = one.sub(poly.mul(e));
            r.blend(r.neg(), v.compare(VectorOperators.LT, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i]);
        }
    }

    /** The same approximation in scalar float arithmetic, operation for operation. */
    static float reference(float x) {
        float a = Math.abs(x);
        float t = 1f / Math.fma(a, P, 1f);
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(t, A5, A4), t, A3), t, A2), t, A1) * t;
        float r = 1f - poly * (float) Math.exp(-(a * a));
        return x < 0 ? -r : r;
    }
}
