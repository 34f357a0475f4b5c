// NumPy broadcasting for the binary and variadic elementwise kernels: shapes collapsed once, rows walked per run.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Output dimensions of size 1 are dropped and neighbours that every input either spans or
 * broadcasts alike are merged, so the common CNN cases come out as one or two dimensions: equal
 * shapes and a scalar become one flat row; a per-channel {@code [C, 1, 1]} bias or an
 * {@code [N, C, 1, 1]} squeeze-and-excitation gate against {@code [N, C, H, W]} become rows of
 * H*W with one scalar per row; a {@code [K]} bias against {@code [N, K]} becomes rows that pair
 * vector with vector. Whatever remains, rows are walked with per-dimension strides. Each op
 * supplies three vector row loops ({@link Loops}); a row's inputs are contiguous or one value.
 */
final class Broadcast {

    /** A row where both inputs advance: {@code y[i] = op(a[i], b[i])}. {@code y} may be {@code a}. */
    @FunctionalInterface
    interface VectorVector {
        void apply(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n);
    }

    /** A row where {@code b} is one value: {@code y[i] = op(a[i], b)}. */
    @FunctionalInterface
    interface VectorScalar {
        void apply(float[] a, int ao, float b, float[] y, int yo, int n);
    }

    /** A row where {@code a} is one value: {@code y[i] = op(a, b[i])}. */
    @FunctionalInterface
    interface ScalarVector {
        void apply(float a, float[] b, int bo, float[] y, int yo, int n);
    }

    /** The op's scalar definition, the reference its loops are tested against. */
    @FunctionalInterface
    interface ScalarOp {
        float apply(float a, float b);
    }

    /** One binary op's row loops and scalar definition. */
    record Loops(VectorVector vv, VectorScalar vs, ScalarVector sv, ScalarOp scalar) {
    }

    /** Output floats one thread takes at least. */
    static final int GRAIN = 1 << 16;

    /** Collapsed output dims; the last is the row. */
    private final int[] dims;
    /** Per collapsed dim, the input's stride in elements: 0 where it is broadcast. */
    private final int[] aStrides;
    private final int[] bStrides;
    private final int rows;
    private final int row;

    private Broadcast(int[] dims, int[] aStrides, int[] bStrides) {
        this.dims = dims;
        this.aStrides = aStrides;
        this.bStrides = bStrides;
        this.row = dims[dims.length - 1];
        int r = 1;
        for (int i = 0; i < dims.length - 1; i++) {
            r = Math.multiplyExact(r, dims[i]);
        }
        this.rows = r;
    }

    /** The multidirectional broadcast of {@code shapes}, or an error naming them. */
    static long[] shape(KernelContext ctx, List<long[]> shapes) throws SessionException {
        int rank = 0;
        for (long[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        long[] out = new long[rank];
        Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int d = rank - s.length + i;
                if (s[i] != 1) {
                    if (out[d] != 1 && out[d] != s[i]) {
                        throw ctx.error("input shapes " + describe(shapes) + " do not broadcast: dimension " + d
                                + " is " + out[d] + " in one and " + s[i] + " in another");
                    }
                    out[d] = s[i];
                }
            }
        }
        return out;
    }

    /** How {@code a} and {@code b} map onto {@code out}; each must broadcast to it. */
    static Broadcast plan(KernelContext ctx, long[] out, long[] a, long[] b) throws SessionException {
        int rank = out.length;
        long[] pa = leftPad(ctx, a, out);
        long[] pb = leftPad(ctx, b, out);
        List<Integer> merged = new ArrayList<>();
        List<int[]> bits = new ArrayList<>();
        for (int d = 0; d < rank; d++) {
            if (out[d] == 1) {
                continue;
            }
            int[] bit = {pa[d] == out[d] ? 1 : 0, pb[d] == out[d] ? 1 : 0};
            if (!bits.isEmpty() && Arrays.equals(bits.getLast(), bit)) {
                merged.set(merged.size() - 1, Math.multiplyExact(merged.getLast(), Math.toIntExact(out[d])));
            } else {
                merged.add(Math.toIntExact(out[d]));
                bits.add(bit);
            }
        }
        if (merged.isEmpty()) {
            merged.add(1);
            bits.add(new int[] {1, 1});
        }
        int r = merged.size();
        int[] dims = new int[r];
        int[] as = new int[r];
        int[] bs = new int[r];
        int aStride = 1;
        int bStride = 1;
        for (int j = r - 1; j >= 0; j--) {
            dims[j] = merged.get(j);
            if (bits.get(j)[0] == 1) {
                as[j] = aStride;
                aStride = Math.multiplyExact(aStride, dims[j]);
            }
            if (bits.get(j)[1] == 1) {
                bs[j] = bStride;
                bStride = Math.multiplyExact(bStride, dims[j]);
            }
        }
        return new Broadcast(dims, as, bs);
    }

