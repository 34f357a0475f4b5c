// PRelu: y = x for x >= 0, slope * x below, the slope broadcast to x (usually one per channel, [C, 1, 1]).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The slope broadcasts one way, to x's shape (opset 7 on), so a per-channel slope against
 * {@code [N, C, H, W]} walks rows of H*W with one slope each, the fast row of {@link Broadcast}.
 */
final class PRelu {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    static final Broadcast.Loops LOOPS = new Broadcast.Loops(PRelu::vv, PRelu::vs, PRelu::sv, PRelu::reference);

    private PRelu() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Operand x = ctx.input(0);
        Operand slope = ctx.input(1);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        Broadcast plan = Broadcast.plan(ctx, x.shape(), x.shape(), slope.shape());
        Parallel parallel = ctx.parallel();
        // x: [N, C, ...], slope: [broadcasts to x], y: [N, C, ...]
        return arena -> plan.run(parallel, LOOPS, x.array(arena), x.offset(), slope.array(arena), slope.offset(),
                arena, y.offset());
    }

    static void vv(float[] x, int xo, float[] s, int so, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector vs = FloatVector.fromArray(S, s, so + i);
            v.blend(v.mul(vs), v.compare(VectorOperators.LT, 0f)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = reference(x[xo + i], s[so + i]);
        }
    }

    static void vs(float[] x, int xo, float s, float[] y, int yo, int n) {
        LeakyRelu.apply(x, xo, y, yo, n, s);
    }

    static void sv(float x, float[] s, int so, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = reference(x, s[so + i]);
        }
    }

    static float reference(float x, float slope) {
        return x < 0 ? slope * x : x;
    }
}
