// The window arithmetic and loops MaxPool and AveragePool share: a vectorized 2-D (and 1-D) path and a generic N-d path.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ir.ModelLoadException;
import dev.condense.ops.PoolAttrs;
import dev.condense.ops.SlidingWindow;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Every window is a box, so which taps fall inside the input is decided axis by axis: for each
 * spatial axis and output index the build step records the range of valid taps and the divisor
 * factor (valid taps, or taps inside the padded extent with count_include_pad, where a ceil-mode
 * window running past the end padding counts only up to it, as PyTorch counts). A
 * window's divisor is the product of its axes' factors.
 *
 * <p>The 2-D path (1-D runs as 2-D with height 1) is separable: for each output row it first
 * reduces the window's input rows into one row of W floats, vector across the width, then
 * reduces along that row, vectorized across output columns too (contiguous loads with stride 1,
 * gathers otherwise). Other ranks take the generic path, which visits every tap of every window and is the
 * reference the 2-D path is tested against.
 */
final class Pooling {

    enum Kind { MAX, AVERAGE }

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private final Kind kind;
    private final int rank;
    private final int[] in;
    private final int[] out;
    private final int[] kernel;
    private final int[] stride;
    private final int[] dilation;
    private final int[] padBegin;
    /** Per axis, per output index: the valid taps are {@code [tapLo, tapHi)}. */
    private final int[][] tapLo;
    private final int[][] tapHi;
    /** Per axis, per output index: this axis's factor of the window's divisor (AveragePool). */
    private final float[][] count;
    private final int[] inStrides;
    private final int[] outStrides;
    private final int inPlane;
    private final int outPlane;
    /** Output columns whose whole window lies inside the input's width: {@code [interiorLo, interiorHi)}. */
    private final int interiorLo;
    private final int interiorHi;
    /** Lane i's offset in a strided gather along the width: i * stride. */
    private final int[] laneOffsets;

    private Pooling(Kind kind, boolean countIncludePad, int[] in, int[] out, int[] kernel, int[] stride,
                    int[] dilation, int[] padBegin, int[] padEnd) {
        this.kind = kind;
        this.rank = in.length;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.dilation = dilation;
        this.padBegin = padBegin;
        this.tapLo = new int[rank][];
        this.tapHi = new int[rank][];
        this.count = new float[rank][];
        for (int d = 0; d < rank; d++) {
            tapLo[d] = new int[out[d]];
            tapHi[d] = new int[out[d]];
            count[d] = new float[out[d]];
            for (int o = 0; o < out[d]; o++) {
                long start = (long) o * stride[d] - padBegin[d];
                int[] valid = taps(start, kernel[d], dilation[d], 0, in[d]);
                tapLo[d][o] = valid[0];
                tapHi[d][o] = valid[1];
                int[] padded = countIncludePad ? taps(start, kernel[d], dilation[d], -padBegin[d], in[d] + padEnd[d])
                        : valid;
                count[d][o] = padded[1] - padded[0];
            }
        }
        this.inStrides = new int[rank];
        this.outStrides = new int[rank];
        int is = 1;
        int os = 1;
        for (int d = rank - 1; d >= 0; d--) {
            inStrides[d] = is;
            outStrides[d] = os;
            is = Math.multiplyExact(is, in[d]);
            os = Math.multiplyExact(os, out[d]);
        }
        this.inPlane = is;
        this.outPlane = os;
        int last = rank - 1;
        int lo = 0;
        while (lo < out[last] && !(tapLo[last][lo] == 0 && tapHi[last][lo] == kernel[last])) {
            lo++;
        }
        int hi = lo;
        while (hi < out[last] && tapLo[last][hi] == 0 && tapHi[last][hi] == kernel[last]) {
            hi++;
        }
        this.interiorLo = lo;
        this.interiorHi = hi;
        this.laneOffsets = new int[S.length()];
        for (int i = 0; i < laneOffsets.length; i++) {
            laneOffsets[i] = i * stride[last];
        }
    }

    /** The taps k in [0, size) whose position start + k * dilation lies in [from, to), as {lo, hi}. */
    private static int[] taps(long start, int size, int dilation, long from, long to) {
        long lo = Math.max(0, Math.ceilDiv(from - start, dilation));
        long hi = Math.min(size, Math.floorDiv(to - 1 - start, dilation) + 1);
        return new int[] {(int) lo, (int) Math.max(lo, hi)};
    }