    private static long[] leftPad(KernelContext ctx, long[] s, long[] out) throws SessionException {
        if (s.length > out.length) {
            throw ctx.error("input shape " + Arrays.toString(s) + " has more dimensions than the output "
                    + Arrays.toString(out));
        }
        long[] p = new long[out.length];
        Arrays.fill(p, 1);
        for (int i = 0; i < s.length; i++) {
            int d = out.length - s.length + i;
            p[d] = s[i];
            if (s[i] != 1 && s[i] != out[d]) {
                throw ctx.error("input shape " + Arrays.toString(s) + " does not broadcast to the output "
                        + Arrays.toString(out) + " (dimension " + d + ")");
            }
        }
        return p;
    }

    /** The kernel of a two-input op: output 0 = op(input 0, input 1), broadcast. */
    static Kernel binary(KernelContext ctx, Loops loops) throws SessionException {
        Operand a = ctx.input(0);
        Operand b = ctx.input(1);
        Operand y = ctx.output(0);
        long[] out = shape(ctx, List.of(a.shape(), b.shape()));
        Kernels.requireShape(ctx, y, out, "output");
        Broadcast plan = plan(ctx, out, a.shape(), b.shape());
        Parallel parallel = ctx.parallel();
        // a: [broadcasts to y], b: [broadcasts to y], y: [broadcast of a and b]
        return arena -> plan.run(parallel, loops, a.array(arena), a.offset(), b.array(arena), b.offset(), arena,
                y.offset());
    }

