// The plane reductions of GlobalAveragePool and GlobalMaxPool: one value per (n, c) over all spatial positions.
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

import java.util.Arrays;

/** Each plane is contiguous, so a plane is one vector reduction; planes are split over the threads. */
final class GlobalPooling {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private GlobalPooling() {
    }

    static Kernel create(KernelContext ctx, boolean max) throws SessionException {
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        if (xs.length < 3) {
            throw ctx.error("input " + x + " must be [N, C, D1, ...] with at least one spatial dimension");
        }
        long[] ys = xs.clone();
        Arrays.fill(ys, 2, ys.length, 1);
        Kernels.requireShape(ctx, y, ys, "output");
        int planes = Kernels.product(xs, 0, 2);
        int plane = Kernels.product(xs, 2, xs.length);
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / Math.max(1, plane));
        // x: [N, C, D1, ...], y: [N, C, 1, ...]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, planes, grain)) {
                planes(xa, xo, arena, yo, 0, planes, plane, max);
            } else {
                parallel.forRange(planes, grain, (s, e) -> planes(xa, xo, arena, yo, s, e, plane, max));
            }
        };
    }

    static void planes(float[] x, int xo, float[] y, int yo, int from, int to, int n, boolean max) {
        for (int p = from; p < to; p++) {
            y[yo + p] = max ? max(x, xo + p * n, n) : sum(x, xo + p * n, n) / n;
        }
    }

    static float sum(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, x, xo + i));
        }
        float s = Kernels.sumLanes(acc);
        for (; i < n; i++) {
            s += x[xo + i];
        }
        return s;
    }

    static float max(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = acc.max(FloatVector.fromArray(S, x, xo + i));
        }
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            m = Math.max(m, x[xo + i]);
        }
        return m;
    }

    /** The reference: each plane summed or compared one element at a time, in order. */
    static float[] reference(float[] x, int planes, int n, boolean max) {
        float[] y = new float[planes];
        for (int p = 0; p < planes; p++) {
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            for (int i = 0; i < n; i++) {
                acc = max ? Math.max(acc, x[p * n + i]) : acc + x[p * n + i];
            }
            y[p] = max ? acc : acc / n;
        }
        return y;
    }
}
