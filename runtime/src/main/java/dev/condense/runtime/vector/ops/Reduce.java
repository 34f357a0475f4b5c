// The engine of the Reduce ops: a map per element, a combination over the reduced axes, a final step per output.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.ReduceAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Input dimensions of size 1 are dropped and neighbours that are both reduced or both kept are
 * merged, so the input is a few alternating kept and reduced dimensions. One pass over the input
 * by rows of its last dimension then does all the work: when the last dimension is reduced, a
 * row is a vector reduction into one output element (ReduceMean over H, W of NCHW, the global
 * pooling some exports write); when it is kept, a row is combined lane by lane into an output
 * row. Rows are split over the threads by the first dimension when it is kept (each index then
 * owns its outputs); otherwise the kernel runs on one thread.
 */
final class Reduce {

    /** How elements are mapped, combined and finished. */
    enum Kind {
        SUM(Map.NONE, Combine.ADD, Finish.NONE),
        MEAN(Map.NONE, Combine.ADD, Finish.MEAN),
        MAX(Map.NONE, Combine.MAX, Finish.NONE),
        MIN(Map.NONE, Combine.MIN, Finish.NONE),
        PROD(Map.NONE, Combine.MUL, Finish.NONE),
        SUM_SQUARE(Map.SQUARE, Combine.ADD, Finish.NONE),
        L1(Map.ABS, Combine.ADD, Finish.NONE),
        L2(Map.SQUARE, Combine.ADD, Finish.SQRT),
        LOG_SUM(Map.NONE, Combine.ADD, Finish.LOG);

        final Map map;
        final Combine combine;
        final Finish finish;

        Kind(Map map, Combine combine, Finish finish) {
            this.map = map;
            this.combine = combine;
            this.finish = finish;
        }
    }

    enum Map { NONE, SQUARE, ABS }

    enum Combine { ADD, MAX, MIN, MUL }

    enum Finish { NONE, MEAN, SQRT, LOG }

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private final Kind kind;
    /** Collapsed input dims and, per dim, the output stride (0 where reduced). */
    private final int[] dims;
    private final int[] outStrides;
    private final boolean lastReduced;
    private final int row;
    /** Rows per index of the first collapsed dim, and outputs per index of it (0 when it is reduced). */
    private final int rowsPerFirst;
    private final int outPerFirst;
    private final int outSize;
    private final float count;

    private Reduce(Kind kind, int[] dims, boolean[] reduced, int count) {
        this.kind = kind;
        this.dims = dims;
        int r = dims.length;
        this.outStrides = new int[r];
        int s = 1;
        for (int d = r - 1; d >= 0; d--) {
            if (!reduced[d]) {
                outStrides[d] = s;
                s *= dims[d];
            }
        }
        this.lastReduced = reduced[r - 1];
        this.row = dims[r - 1];
        int rowsAfterFirst = 1;
        for (int d = 1; d < r - 1; d++) {
            rowsAfterFirst *= dims[d];
        }
        this.rowsPerFirst = rowsAfterFirst;
        this.outPerFirst = r >= 2 && !reduced[0] ? s / dims[0] : 0;
        this.outSize = s;
        this.count = count;
    }

