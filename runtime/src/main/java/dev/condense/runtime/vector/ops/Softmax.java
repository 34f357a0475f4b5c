// Softmax (and LogSoftmax's shared engine) along one axis (opset 13 on) or over the flattened trailing axes (before 13).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.SoftmaxAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input is seen as {@code [outer, length, inner]}: before opset 13 the axis and everything
 * after it are one row ({@code inner = 1}); from 13 only the axis is reduced. Each column of
 * {@code length} values is shifted by its maximum before exponentiating, so large inputs do not
 * overflow. Rows ({@code inner = 1}) are vectorized along the row; columns ({@code inner > 1},
 * e.g. softmax over channels of {@code [N, C, H, W]}) are vectorized across {@code inner}, one
 * vector of neighbouring columns at a time, with the maximum and sum kept in registers.
 */
final class Softmax {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private Softmax() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        return create(ctx, false);
    }

    /** Softmax's kernel, or LogSoftmax's: ln of the same quantity, computed without taking a logarithm per element. */
    static Kernel create(KernelContext ctx, boolean log) throws SessionException {
        SoftmaxAttrs attrs = Kernels.attrs(ctx, SoftmaxAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        long[] dims = x.shape();
        int axis = Kernels.axis(ctx, attrs.axis(), Math.max(dims.length, 1), "attribute 'axis'");
        if (dims.length == 0) {
            dims = new long[] {1};
        }
        int outer = Kernels.product(dims, 0, axis);
        int length = attrs.coerceTo2d() ? Kernels.product(dims, axis, dims.length) : Math.toIntExact(dims[axis]);
        int inner = attrs.coerceTo2d() ? 1 : Kernels.product(dims, axis + 1, dims.length);
        Parallel parallel = ctx.parallel();
        if (x.size() == 0) {
            return Reshape.NOTHING;
        }
        if (inner == 1) {
            // x: [outer, length] rows
            int grain = Math.max(1, GRAIN / length);
            return arena -> {
                float[] xa = x.array(arena);
                int xo = x.offset();
                int yo = y.offset();
                if (Kernels.runsInline(parallel, outer, grain)) {
                    rows(xa, xo, arena, yo, 0, outer, length, log);
                } else {
                    parallel.forRange(outer, grain, (s, e) -> rows(xa, xo, arena, yo, s, e, length, log));
                }
            };
        }
        // x: [outer, length, inner]; a unit is one outer index and one vector-wide group of columns
        int groups = (inner + S.length() - 1) / S.length();
        int units = outer * groups;
        int grain = Math.max(1, GRAIN / (length * S.length()));
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, units, grain)) {
                columns(xa, xo, arena, yo, 0, units, groups, length, inner, log);
            } else {
                parallel.forRange(units, grain, (s, e) -> columns(xa, xo, arena, yo, s, e, groups, length, inner, log));
            }
        };
    }

    /** Rows {@code [from, to)} of length {@code n}, each contiguous. */
    static void rows(float[] x, int xo, float[] y, int yo, int from, int to, int n, boolean log) {
        for (int r = from; r < to; r++) {
            int xr = xo + r * n;
            int yr = yo + r * n;
            int bound = S.loopBound(n);
            FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int i = 0;
            for (; i < bound; i += S.length()) {
                vmax = vmax.max(FloatVector.fromArray(S, x, xr + i));
            }
            float max = vmax.reduceLanes(VectorOperators.MAX);
            for (; i < n; i++) {
                max = Math.max(max, x[xr + i]);
            }
            // y holds e^(x - max) until the final scaling (softmax) or is rewritten (log-softmax).
            FloatVector vsum = FloatVector.zero(S);
            i = 0;
            for (; i < bound; i += S.length()) {
                FloatVector e = FloatVector.fromArray(S, x, xr + i).sub(max).lanewise(VectorOperators.EXP);
                vsum = vsum.add(e);
                if (!log) {
                    e.intoArray(y, yr + i);
                }
            }
            float sum = Kernels.sumLanes(vsum);
            for (; i < n; i++) {
                float e = (float) Math.exp(x[xr + i] - max);
                sum += e;
                if (!log) {
                    y[yr + i] = e;
                }
            }
            if (log) {
                // (x - max) - ln(sum), not x - (max + ln(sum)): the sum would round away ln(sum) when max is large.
                float logSum = (float) Math.log(sum);
                i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector.fromArray(S, x, xr + i).sub(max).sub(logSum).intoArray(y, yr + i);
                }
                for (; i < n; i++) {
                    y[yr + i] = (x[xr + i] - max) - logSum;
                }
            } else {
                Div.vs(y, yr, sum, y, yr, n);
            }
        }
    }

    /** Units {@code [from, to)}: a unit is (outer index, group of S.length() columns); the last group may be partial. */
    static void columns(float[] x, int xo, float[] y, int yo, int from, int to, int groups, int length, int inner,
                        boolean log) {
        int lanes = S.length();
        for (int u = from; u < to; u++) {
            int o = u / groups;
            int c = (u % groups) * lanes;
            int base = o * length * inner + c;
            if (c + lanes > inner) {
                for (int j = c; j < inner; j++) {
                    column(x, xo + o * length * inner + j, y, yo + o * length * inner + j, length, inner, log);
                }
                continue;
            }
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int l = 0; l < length; l++) {
                max = max.max(FloatVector.fromArray(S, x, xo + base + l * inner));
            }
            FloatVector sum = FloatVector.zero(S);
            for (int l = 0; l < length; l++) {
                FloatVector e = FloatVector.fromArray(S, x, xo + base + l * inner).sub(max)
                        .lanewise(VectorOperators.EXP);
                sum = sum.add(e);
                if (!log) {
                    e.intoArray(y, yo + base + l * inner);
                }
            }
            if (log) {
                FloatVector logSum = sum.lanewise(VectorOperators.LOG);
                for (int l = 0; l < length; l++) {
                    FloatVector.fromArray(S, x, xo + base + l * inner).sub(max).sub(logSum)
                            .intoArray(y, yo + base + l * inner);
                }
            } else {
                for (int l = 0; l < length; l++) {
                    FloatVector.fromArray(S, y, yo + base + l * inner).div(sum).intoArray(y, yo + base + l * inner);
                }
            }
        }
    }

    /** One column of {@code length} values {@code stride} apart, in scalar arithmetic. */
    static void column(float[] x, int xo, float[] y, int yo, int length, int stride, boolean log) {
        float max = Float.NEGATIVE_INFINITY;
        for (int l = 0; l < length; l++) {
            max = Math.max(max, x[xo + l * stride]);
        }
        float sum = 0;
        for (int l = 0; l < length; l++) {
            float e = (float) Math.exp(x[xo + l * stride] - max);
            sum += e;
            if (!log) {
                y[yo + l * stride] = e;
            }
        }
        float logSum = (float) Math.log(sum);
        for (int l = 0; l < length; l++) {
            int i = l * stride;
            y[yo + i] = log ? (x[xo + i] - max) - logSum : y[yo + i] / sum;
        }
    }

    /** The reference: every column of {@code [outer, length, inner]} in scalar arithmetic. */
    static float[] reference(float[] x, int outer, int length, int inner, boolean log) {
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                column(x, o * length * inner + j, y, o * length * inner + j, length, inner, log);
            }
        }
        return y;
    }
}
