// The shared integer convolution and matrix product behind QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger and fused QDQ nodes.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import dev.condense.runtime.vector.gemm.Int8Gemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Every one of these ops computes, for output row (channel or feature) {@code n} and column
 * (pixel or matrix row) {@code p}, the exact integer {@code acc = sum_k (w[n][k] - zw[n]) * (x[k][p] - zx)}
 * and then one of three epilogues:
 * <ul>
 *   <li>{@link Output#INTEGER}: acc itself (ConvInteger, MatMulInteger: int32);</li>
 *   <li>{@link Output#QUANTIZED}: {@code saturate(round_half_even((acc + bias[n]) * sx * sw[n] / sy) + zy)}, with a fused
 *       Relu or Clip narrowing the saturation bounds to the quantized bounds (quantizing is
 *       monotone, so this is exactly quantize(act(v)));</li>
 *   <li>{@link Output#FLOAT}: {@code act((acc + bias[n]) * sx * sw[n])}, a QDQ convolution whose output is not
 *       quantized again.</li>
 * </ul>
 * When the weights, scales, zero points and bias are constants (every real model), the weights
 * are packed once for {@link Int8Gemm} and only activations are packed per run, as unsigned
 * bytes with a column sum taken on the way; {@code acc = S - b * rowSum[n] - a[n] * colSum[p] + K a[n] b}
 * with {@code a}, {@code b} the zero points in the stored (offset) domain. Otherwise (ONNX's
 * node tests feed everything as inputs) the plain twin {@link #reference} runs, reading all of it
 * on each run. Both use the same epilogue, so they agree exactly.
 */
final class QuantizedLinear {

    enum Output { INTEGER, QUANTIZED, FLOAT }

    /** Where an op's operands are: input indices (-1 for absent) and the output mode. */
    record Inputs(int x, int xScale, int xZero, int w, int wScale, int wZero, int yScale, int yZero, int bias,
                  Output output) {
    }

    /** Matrix products with at most this many rows run as rows of weights against one activation row. */
    static final int ROWS_LAYOUT_MAX_COLUMNS = 4;

    private QuantizedLinear() {
    }

    /**
     * The geometry of one product: {@code units} independent GEMMs (images times groups, or
     * batched matrices) of {@code rows x depth} weights by {@code depth x columns} activations.
     */
    abstract static class Layout {
        final int units;
        final int rows;
        final int columns;
        final int depth;

        Layout(int units, int rows, int columns, int depth) {
            this.units = units;
            this.rows = rows;
            this.columns = columns;
            this.depth = depth;
        }

        /** The weight operand's flat index of {@code w[row][k]} for {@code unit}. */
        abstract int weightIndex(int unit, int row, int k);

        /** The output channel (for per-channel parameters and bias) of {@code row} in {@code unit}. */
        abstract int channel(int unit, int row);

        /** The flat index of x[k][p] in the x operand, or -1 for padding. */
        abstract int xIndex(int unit, int k, int p);

        abstract int yIndex(int unit, int row, int p);

        /** Output elements between consecutive rows, and between consecutive columns. */
        abstract int rowStride();

        abstract int columnStride();
    }

    /** A convolution: unit = (image, group); rows = output channels of the group; columns = output pixels. */
    static final class ConvLayout extends Layout {
        private final Conv.Geometry g;
        private final int cg;
        private final int mg;
        private final int kArea;

        /** Per k = (c, kh, kw): its offset in the bordered input from a window's top-left corner. */
        private final int[] kOffset;
        private final int paddedH;
        private final int paddedW;

        ConvLayout(Conv.Geometry g) {
            super(g.batch() * g.group(), g.outChannels() / g.group(), g.outH() * g.outW(),
                    g.channels() / g.group() * g.kernelH() * g.kernelW());
            this.g = g;
            this.cg = g.channels() / g.group();
            this.mg = g.outChannels() / g.group();
            this.kArea = g.kernelH() * g.kernelW();
            this.paddedH = g.paddedHeight();
            this.paddedW = g.paddedWidth();
            kOffset = new int[depth];
            for (int k = 0; k < depth; k++) {
                int r = k % kArea;
                kOffset[k] = Math.addExact(Math.multiplyExact(k / kArea, Math.multiplyExact(paddedH, paddedW)),
                        (r / g.kernelW()) * g.dilationH() * paddedW + (r % g.kernelW()) * g.dilationW());
            }
        }

        /** True when every window lies inside the input: no padding, and no row or column past it. */
        boolean unbordered() {
            return paddedH == g.height() && paddedW == g.width() && g.padTop() == 0 && g.padLeft() == 0;
        }

        /** Writes x + offset into {@code dst} with a border of {@code zero} wide enough for every window. */
        void border(float[] xa, int xo, float[] dst, int dOff, int offset, int zero) {
            int h = g.height();
            int w = g.width();
            int planes = g.batch() * g.channels();
            java.util.Arrays.fill(dst, dOff, dOff + planes * paddedH * paddedW, zero);
            for (int plane = 0; plane < planes; plane++) {
                for (int r = 0; r < h; r++) {
                    int from = xo + (plane * h + r) * w;
                    int to = dOff + (plane * paddedH + r + g.padTop()) * paddedW + g.padLeft();
                    for (int c = 0; c < w; c++) {
                        dst[to + c] = xa[from + c] + offset;
                    }
                }
            }
        }

        /**
         * Columns {@code [p0, p0 + cols)} of the im2col matrix of {@code unit}, read from the bordered
         * input at {@code arena[pOff..]} by gathers (any stride or row wrap alike), into a packed block
         * of pairs; {@code columnSums} gets each column's sum. Columns past {@code cols} repeat the
         * first: their sums are never stored.
         */
        void pack(float[] arena, int pOff, int unit, int p0, int cols, int[] b, int[] columnSums, int[] start) {
            int image = unit / g.group();
            int base = pOff + (image * g.channels() + (unit % g.group()) * cg) * paddedH * paddedW;
            for (int q = 0; q < Int8Gemm.NP; q++) {
                int p = p0 + Math.min(q, cols - 1);
                start[q] = (p / g.outW()) * g.strideH() * paddedW + (p % g.outW()) * g.strideW();
            }
            int lanes = Int8Gemm.LANES;
            var fs = Int8Gemm.FLOATS;
            var is = Int8Gemm.INT;
            IntVector sum0 = IntVector.zero(is);
            IntVector sum1 = IntVector.zero(is);
            IntVector zero = IntVector.zero(is);
            int pairs = (depth + 1) / 2;
            for (int j = 0; j < pairs; j++) {
                int k0 = 2 * j;
                int k1 = k0 + 1;
                int at = j * Int8Gemm.NP;
                IntVector a0 = (IntVector) FloatVector.fromArray(fs, arena, base + kOffset[k0], start, 0)
                        .convert(VectorOperators.F2I, 0);
                IntVector a1 = (IntVector) FloatVector.fromArray(fs, arena, base + kOffset[k0], start, lanes)
                        .convert(VectorOperators.F2I, 0);
                IntVector c0 = zero;
                IntVector c1 = zero;
                if (k1 < depth) {
                    c0 = (IntVector) FloatVector.fromArray(fs, arena, base + kOffset[k1], start, 0)
                            .convert(VectorOperators.F2I, 0);
                    c1 = (IntVector) FloatVector.fromArray(fs, arena, base + kOffset[k1], start, lanes)
                            .convert(VectorOperators.F2I, 0);
                }
                a0.or(c0.lanewise(VectorOperators.LSHL, 16)).intoArray(b, at);
                a1.or(c1.lanewise(VectorOperators.LSHL, 16)).intoArray(b, at + lanes);
                sum0 = sum0.add(a0).add(c0);
                sum1 = sum1.add(a1).add(c1);
            }
            sum0.intoArray(columnSums, 0);
            sum1.intoArray(columnSums, lanes);
        }

        @Override
        int weightIndex(int unit, int row, int k) {
            return (channel(unit, row)) * depth + k;
        }

        @Override
        int channel(int unit, int row) {
            return (unit % g.group()) * mg + row;
        }

        @Override
        int xIndex(int unit, int k, int p) {
            int c = k / kArea;
            int r = k % kArea;
            int ih = (p / g.outW()) * g.strideH() - g.padTop() + (r / g.kernelW()) * g.dilationH();
            int iw = (p % g.outW()) * g.strideW() - g.padLeft() + (r % g.kernelW()) * g.dilationW();
            if (ih < 0 || ih >= g.height() || iw < 0 || iw >= g.width()) {
                return -1;
            }
            int image = unit / g.group();
            return ((image * g.channels() + (unit % g.group()) * cg + c) * g.height() + ih) * g.width() + iw;
        }

        @Override
        int yIndex(int unit, int row, int p) {
            int image = unit / g.group();
            return (image * g.outChannels() + channel(unit, row)) * columns + p;
        }

        @Override
        int rowStride() {
            return columns;
        }

        @Override
        int columnStride() {
            return 1;
        }
    }

    /** A matrix product A[.., M, K] x B[K, N] (B [N, K] when {@code weightsNK}); batched B has one matrix per unit. */
    static final class MatMulLayout extends Layout {
        private final boolean weightsNK;
        private final boolean batchedB;

        MatMulLayout(int batch, int m, int k, int n, boolean weightsNK, boolean batchedB) {
            super(batch, n, m, k);
            this.weightsNK = weightsNK;
            this.batchedB = batchedB;
        }

        @Override
        int weightIndex(int unit, int row, int k) {
            int base = batchedB ? unit * rows * depth : 0;
            return base + (weightsNK ? row * depth + k : k * rows + row);
        }

        @Override
        int channel(int unit, int row) {
            return row;
        }

        @Override
        int xIndex(int unit, int k, int p) {
            return (unit * columns + p) * depth + k;
        }

        @Override
        int yIndex(int unit, int row, int p) {
            return (unit * columns + p) * rows + row;
        }

        @Override
        int rowStride() {
            return 1;
        }

        @Override
        int columnStride() {
            return rows;
        }
    }

    /** What every run needs: operands, parameters, the epilogue. */
    private record Spec(Layout layout, Operand x, DataType xType, QuantParams xq, Operand w, DataType wType,
                        QuantParams wq, QuantParams yq, DataType yType, Operand bias, boolean biasIsInteger,
                        Output output, Activation act, Operand y, int channels) {
    }

    static Kernel create(KernelContext ctx, Layout layout, Inputs in) throws SessionException {
        Operand x = ctx.input(in.x());
        Operand w = ctx.input(in.w());
        Operand y = ctx.output(0);
        DataType xType = QuantParams.requireQuantized(ctx, in.x(), "input", false);
        DataType wType = QuantParams.requireQuantized(ctx, in.w(), "weight", false);
        QuantParams xq = QuantParams.of(ctx, "x", in.xScale(), in.xZero(), xType, x.shape(), 1, false);
        int channels = layout.rows * (layout instanceof ConvLayout c ? c.g.group() : 1);
        QuantParams wq = QuantParams.of(ctx, "w", in.wScale(), in.wZero(), wType, new long[] {channels}, 0, true);
        QuantParams yq = null;
        DataType yType = y.dtype();
        Output output = in.output();
        if (output == Output.QUANTIZED) {
            if (!ctx.hasInput(in.yScale())) {
                output = Output.FLOAT;
            } else {
                if (yType != DataType.UINT8 && yType != DataType.INT8) {
                    throw ctx.error("output '" + y.name() + "' is " + yType.displayName() + "; expected uint8 or int8");
                }
                yq = QuantParams.of(ctx, "y", in.yScale(), in.yZero(), yType, y.shape(), 1, false);
            }
        }
        Activation act = ctx.activation();
        if (output == Output.QUANTIZED && act.kind() == Activation.Kind.LEAKY_RELU) {
            throw ctx.error("a LeakyRelu cannot be fused into a quantized output");
        }
        Operand bias = in.bias() >= 0 && ctx.hasInput(in.bias()) ? ctx.input(in.bias()) : null;
        boolean biasIsInteger = false;
        if (bias != null) {
            DataType bt = QuantParams.typeOf(ctx, in.bias());
            biasIsInteger = bt == DataType.INT32;
            if (!biasIsInteger && bt != DataType.FLOAT) {
                throw ctx.error("bias '" + bias.name() + "' is " + bt.displayName() + "; expected int32 (or float32)");
            }
            if (bias.size() != channels) {
                throw ctx.error("bias " + bias + " must hold one value per output channel, " + channels);
            }
        }
        if (layout.depth > Int8Gemm.MAX_K) {
            throw ctx.error("the reduction is " + layout.depth + " long; int32 sums of 8-bit products are exact up to "
                    + Int8Gemm.MAX_K);
        }
        Spec spec = new Spec(layout, x, xType, xq, w, wType, wq, yq, yType, bias, biasIsInteger, output, act, y,
                channels);
        boolean constant = w.isConstant() && xq.isConstant() && wq.isConstant() && (yq == null || yq.isConstant())
                && (bias == null || bias.isConstant()) && !(layout instanceof MatMulLayout m && m.batchedB);
        if (!constant) {
            return arena -> reference(spec, arena);
        }
        Operand padded = layout instanceof ConvLayout c
                ? ctx.scratch("paddedInput", (long) c.g.batch() * c.g.channels() * c.g.paddedHeight() * c.g.paddedWidth())
                : null;
        return Fast.create(spec, ctx.parallel(), w.constant(), padded);
    }

    // ---- epilogue, shared ----

    /**
     * The per-channel constants of the epilogue for one run: {@code v = (float) acc * multiplier[c] + offset[c]}
     * in float32 (offset = bias times multiplier, plus y's zero point when quantizing), then
     * round half to even and saturate, or the activation. The packed path computes the same float
     * operations lane by lane, so it and the twin agree bit for bit.
     */
    private record Epilogue(float[] multiplier, float[] offset, float lo, float hi, Output output, Activation act) {

        static Epilogue of(Spec s, float[] arena) {
            QuantParams.Resolved xr = s.xq().resolve(arena);
            QuantParams.Resolved wr = s.wq().resolve(arena);
            int channels = s.channels();
            float[] mult = new float[channels];
            float[] offset = new float[channels];
            float lo = Float.NEGATIVE_INFINITY;
            float hi = Float.POSITIVE_INFINITY;
            float zy = 0;
            float sy = 1;
            if (s.output() == Output.QUANTIZED) {
                QuantParams.Resolved yr = s.yq().resolve(arena);
                sy = yr.scale()[0];
                zy = yr.zeroPoint()[0];
                lo = QuantParams.min(s.yType());
                hi = QuantParams.max(s.yType());
                Activation a = s.act();
                if (a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.CLIP) {
                    lo = Math.max(lo, QuantParams.saturate(Math.rint(a.min() / sy) + zy, lo, hi));
                    hi = Math.min(hi, QuantParams.saturate(Math.rint(a.max() / sy) + zy, lo, hi));
                }
            }
            for (int c = 0; c < channels; c++) {
                float sw = wr.scale()[s.wq().channels == 1 ? 0 : c];
                // x_scale * w_scale / y_scale in float32, as the ONNX reference forms it.
                float sxw = xr.scale()[0] * sw;
                mult[c] = s.output() == Output.QUANTIZED ? sxw / sy : s.output() == Output.FLOAT ? sxw : 1f;
                double biasAcc = 0;
                if (s.bias() != null) {
                    float b = s.bias().array(arena)[s.bias().offset() + c];
                    biasAcc = s.biasIsInteger() ? b : b / (double) sxw;
                }
                offset[c] = (float) (biasAcc * mult[c]) + zy;
            }
            return new Epilogue(mult, offset, lo, hi, s.output(), s.act());
        }

        float apply(long acc, int c) {
            float v = (float) acc * multiplier[c] + offset[c];
            return switch (output) {
                case INTEGER -> (float) acc;
                case QUANTIZED -> QuantParams.saturate(Math.rint(v), lo, hi);
                case FLOAT -> act.apply(v);
            };
        }
    }

    // ---- the plain twin ----

    /** Every output from the definition: long sums over the operands as they are in this run. */
    static void reference(Spec s, float[] arena) {
        Layout l = s.layout();
        Epilogue e = Epilogue.of(s, arena);
        QuantParams.Resolved xr = s.xq().resolve(arena);
        QuantParams.Resolved wr = s.wq().resolve(arena);
        float[] xa = s.x().array(arena);
        int xo = s.x().offset();
        float[] wa = s.w().array(arena);
        int wo = s.w().offset();
        float[] ya = s.y().array(arena);
        int yo = s.y().offset();
        int zx = xr.zeroPoint()[0];
        for (int u = 0; u < l.units; u++) {
            for (int row = 0; row < l.rows; row++) {
                int c = l.channel(u, row);
                int zw = wr.zeroPoint()[s.wq().channels == 1 ? 0 : c];
                for (int p = 0; p < l.columns; p++) {
                    long acc = 0;
                    for (int k = 0; k < l.depth; k++) {
                        int xi = l.xIndex(u, k, p);
                        long xv = xi < 0 ? zx : (long) xa[xo + xi];
                        acc += ((long) wa[wo + l.weightIndex(u, row, k)] - zw) * (xv - zx);
                    }
                    ya[yo + l.yIndex(u, row, p)] = e.apply(acc, c);
                }
            }
        }
    }

    // ---- the packed int8 path ----

    /** Weights packed once; activations packed per block of columns in each thread's scratch. */
    private static final class Fast {
        private final Spec s;
        private final Parallel parallel;
        private final Layout l;
        private final boolean rowsLayout;
        /** Per unit-weight set (group, or 1): packed pairs or signed rows. */
        private final int[][] pairs;
        private final byte[][] rowBytes;
        /** Per output channel: the stored weights' row sum and zero point in the stored domain. */
        private final int[] rowSum;
        private final int[] weightZero;
        /** Offset that makes x unsigned, and the x zero point in that domain. */
        private final int xOffset;
        private final int xZero;
        private final Epilogue epilogue;
        private final int weightSets;
        /** A convolution's input, unsigned (x + offset), in a zero-point border: packing then needs no bounds tests. */
        private final Operand padded;
        /** Unpadded uint8 input that every window stays inside: packing reads x itself. */
        private final boolean direct;
        private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

        private Fast(Spec s, Parallel parallel, float[] w, Operand padded) {
            this.s = s;
            this.padded = padded;
            this.direct = s.layout() instanceof ConvLayout c && c.unbordered() && s.xType() == DataType.UINT8;
            this.parallel = parallel;
            this.l = s.layout();
            this.rowsLayout = l instanceof MatMulLayout && l.columns <= ROWS_LAYOUT_MAX_COLUMNS;
            int sets = l instanceof ConvLayout c ? c.g.group() : 1;
            this.weightSets = sets;
            QuantParams.Resolved wr = s.wq().constant();
            QuantParams.Resolved xr = s.xq().constant();
            int wOffset = s.wType() == DataType.INT8 ? 128 : 0;
            // Rows keep signed bytes: stored = w + wOffset - 128.
            int stored = rowsLayout ? wOffset - 128 : wOffset;
            int channels = sets * l.rows;
            rowSum = new int[channels];
            weightZero = new int[channels];
            pairs = new int[sets][];
            rowBytes = new byte[sets][];
            for (int set = 0; set < sets; set++) {
                int[] u = new int[Math.multiplyExact(l.rows, l.depth)];
                for (int row = 0; row < l.rows; row++) {
                    int c = set * l.rows + row;
                    long sum = 0;
                    for (int k = 0; k < l.depth; k++) {
                        int v = (int) w[l.weightIndex(set, row, k)] + stored;
                        u[row * l.depth + k] = v;
                        sum += v;
                    }
                    rowSum[c] = Math.toIntExact(sum);
                    weightZero[c] = wr.zeroPoint()[s.wq().channels == 1 ? 0 : c] + stored;
                }
                if (rowsLayout) {
                    byte[] b = new byte[u.length];
                    for (int i = 0; i < u.length; i++) {
                        b[i] = (byte) u[i];
                    }
                    rowBytes[set] = b;
                } else {
                    pairs[set] = Int8Gemm.packPairs(u, l.rows, l.depth);
                }
            }
            xOffset = s.xType() == DataType.INT8 ? 128 : 0;
            xZero = xr.zeroPoint()[0] + xOffset;
            epilogue = Epilogue.of(s, null);
        }

        static Kernel create(Spec s, Parallel parallel, float[] w, Operand padded) {
            Fast f = new Fast(s, parallel, w, padded);
            return f.rowsLayout ? f::runRows : f::runPairs;
        }

        /** One thread's packing buffers, grown to the largest layer it has run. */
        private static final class Scratch {
            int[] block = new int[0];
            int[] sums = new int[Int8Gemm.MR * Int8Gemm.NP];
            int[] columnSums = new int[Int8Gemm.NP];
            short[] row = new short[0];
            int[] rowStart = new int[Int8Gemm.NP];
            float[] staging = new float[Int8Gemm.NP];
            long[] rowSums = new long[0];
        }

        private void runPairs(float[] arena) {
            int blocks = Math.ceilDiv(l.columns, Int8Gemm.NP);
            int rowBlocks = Math.ceilDiv(l.rows, Int8Gemm.MR);
            long tasks = (long) l.units * blocks;
            // Too few column blocks to go round (late layers at batch 1): split the rows as well.
            int rowSplit = (int) Math.min(rowBlocks, Math.max(1, Math.ceilDiv(2L * parallel.threads(), tasks)));
            int chunk = Math.ceilDiv(rowBlocks, rowSplit);
            int total = Math.toIntExact(tasks * rowSplit);
            float[] xa = s.x().array(arena);
            float[] ya = s.y().array(arena);
            if (l instanceof ConvLayout conv && !direct) {
                conv.border(xa, s.x().offset(), arena, padded.offset(), xOffset, xZero);
            }
            parallel.forRange(total, 1, (t0, t1) -> {
                Scratch sc = SCRATCH.get();
                int size = Int8Gemm.blockSize(l.depth);
                if (sc.block.length < size) {
                    sc.block = new int[size];
                }
                for (int t = t0; t < t1; t++) {
                    int split = t % rowSplit;
                    int ub = t / rowSplit;
                    int unit = ub / blocks;
                    int p0 = (ub % blocks) * Int8Gemm.NP;
                    pack(xa, arena, unit, p0, sc);
                    int set = unit % weightSets;
                    int nb1 = Math.min(rowBlocks, (split + 1) * chunk);
                    for (int nb = split * chunk; nb < nb1; nb++) {
                        Int8Gemm.pairsBlock(pairs[set], nb, (l.depth + 1) / 2, sc.block, sc.sums);
                        store(ya, unit, nb, p0, sc);
                    }
                }
            });
        }

        /** Packs columns {@code [p0, p0 + NP)} of unit's x as unsigned pairs; padding and missing columns read as zero point. */
        private void pack(float[] xa, float[] arena, int unit, int p0, Scratch sc) {
            int[] b = sc.block;
            int np = Int8Gemm.NP;
            int cols = Math.min(np, l.columns - p0);
            if (l instanceof ConvLayout conv) {
                if (direct) {
                    conv.pack(xa, s.x().offset(), unit, p0, cols, b, sc.columnSums, sc.rowStart);
                } else {
                    conv.pack(arena, padded.offset(), unit, p0, cols, b, sc.columnSums, sc.rowStart);
                }
                return;
            }
            // Matrix rows: x[k][q] = a[p0 + q][k]; missing columns and the odd K's partner are zeros.
            int xo = s.x().offset();
            java.util.Arrays.fill(sc.columnSums, 0);
            int pairs = (l.depth + 1) / 2;
            for (int j = 0; j < pairs; j++) {
                int at = j * np;
                for (int q = 0; q < np; q++) {
                    int v = 0;
                    if (q < cols) {
                        int lo = (int) xa[xo + l.xIndex(unit, 2 * j, p0 + q)] + xOffset;
                        int hi = 2 * j + 1 < l.depth ? (int) xa[xo + l.xIndex(unit, 2 * j + 1, p0 + q)] + xOffset : 0;
                        v = lo | hi << 16;
                        sc.columnSums[q] += lo + hi;
                    }
                    b[at + q] = v;
                }
            }
        }

        /**
         * The epilogue of one micro-kernel block. Sums and zero-point terms are ints modulo 2^32 (the
         * corrected sum fits: K <= MAX_K); convolution rows are contiguous and finish a vector at a time.
         */
        private void store(float[] ya, int unit, int nb, int p0, Scratch sc) {
            int yo = s.y().offset();
            int np = Int8Gemm.NP;
            int lanes = Int8Gemm.LANES;
            int cols = Math.min(np, l.columns - p0);
            int b = xZero;
            boolean contiguous = l.columnStride() == 1;
            Epilogue e = epilogue;
            boolean quantized = e.output() == Output.QUANTIZED;
            IntVector col0 = IntVector.fromArray(Int8Gemm.INT, sc.columnSums, 0);
            IntVector col1 = IntVector.fromArray(Int8Gemm.INT, sc.columnSums, lanes);
            for (int r = 0; r < Int8Gemm.MR; r++) {
                int row = nb * Int8Gemm.MR + r;
                if (row >= l.rows) {
                    break;
                }
                int c = l.channel(unit, row);
                int a = weightZero[c];
                int fixed = l.depth * a * b - b * rowSum[c];
                int yi = yo + l.yIndex(unit, row, p0);
                if (!contiguous) {
                    int step = l.columnStride();
                    for (int q = 0; q < cols; q++) {
                        int acc = sc.sums[r * np + q] + fixed - a * sc.columnSums[q];
                        ya[yi + q * step] = e.apply(acc, c);
                    }
                    continue;
                }
                float m = e.multiplier()[c];
                float off = e.offset()[c];
                for (int half = 0; half < 2; half++) {
                    IntVector acc = IntVector.fromArray(Int8Gemm.INT, sc.sums, r * np + half * lanes).add(fixed)
                            .sub((half == 0 ? col0 : col1).mul(a));
                    FloatVector v = (FloatVector) acc.convert(VectorOperators.I2F, 0);
                    if (quantized) {
                        // Saturate, then round half to even by adding and removing 1.5 * 2^23: exact for |v| < 2^22.
                        v = v.mul(m).add(off).max(e.lo()).min(e.hi()).add(ROUNDING).sub(ROUNDING);
                    } else if (e.output() == Output.FLOAT) {
                        v = v.mul(m).add(off);
                    }
                    // A block's last columns past the layer's go to a staging row, not over the next row's outputs.
                    v.intoArray(cols == np ? ya : sc.staging, cols == np ? yi + half * lanes : half * lanes);
                }
                if (cols < np) {
                    System.arraycopy(sc.staging, 0, ya, yi, cols);
                }
                if (e.output() == Output.FLOAT && !e.act().isNone()) {
                    e.act().finish(ya, yi, 0f, null, 0, ya, yi, cols);
                }
            }
        }

        /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest even integer. */
        private static final float ROUNDING = 12582912f;

        private void runRows(float[] arena) {
            float[] xa = s.x().array(arena);
            float[] ya = s.y().array(arena);
            int xo = s.x().offset();
            int yo = s.y().offset();
            int grain = Math.max(4, 65536 / Math.max(1, l.depth));
            for (int unit = 0; unit < l.units; unit++) {
                for (int p = 0; p < l.columns; p++) {
                    // The activation row, unsigned, converted once and read by every thread.
                    Scratch mine = SCRATCH.get();
                    if (mine.row.length < l.depth) {
                        mine.row = new short[l.depth];
                    }
                    short[] xs = mine.row;
                    long colSum = 0;
                    for (int k = 0; k < l.depth; k++) {
                        int v = (int) xa[xo + l.xIndex(unit, k, p)] + xOffset;
                        xs[k] = (short) v;
                        colSum += v;
                    }
                    long cs = colSum;
                    int u = unit;
                    int col = p;
                    parallel.forRange(l.rows, grain, (n0, n1) -> {
                        Scratch sc = SCRATCH.get();
                        if (sc.rowSums.length < l.rows) {
                            sc.rowSums = new long[l.rows];
                        }
                        long[] sums = sc.rowSums;
                        Int8Gemm.rows(rowBytes[0], l.depth, n0, n1, xs, sums);
                        long b = xZero;
                        for (int row = n0; row < n1; row++) {
                            long a = weightZero[row];
                            long acc = sums[row] - b * rowSum[row] - a * cs + (long) l.depth * a * b;
                            ya[yo + l.yIndex(u, row, col)] = epilogue.apply(acc, row);
                        }
                    });
                }
            }
        }
    }
}