    static Kernel create(KernelContext ctx, Kind kind) throws SessionException {
        ReduceAttrs attrs = Kernels.attrs(ctx, ReduceAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        int rank = xs.length;
        long[] axes = attrs.axesFromInput() ? Kernels.constantInts(ctx, 1, "axes").orElse(new long[0]) : attrs.axes();
        boolean[] reduced = new boolean[rank];
        if (axes.length == 0 && !attrs.noopWithEmptyAxes()) {
            Arrays.fill(reduced, true);
        }
        for (long a : axes) {
            int d = Kernels.axis(ctx, a, rank, "axis " + a + " of " + Arrays.toString(axes));
            if (reduced[d]) {
                throw ctx.error("axes " + Arrays.toString(axes) + " name axis " + d + " twice");
            }
            reduced[d] = true;
        }
        List<Long> outShape = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (!reduced[d]) {
                outShape.add(xs[d]);
            } else if (attrs.keepDims()) {
                outShape.add(1L);
            }
        }
        Kernels.requireShape(ctx, y, outShape.stream().mapToLong(Long::longValue).toArray(), "output");
        if (y.size() == 0) {
            return Reshape.NOTHING;
        }
        if (x.size() == 0) {
            // Reducing empty sets: the combination's identity, finished (a mean of nothing is NaN, as in NumPy).
            Reduce empty = new Reduce(kind, new int[] {y.size()}, new boolean[] {false}, 0);
            return arena -> {
                Arrays.fill(arena, y.offset(), y.offset() + y.size(), identity(kind.combine));
                empty.finish(arena, y.offset(), y.size());
            };
        }
        // Collapse: drop size-1 dims, merge neighbours of the same kind.
        List<int[]> groups = new ArrayList<>();
        int reducedCount = 1;
        for (int d = 0; d < rank; d++) {
            if (reduced[d]) {
                reducedCount = Math.multiplyExact(reducedCount, (int) xs[d]);
            }
            if (xs[d] == 1) {
                continue;
            }
            int kindBit = reduced[d] ? 1 : 0;
            if (!groups.isEmpty() && groups.getLast()[1] == kindBit) {
                groups.getLast()[0] = Math.multiplyExact(groups.getLast()[0], (int) xs[d]);
            } else {
                groups.add(new int[] {(int) xs[d], kindBit});
            }
        }
        if (groups.isEmpty()) {
            groups.add(new int[] {1, 1});
        }
        int[] dims = groups.stream().mapToInt(g -> g[0]).toArray();
        boolean[] flags = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            flags[i] = groups.get(i)[1] == 1;
        }
        Reduce plan = new Reduce(kind, dims, flags, reducedCount);
        Parallel parallel = ctx.parallel();
        int firsts = plan.outPerFirst == 0 ? 1 : dims[0];
        int grain = Math.max(1, GRAIN / Math.max(1, x.size() / firsts));
        // x: [collapsed dims], y: [kept dims]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, firsts, grain)) {
                plan.range(xa, xo, arena, yo, 0, firsts);
            } else {
                parallel.forRange(firsts, grain, (s, e) -> plan.range(xa, xo, arena, yo, s, e));
            }
        };
    }

    /** Indices [from, to) of the first collapsed dim (all of it when that dim is reduced). */
    private void range(float[] x, int xo, float[] y, int yo, int from, int to) {
        boolean split = outPerFirst > 0;
        int outFrom = split ? from * outPerFirst : 0;
        int outTo = split ? to * outPerFirst : outSize;
        Arrays.fill(y, yo + outFrom, yo + outTo, identity(kind.combine));
        int rowFrom = split ? from * rowsPerFirst : 0;
        int rowTo = split ? to * rowsPerFirst : rowCount();
        int last = dims.length - 1;
        for (int r = rowFrom; r < rowTo; r++) {
            int rest = r;
            int out = yo;
            for (int d = last - 1; d >= 0; d--) {
                out += (rest % dims[d]) * outStrides[d];
                rest /= dims[d];
            }
            int src = xo + r * row;
            if (lastReduced) {
                y[out] = combine(kind.combine, y[out], reduceRow(kind, x, src, row));
            } else {
                accumulateRow(kind, x, src, y, out, row);
            }
        }
        finish(y, yo + outFrom, outTo - outFrom);
    }

    private int rowCount() {
        int n = 1;
        for (int d = 0; d < dims.length - 1; d++) {
            n *= dims[d];
        }
        return n;
    }

    static float identity(Combine c) {
        return switch (c) {
            case ADD -> 0f;
            case MAX -> Float.NEGATIVE_INFINITY;
            case MIN -> Float.POSITIVE_INFINITY;
            case MUL -> 1f;
        };
    }

    static float combine(Combine c, float a, float b) {
        return switch (c) {
            case ADD -> a + b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case MUL -> a * b;
        };
    }

    static float map(Map m, float v) {
        return switch (m) {
            case NONE -> v;
            case SQUARE -> v * v;
            case ABS -> Math.abs(v);
        };
    }

    /** One contiguous row reduced to a value: the lanes accumulate, then fold, then the tail. */
    static float reduceRow(Kind kind, float[] x, int xo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        float acc;
        switch (kind.combine) {
            case ADD -> {
                FloatVector v = FloatVector.zero(S);
                switch (kind.map) {
                    case NONE -> {
                        for (; i < bound; i += S.length()) {
                            v = v.add(FloatVector.fromArray(S, x, xo + i));
                        }
                    }
                    case SQUARE -> {
                        for (; i < bound; i += S.length()) {
                            FloatVector t = FloatVector.fromArray(S, x, xo + i);
                            v = t.fma(t, v);
                        }
                    }
                    case ABS -> {
                        for (; i < bound; i += S.length()) {
                            v = v.add(FloatVector.fromArray(S, x, xo + i).abs());
                        }
                    }
                }
                acc = Kernels.sumLanes(v);
            }
            case MAX -> {
                FloatVector v = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
                for (; i < bound; i += S.length()) {
                    v = v.max(FloatVector.fromArray(S, x, xo + i));
                }
                acc = v.reduceLanes(VectorOperators.MAX);
            }
            case MIN -> {
                FloatVector v = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
                for (; i < bound; i += S.length()) {
                    v = v.min(FloatVector.fromArray(S, x, xo + i));
                }
                acc = v.reduceLanes(VectorOperators.MIN);
            }
            case MUL -> {
                FloatVector v = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += S.length()) {
                    v = v.mul(FloatVector.fromArray(S, x, xo + i));
                }
                acc = Kernels.productLanes(v);
            }
            default -> throw new AssertionError(kind);
        }
        for (; i < n; i++) {
            acc = combine(kind.combine, acc, map(kind.map, x[xo + i]));
        }
        return acc;
    }

    /** y[i] = combine(y[i], map(x[i])) over a row of n. */
    static void accumulateRow(Kind kind, float[] x, int xo, float[] y, int yo, int n) {
        int bound = S.loopBound(n);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector t = FloatVector.fromArray(S, x, xo + i);
            FloatVector acc = FloatVector.fromArray(S, y, yo + i);
            t = switch (kind.map) {
                case NONE -> t;
                case SQUARE -> t.mul(t);
                case ABS -> t.abs();
            };
            acc = switch (kind.combine) {
                case ADD -> acc.add(t);
                case MAX -> acc.max(t);
                case MIN -> acc.min(t);
                case MUL -> acc.mul(t);
            };
            acc.intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = combine(kind.combine, y[yo + i], map(kind.map, x[xo + i]));
        }
    }

    private void finish(float[] y, int yo, int n) {
        switch (kind.finish) {
            case NONE -> { }
            case MEAN -> Div.vs(y, yo, count, y, yo, n);
            case SQRT -> Sqrt.apply(y, yo, y, yo, n);
            case LOG -> Log.apply(y, yo, y, yo, n);
        }
    }

    /** The reference: each input element's output index from its full index, accumulated in double. */
    static float[] reference(Kind kind, float[] x, long[] xs, boolean[] reduced) {
        int rank = xs.length;
        long[] kept = new long[rank];
        for (int d = 0; d < rank; d++) {
            kept[d] = reduced[d] ? 1 : xs[d];
        }
        int outN = Kernels.product(kept, 0, rank);
        double[] acc = new double[outN];
        Arrays.fill(acc, identity(kind.combine));
        int count = 1;
        for (int d = 0; d < rank; d++) {
            count *= reduced[d] ? (int) xs[d] : 1;
        }
        for (int i = 0; i < x.length; i++) {
            int rest = i;
            int out = 0;
            int stride = 1;
            for (int d = rank - 1; d >= 0; d--) {
                int index = (int) (rest % xs[d]);
                rest /= (int) xs[d];
                if (!reduced[d]) {
                    out += index * stride;
                    stride *= (int) xs[d];
                }
            }
            double v = map(kind.map, x[i]);
            acc[out] = switch (kind.combine) {
                case ADD -> acc[out] + v;
                case MAX -> Math.max(acc[out], v);
                case MIN -> Math.min(acc[out], v);
                case MUL -> acc[out] * v;
            };
        }
        float[] y = new float[outN];
        for (int i = 0; i < outN; i++) {
            y[i] = (float) switch (kind.finish) {
                case NONE -> acc[i];
                case MEAN -> acc[i] / count;
                case SQRT -> Math.sqrt(acc[i]);
                case LOG -> Math.log(acc[i]);
            };
        }
        return y;
    }
}