    /**
     * The kernel of Sum, Mean, Max or Min over any number of inputs: the output takes the first two,
     * then folds each further input into itself, so no temporary is needed; Mean divides at the end.
     */
    static Kernel variadic(KernelContext ctx, Loops loops, boolean mean) throws SessionException {
        int count = ctx.inputCount();
        if (count < 1) {
            throw ctx.error("needs at least one input");
        }
        List<Operand> in = new ArrayList<>();
        List<long[]> shapes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            in.add(ctx.input(i));
            shapes.add(ctx.input(i).shape());
        }
        Operand y = ctx.output(0);
        long[] out = shape(ctx, shapes);
        Kernels.requireShape(ctx, y, out, "output");
        Parallel parallel = ctx.parallel();
        int n = y.size();
        if (count == 1) {
            // One input: the output is a copy (Mean of one is itself).
            Operand x = in.getFirst();
            return arena -> System.arraycopy(x.array(arena), x.offset(), arena, y.offset(), n);
        }
        Broadcast[] steps = new Broadcast[count - 1];
        steps[0] = plan(ctx, out, in.get(0).shape(), in.get(1).shape());
        for (int i = 2; i < count; i++) {
            steps[i - 1] = plan(ctx, out, out, in.get(i).shape());
        }
        Operand[] inputs = in.toArray(Operand[]::new);
        float divisor = count;
        Elementwise.Range divide = (xa, xo, ya, yo, m) -> Div.vs(xa, xo, divisor, ya, yo, m);
        return arena -> {
            int yo = y.offset();
            Operand a = inputs[0];
            Operand b = inputs[1];
            steps[0].run(parallel, loops, a.array(arena), a.offset(), b.array(arena), b.offset(), arena, yo);
            for (int i = 2; i < inputs.length; i++) {
                Operand c = inputs[i];
                steps[i - 1].run(parallel, loops, arena, yo, c.array(arena), c.offset(), arena, yo);
            }
            if (mean) {
                Elementwise.apply(parallel, divide, arena, yo, arena, yo, n);
            }
        };
    }

    /** Computes every output element, the rows split over {@code parallel}'s threads. */
    void run(Parallel parallel, Loops loops, float[] a, int ao, float[] b, int bo, float[] y, int yo) {
        if (rows == 1) {
            int blocks = (row + Elementwise.BLOCK - 1) / Elementwise.BLOCK;
            int grain = GRAIN / Elementwise.BLOCK;
            if (Kernels.runsInline(parallel, blocks, grain)) {
                rowRange(loops, a, ao, b, bo, y, yo, 0, row);
            } else {
                parallel.forRange(blocks, grain, (s, e) -> rowRange(loops, a, ao, b, bo, y, yo,
                        s * Elementwise.BLOCK, Math.min(row, e * Elementwise.BLOCK)));
            }
            return;
        }
        int grain = Math.max(1, GRAIN / Math.max(1, row));
        if (Kernels.runsInline(parallel, rows, grain)) {
            rows(loops, a, ao, b, bo, y, yo, 0, rows);
        } else {
            parallel.forRange(rows, grain, (s, e) -> rows(loops, a, ao, b, bo, y, yo, s, e));
        }
    }

    /** Elements {@code [from, to)} of the single row. */
    private void rowRange(Loops loops, float[] a, int ao, float[] b, int bo, float[] y, int yo, int from, int to) {
        int sa = aStrides[0];
        int sb = bStrides[0];
        row(loops, a, ao + sa * from, sa, b, bo + sb * from, sb, y, yo + from, to - from);
    }

    /** Rows {@code [from, to)}: each row's input offsets come from its index, dimension by dimension. */
    private void rows(Loops loops, float[] a, int ao, float[] b, int bo, float[] y, int yo, int from, int to) {
        int last = dims.length - 1;
        int sa = aStrides[last];
        int sb = bStrides[last];
        for (int r = from; r < to; r++) {
            int rest = r;
            int oa = ao;
            int ob = bo;
            for (int d = last - 1; d >= 0; d--) {
                int i = rest % dims[d];
                rest /= dims[d];
                oa += i * aStrides[d];
                ob += i * bStrides[d];
            }
            row(loops, a, oa, sa, b, ob, sb, y, yo + r * row, row);
        }
    }

    private static void row(Loops loops, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] y, int yo,
                            int n) {
        if (sa == 1 && sb == 1) {
            loops.vv().apply(a, ao, b, bo, y, yo, n);
        } else if (sa == 1) {
            loops.vs().apply(a, ao, b[bo], y, yo, n);
        } else if (sb == 1) {
            loops.sv().apply(a[ao], b, bo, y, yo, n);
        } else {
            Arrays.fill(y, yo, yo + n, loops.scalar().apply(a[ao], b[bo]));
        }
    }

    /**
     * The reference: every output index mapped back to each input by the broadcasting rule,
     * computed with the op's scalar definition. Independent of the collapsing above.
     */
    static float[] reference(ScalarOp op, float[] a, long[] aShape, float[] b, long[] bShape, long[] outShape) {
        int n = Kernels.product(outShape, 0, outShape.length);
        float[] y = new float[n];
        int[] index = new int[outShape.length];
        for (int i = 0; i < n; i++) {
            int rest = i;
            for (int d = outShape.length - 1; d >= 0; d--) {
                index[d] = (int) (rest % outShape[d]);
                rest /= (int) outShape[d];
            }
            y[i] = op.apply(a[offset(index, aShape)], b[offset(index, bShape)]);
        }
        return y;
    }

    /** The element of an input of {@code shape} that output {@code index} reads: size-1 dims read index 0. */
    static int offset(int[] index, long[] shape) {
        int off = 0;
        for (int i = 0; i < shape.length; i++) {
            int d = index.length - shape.length + i;
            off = off * (int) shape[i] + (shape[i] == 1 ? 0 : index[d]);
        }
        return off;
    }

    private static String describe(List<long[]> shapes) {
        return String.join(", ", shapes.stream().map(Arrays::toString).toList());
    }
}