    /** The kernel of a MaxPool or AveragePool node. */
    static Kernel create(KernelContext ctx, Kind kind) throws SessionException {
        return create(ctx, kind, false);
    }

    /** The same node through the generic path whatever its rank: the reference the 2-D path is tested against. */
    static Kernel reference(KernelContext ctx, Kind kind) throws SessionException {
        return create(ctx, kind, true);
    }

    private static Kernel create(KernelContext ctx, Kind kind, boolean generic) throws SessionException {
        PoolAttrs attrs = Kernels.attrs(ctx, PoolAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] xs = x.shape();
        SlidingWindow window = attrs.window();
        int r = window.spatialRank();
        if (xs.length != r + 2) {
            throw ctx.error("input " + x + " must be [N, C] and " + r + " spatial dimensions for kernel_shape "
                    + Arrays.toString(window.attrs().kernelShape()));
        }
        long[] spatial = Arrays.copyOfRange(xs, 2, xs.length);
        SlidingWindow.Placement placement;
        try {
            placement = attrs.resolve(ctx.node(), spatial);
        } catch (ModelLoadException e) {
            throw Kernels.fromImporter(e);
        }
        long[] outShape = new long[xs.length];
        outShape[0] = xs[0];
        outShape[1] = xs[1];
        System.arraycopy(placement.outputDims(), 0, outShape, 2, r);
        Kernels.requireShape(ctx, y, outShape, "output");
        if (ctx.outputCount() > 1 && !ctx.node().outputs().get(1).isEmpty()) {
            throw ctx.error("the Indices output is int64, which the vector engine does not compute");
        }
        long[] pads = placement.pads();
        int[] padBegin = new int[r];
        int[] padEnd = new int[r];
        int[] in = new int[r];
        int[] outDims = new int[r];
        for (int d = 0; d < r; d++) {
            padBegin[d] = Math.toIntExact(pads[d]);
            padEnd[d] = Math.toIntExact(pads[d + r]);
            in[d] = Math.toIntExact(spatial[d]);
            outDims[d] = Math.toIntExact(outShape[d + 2]);
        }
        int[] k = window.attrs().kernelShape();
        int[] s = window.attrs().strides();
        int[] dil = window.attrs().dilations();
        if (r == 1) {
            // 1-D as 2-D of height 1: one row, one vertical tap.
            in = new int[] {1, in[0]};
            outDims = new int[] {1, outDims[0]};
            k = new int[] {1, k[0]};
            s = new int[] {1, s[0]};
            dil = new int[] {1, dil[0]};
            padBegin = new int[] {0, padBegin[0]};
            padEnd = new int[] {0, padEnd[0]};
        }
        Pooling g = new Pooling(kind, attrs.countIncludePad(), in, outDims, k, s, dil, padBegin, padEnd);
        int planes = Kernels.product(xs, 0, 2);
        if (planes == 0 || g.outPlane == 0) {
            return Reshape.NOTHING;
        }
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / Math.max(1, g.inPlane));
        if (g.rank != 2 || generic) {
            // x: [N, C, D1, ..., Dr], y: [N, C, O1, ..., Or]
            return arena -> g.run(parallel, planes, grain, x.array(arena), x.offset(), arena, y.offset(), null, 0);
        }
        // x: [N, C, H, W], y: [N, C, OH, OW]; scratch: one row of W floats per plane
        Operand rows = ctx.scratch("rows", (long) planes * g.in[1]);
        return arena -> g.run(parallel, planes, grain, x.array(arena), x.offset(), arena, y.offset(), arena,
                rows.offset());
    }

    /** Planes split over the threads; {@code scratch} null selects the generic path. */
    private void run(Parallel parallel, int planes, int grain, float[] x, int xo, float[] y, int yo, float[] scratch,
                     int so) {
        if (Kernels.runsInline(parallel, planes, grain)) {
            planes(x, xo, y, yo, scratch, so, 0, planes);
        } else {
            parallel.forRange(planes, grain, (s, e) -> planes(x, xo, y, yo, scratch, so, s, e));
        }
    }

    private void planes(float[] x, int xo, float[] y, int yo, float[] scratch, int so, int from, int to) {
        for (int p = from; p < to; p++) {
            if (scratch == null) {
                planeGeneric(x, xo + p * inPlane, y, yo + p * outPlane);
            } else {
                plane2d(x, xo + p * inPlane, y, yo + p * outPlane, scratch, so + p * in[1]);
            }
        }
    }

    /** One [H, W] plane: rows of the window reduced into {@code v}, then along {@code v}. */
    private void plane2d(float[] x, int xo, float[] y, int yo, float[] v, int vo) {
        boolean max = kind == Kind.MAX;
        int width = in[1];
        int outWidth = out[1];
        int kw = kernel[1];
        int sw = stride[1];
        int dw = dilation[1];
        int pw = padBegin[1];
        for (int oh = 0; oh < out[0]; oh++) {
            int lo = tapLo[0][oh];
            int hi = tapHi[0][oh];
            int h0 = oh * stride[0] - padBegin[0];
            if (lo == hi) {
                Arrays.fill(v, vo, vo + width, max ? Float.NEGATIVE_INFINITY : 0f);
            } else {
                System.arraycopy(x, xo + (h0 + lo * dilation[0]) * width, v, vo, width);
                for (int kh = lo + 1; kh < hi; kh++) {
                    int row = xo + (h0 + kh * dilation[0]) * width;
                    if (max) {
                        Max.vv(v, vo, x, row, v, vo, width);
                    } else {
                        Add.vv(v, vo, x, row, v, vo, width);
                    }
                }
            }
            float rowCount = count[0][oh];
            int yr = yo + oh * outWidth;
            int ow = 0;
            for (; ow < interiorLo; ow++) {
                y[yr + ow] = column(v, vo, ow, rowCount, max);
            }
            // Interior columns: every tap inside the row. With stride 1 the lanes' taps are contiguous;
            // otherwise they are gathered, lane i reading column (ow + i) * stride.
            int bound = interiorLo + S.loopBound(interiorHi - interiorLo);
            float divisor = rowCount * kw;
            // (The loads are written out in both forms: a helper returning a vector would box it
            // whenever the JIT declined to inline the call.)
            for (; ow < bound; ow += S.length()) {
                int w0 = vo + ow * sw - pw;
                FloatVector acc = sw == 1 ? FloatVector.fromArray(S, v, w0)
                        : FloatVector.fromArray(S, v, w0, laneOffsets, 0);
                for (int k = 1; k < kw; k++) {
                    int at = w0 + k * dw;
                    FloatVector t = sw == 1 ? FloatVector.fromArray(S, v, at)
                            : FloatVector.fromArray(S, v, at, laneOffsets, 0);
                    acc = max ? acc.max(t) : acc.add(t);
                }
                (max ? acc : acc.div(divisor)).intoArray(y, yr + ow);
            }
            for (; ow < outWidth; ow++) {
                y[yr + ow] = column(v, vo, ow, rowCount, max);
            }
        }
    }

    /** Output column {@code ow} of the reduced row {@code v}, in scalar arithmetic. */
    private float column(float[] v, int vo, int ow, float rowCount, boolean max) {
        int w0 = vo + ow * stride[1] - padBegin[1];
        int dw = dilation[1];
        int lo = tapLo[1][ow];
        int hi = tapHi[1][ow];
        if (max) {
            float m = Float.NEGATIVE_INFINITY;
            for (int k = lo; k < hi; k++) {
                m = Math.max(m, v[w0 + k * dw]);
            }
            return m;
        }
        float sum = 0;
        for (int k = lo; k < hi; k++) {
            sum += v[w0 + k * dw];
        }
        return sum / (rowCount * count[1][ow]);
    }

    /** One plane of any spatial rank, every tap of every window visited; no allocation. */
    private void planeGeneric(float[] x, int xo, float[] y, int yo) {
        boolean max = kind == Kind.MAX;
        for (int o = 0; o < outPlane; o++) {
            float acc = taps(x, xo, o, 0, max);
            if (!max) {
                float divisor = 1;
                for (int d = 0; d < rank; d++) {
                    divisor *= count[d][(o / outStrides[d]) % out[d]];
                }
                acc /= divisor;
            }
            y[yo + o] = acc;
        }
    }

    /** The reduction over axes {@code d..rank} of output element {@code o}'s window, starting at input offset {@code off}. */
    private float taps(float[] x, int off, int o, int d, boolean max) {
        if (d == rank) {
            return x[off];
        }
        int od = (o / outStrides[d]) % out[d];
        int start = od * stride[d] - padBegin[d];
        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
        for (int k = tapLo[d][od]; k < tapHi[d][od]; k++) {
            float t = taps(x, off + (start + k * dilation[d]) * inStrides[d], o, d + 1, max);
            acc = max ? Math.max(acc, t) : acc + t;
        }
        return acc;
    }
}
