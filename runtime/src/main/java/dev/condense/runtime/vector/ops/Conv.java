// Conv: 2-D (and 1-D) convolution with groups, dilation, strides, pads and auto_pad, over packed GEMM or depthwise.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ops.ConvAttrs;
import dev.condense.ops.SlidingWindow;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import dev.condense.runtime.vector.gemm.BPacker;
import dev.condense.runtime.vector.gemm.Im2colB;
import dev.condense.runtime.vector.gemm.PackedA;
import dev.condense.runtime.vector.gemm.RowMajorB;
import dev.condense.runtime.vector.gemm.Sgemm;
import dev.condense.runtime.vector.gemm.TransposedGemm;

/**
 * Four paths, chosen once at build time:
 * <ul>
 *   <li>depthwise (one input and one output channel per group): a direct kernel, since a GEMM of
 *       one row would waste the micro-kernel ({@link DepthwiseConv});</li>
 *   <li>3x3 at stride 1 with enough channels: Winograd's F(2x2, 3x3), sixteen GEMMs with 2.25x fewer
 *       multiplies ({@link WinogradConv});</li>
 *   <li>1x1, stride 1, no padding: the input plane is B as it is;</li>
 *   <li>anything else: B is the im2col view, packed straight from the input.</li>
 * </ul>
 * Weights are packed per group at build time; the bias and any fused activation are applied as
 * the GEMM writes its last K-block. Work is split over images, groups and column blocks, or over
 * row panels when a layer has too few columns to go round (late layers of a batch-1 ResNet).
 */
final class Conv {

    /** Layers with at most this many output positions per image run as {@link TransposedGemm}. */
    static final int TRANSPOSED_MAX_COLUMNS = 64;

    private Conv() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        Operand x = ctx.input(0);
        Operand w = ctx.input(1);
        Operand y = ctx.output(0);
        int rank = x.rank();
        if (rank == 5) {
            return Conv3d.create(ctx);
        }
        if (rank != 3 && rank != 4) {
            throw ctx.error("the vector engine convolves 1-D, 2-D and 3-D inputs; got input " + x);
        }
        Geometry g = geometry(ctx, x, w, y);
        Operand bias = ctx.hasInput(2) ? ctx.input(2) : null;
        if (bias != null && bias.size() != g.outChannels) {
            throw ctx.error("bias " + bias + " must hold one value per output channel, " + g.outChannels);
        }
        Activation act = ctx.activation();
        Operand residual = ctx.residual().orElse(null);
        if (g.group == g.channels && g.outChannels == g.channels) {
            if (act.kind() == Activation.Kind.FAKE_QUANT) {
                throw ctx.error("a depthwise convolution takes no fused quantization");
            }
            if (residual != null) {
                throw ctx.error("a depthwise convolution takes no fused residual");
            }
            return DepthwiseConv.create(ctx.parallel(), x, w, bias, y, g, act);
        }
        if (WinogradConv.applies(g, w.isConstant() && (bias == null || bias.isConstant()))) {
            return WinogradConv.create(ctx, x, w, bias, residual, y, g, act);
        }
        Operand padded = null;
        if (g.subsampled()) {
            padded = ctx.scratch("subsampled", (long) g.batch * g.channels * g.outH * g.outW);
        } else if (g.parity()) {
            padded = ctx.scratch("parity", (long) g.batch * g.channels * 2 * g.paddedHeight() * g.half());
        } else if (!g.pointwise()
                && (g.padTop > 0 || g.padLeft > 0 || g.paddedHeight() > g.height || g.paddedWidth() > g.width)) {
            padded = ctx.scratch("padded", (long) g.batch * g.channels * g.paddedHeight() * g.paddedWidth());
        }
        return gemm(ctx, x, y, g, w, bias, residual, padded, act);
    }

    /**
     * The sizes of the convolution of {@code x} [N, C, (H,) W] by {@code w} [M, C/group, (kH,) kW]
     * into {@code y}, a 1-D one seen as 2-D of height 1; shared with the integer convolutions.
     */
    static Geometry geometry(KernelContext ctx, Operand x, Operand w, Operand y) throws SessionException {
        int rank = x.rank();
        if (rank != 3 && rank != 4) {
            throw ctx.error("expected a 1-D or 2-D convolution, got input " + x);
        }
        ConvAttrs attrs;
        SlidingWindow window;
        SlidingWindow.Placement placement;
        int[] kernel = new int[rank - 2];
        long[] spatial = new long[rank - 2];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = Math.toIntExact(w.dim(i + 2));
            spatial[i] = x.dim(i + 2);
        }
        try {
            attrs = ConvAttrs.of(ctx.node(), ctx.opset());
            window = attrs.window(ctx.node(), kernel);
            placement = window.resolve(ctx.node(), spatial);
        } catch (ModelLoadException e) {
            throw ctx.error(e.getMessage());
        }
        // A 1-D convolution is a 2-D one of height 1.
        boolean oneD = rank == 3;
        int[] strides = window.attrs().strides();
        int[] dilations = window.attrs().dilations();
        int last = kernel.length - 1;
        Geometry g = new Geometry(
                Math.toIntExact(x.dim(0)), Math.toIntExact(x.dim(1)),
                oneD ? 1 : Math.toIntExact(x.dim(2)), Math.toIntExact(x.dim(rank - 1)),
                Math.toIntExact(w.dim(0)), attrs.group(),
                oneD ? 1 : kernel[0], kernel[kernel.length - 1],
                oneD ? 1 : strides[0], strides[last],
                oneD ? 0 : (int) placement.pads()[0], (int) placement.pads()[oneD ? 0 : 1],
                oneD ? 1 : dilations[0], dilations[last],
                oneD ? 1 : Math.toIntExact(y.dim(2)), Math.toIntExact(y.dim(rank - 1)));
        if (g.channels % g.group != 0 || g.outChannels % g.group != 0 || w.dim(1) != g.channels / g.group) {
            throw ctx.error("input " + x + " and weight " + w + " do not agree with group " + g.group);
        }
        return g;
    }

    /** Every size of one convolution, as ints (activations fit a float array). */
    record Geometry(int batch, int channels, int height, int width, int outChannels, int group,
                    int kernelH, int kernelW, int strideH, int strideW, int padTop, int padLeft,
                    int dilationH, int dilationW, int outH, int outW) {

        boolean pointwise() {
            return kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0;
        }

        /** A strided 1x1 convolution: the input is subsampled first, then it is a pointwise one. */
        boolean subsampled() {
            return kernelH == 1 && kernelW == 1 && padTop == 0 && padLeft == 0 && (strideH > 1 || strideW > 1)
                    && dilationH == 1 && dilationW == 1;
        }

        /** A stride-2 convolution whose padded input is split into even and odd columns for packing. */
        boolean parity() {
            return strideH == 2 && strideW == 2 && dilationH == 1 && dilationW == 1 && kernelW > 1;
        }

        /** Columns of each parity plane. */
        int half() {
            return Math.ceilDiv(paddedWidth(), 2);
        }

        /** Rows the windows reach, top padding included: the height of the zero-bordered copy. */
        int paddedHeight() {
            return Math.max(height + padTop, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1);
        }

        int paddedWidth() {
            return Math.max(width + padLeft, (outW - 1) * strideW + (kernelW - 1) * dilationW + 1);
        }
    }

    /**
     * Weights packed per group, once at build time when the weight and bias are constants (every
     * exported model), else on every run (ONNX's node tests feed them as inputs).
     */
    private record GroupWeights(PackedA[] packed, float[][] biases) {

        static GroupWeights of(float[] w, int wOff, float[] b, int bOff, Geometry g) {
            int cg = g.channels / g.group;
            int mg = g.outChannels / g.group;
            int kSize = cg * g.kernelH * g.kernelW;
            PackedA[] packed = new PackedA[g.group];
            float[][] biases = new float[g.group][];
            for (int gi = 0; gi < g.group; gi++) {
                // w: [M, C/group, kH, kW]; group gi owns rows gi*mg .. gi*mg+mg-1
                packed[gi] = PackedA.pack(w, wOff + gi * mg * kSize, mg, kSize, kSize);
                biases[gi] = Sgemm.padBias(b, bOff + gi * mg, mg);
            }
            return new GroupWeights(packed, biases);
        }
    }

    private static Kernel gemm(KernelContext ctx, Operand x, Operand y, Geometry g, Operand w, Operand bias,
                               Operand residual, Operand padded, Activation act) {
        Parallel parallel = ctx.parallel();
        int cg = g.channels / g.group;
        int mg = g.outChannels / g.group;
        boolean constant = w.isConstant() && (bias == null || bias.isConstant());
        GroupWeights fixed = constant ? GroupWeights.of(w.constant(), 0, bias == null ? null : bias.constant(), 0, g)
                : null;
        int n = g.outH * g.outW;
        int units = g.batch * g.group;
        int panels = Math.ceilDiv(mg, PackedA.MR);
        int threads = parallel.threads();
        // How to split the work: by column blocks when there are enough of them; when a layer has
        // few columns but many row panels, pack B once (threads sharing the K-blocks) and split
        // the rows; otherwise by smaller column blocks.
        // Few positions, many channels (the last stage of a batch-1 network): swap the roles.
        boolean transposed = constant && n <= TRANSPOSED_MAX_COLUMNS && mg >= 2 * Sgemm.NR;
        boolean wholeB = !transposed && (long) units * Math.ceilDiv(n, Sgemm.NC) < 2L * threads
                && panels >= 2 * threads && threads > 1;
        float[][] packedT = null;
        if (transposed) {
            packedT = new float[g.group][];
            for (int gi = 0; gi < g.group; gi++) {
                packedT[gi] = TransposedGemm.packWeights(w.constant(), gi * mg * cg * g.kernelH * g.kernelW, mg,
                        cg * g.kernelH * g.kernelW);
            }
        }
        float[][] weightsT = packedT;
        Operand result = transposed ? ctx.scratch("transposed", TransposedGemm.resultSize(mg, n)) : null;
        int kSizeT = cg * g.kernelH * g.kernelW;
        Operand packedBT = transposed ? ctx.scratch("packedB", Sgemm.packedSize(kSizeT, n)) : null;
        int channelPanels = Math.ceilDiv(mg, Sgemm.NR);
        // Column blocks of equal size (whole panels, at most NC), as many as a multiple of the thread
        // count: 784 columns on 2 threads are four blocks of 208, not three of 256 and one of 16,
        // which would leave one thread a third of the work to do alone.
        int rounds = Math.max(1, Math.ceilDiv(n, threads * Sgemm.NC));
        if ((long) units * Math.ceilDiv(n, Sgemm.NC) < 2L * threads) {
            rounds = Math.max(rounds, 2);
        }
        int chunkCols = units >= 2 * threads ? Sgemm.NC
                : Math.min(Sgemm.NC, Math.max(Sgemm.NR,
                        Math.ceilDiv(Math.ceilDiv(n, threads * rounds), Sgemm.NR) * Sgemm.NR));
        int chunks = Math.ceilDiv(n, chunkCols);
        int kSize = cg * g.kernelH * g.kernelW;
        Operand packedB = wholeB ? ctx.scratch("packedB", Sgemm.packedSize(kSize, n)) : null;
        int kBlocks = Math.ceilDiv(kSize, Sgemm.KC);
        // The packer reads a prepared copy when there is one: zero-bordered (no bounds tests),
        // subsampled (a strided 1x1 becomes pointwise) or split by column parity (stride 2).
        Geometry src;
        int inPlane;
        if (g.subsampled()) {
            src = new Geometry(g.batch, g.channels, g.outH, g.outW, g.outChannels, g.group, 1, 1, 1, 1, 0, 0, 1, 1,
                    g.outH, g.outW);
            inPlane = cg * g.outH * g.outW;
        } else if (g.parity()) {
            src = g;
            inPlane = cg * 2 * g.paddedHeight() * g.half();
        } else {
            int srcH = padded == null ? g.height : g.paddedHeight();
            int srcW = padded == null ? g.width : g.paddedWidth();
            inPlane = cg * srcH * srcW;
            src = padded == null ? g : new Geometry(g.batch, g.channels, srcH, srcW, g.outChannels, g.group,
                    g.kernelH, g.kernelW, g.strideH, g.strideW, 0, 0, g.dilationH, g.dilationW, g.outH, g.outW);
        }
        int outPlane = mg * n;
        return arena -> {
            GroupWeights weights = constant ? fixed : GroupWeights.of(w.array(arena), w.offset(),
                    bias == null ? null : bias.array(arena), bias == null ? 0 : bias.offset(), g);
            PackedA[] packed = weights.packed();
            float[][] biases = weights.biases();
            float[] xa = x.array(arena);
            int xOff = x.offset();
            if (padded != null) {
                if (g.subsampled()) {
                    subsample(parallel, xa, xOff, arena, padded.offset(), g);
                } else if (g.parity()) {
                    splitParity(parallel, xa, xOff, arena, padded.offset(), g);
                } else {
                    pad(parallel, xa, xOff, arena, padded.offset(), g);
                }
                xa = arena;
                xOff = padded.offset();
            }
            float[] ya = y.array(arena);
            int yOff = y.offset();
            float[] ra = residual == null ? null : residual.array(arena);
            int rOff = residual == null ? 0 : residual.offset();
            float[] xs = xa;
            int xo = xOff;
            if (transposed) {
                int kLen = cg * g.kernelH * g.kernelW;
                for (int unit = 0; unit < units; unit++) {
                    int gi = unit % g.group;
                    BPacker b = source(xs, xo + unit * inPlane, cg, src);
                    int ct = result.offset();
                    int pb = packedBT.offset();
                    int yBase = yOff + unit * outPlane;
                    int rBase = rOff + unit * outPlane;
                    parallel.forRange(Math.ceilDiv(kLen, Sgemm.KC), 1, (k0, k1) -> {
                        for (int kb = k0; kb < k1; kb++) {
                            Sgemm.packBlock(b, kb * Sgemm.KC, Math.min(Sgemm.KC, kLen - kb * Sgemm.KC), arena, pb);
                        }
                    });
                    // One piece per thread: every piece broadcasts all the positions again.
                    parallel.forRange(channelPanels, Math.ceilDiv(channelPanels, threads), (j0, j1) -> {
                        TransposedGemm.multiply(weightsT[gi], mg, kLen, arena, pb, n, j0, j1, arena, ct);
                        TransposedGemm.writeBack(arena, ct, mg, n, j0 * Sgemm.NR, Math.min(mg, j1 * Sgemm.NR), ya, yBase,
                                biases[gi], ra, rBase, act);
                    });
                }
            } else if (wholeB) {
                for (int unit = 0; unit < units; unit++) {
                    int gi = unit % g.group;
                    BPacker b = source(xs, xo + unit * inPlane, cg, src);
                    int pb = packedB.offset();
                    parallel.forRange(kBlocks, 1, (k0, k1) -> {
                        for (int kb = k0; kb < k1; kb++) {
                            Sgemm.packBlock(b, kb * Sgemm.KC, Math.min(Sgemm.KC, kSize - kb * Sgemm.KC), arena, pb);
                        }
                    });
                    int yBase = yOff + unit * outPlane;
                    int rBase = rOff + unit * outPlane;
                    parallel.forRange(panels, 1, (p0, p1) -> Sgemm.multiplyPacked(packed[gi], p0, p1, arena, pb, n,
                            ya, yBase, n, biases[gi], ra, rBase, act));
                }
            } else {
                parallel.forRange(units * chunks, 1, (start, end) -> {
                    for (int item = start; item < end; item++) {
                        int unit = item / chunks;
                        int chunk = item - unit * chunks;
                        int gi = unit % g.group;
                        BPacker b = source(xs, xo + unit * inPlane, cg, src);
                        int n0 = chunk * chunkCols;
                        Sgemm.multiply(packed[gi], 0, panels, b, n0, Math.min(n, n0 + chunkCols),
                                ya, yOff + unit * outPlane, n, biases[gi], ra, rOff + unit * outPlane, act);
                    }
                });
            }
        };
    }

    /** Copies x into the zero-bordered planes at {@code dst[dOff..]}, one [paddedH, paddedW] plane per channel. */
    private static void pad(Parallel parallel, float[] x, int xOff, float[] dst, int dOff, Geometry g) {
        int hp = g.paddedHeight();
        int wp = g.paddedWidth();
        int planes = g.batch * g.channels;
        parallel.forRange(planes, Math.max(1, 16384 / (hp * wp)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int d = dOff + p * hp * wp;
                java.util.Arrays.fill(dst, d, d + g.padTop * wp, 0f);
                for (int iy = 0; iy < g.height; iy++) {
                    int row = d + (iy + g.padTop) * wp;
                    java.util.Arrays.fill(dst, row, row + g.padLeft, 0f);
                    int cols = Math.min(g.width, wp - g.padLeft);
                    System.arraycopy(x, xOff + (p * g.height + iy) * g.width, dst, row + g.padLeft, cols);
                    java.util.Arrays.fill(dst, row + g.padLeft + cols, row + wp, 0f);
                }
                java.util.Arrays.fill(dst, d + (g.height + g.padTop) * wp, d + hp * wp, 0f);
            }
        });
    }

    /** {@code dst[n][c][oy][ox] = x[n][c][oy*sH][ox*sW]}: what a strided 1x1 convolution reads. */
    private static void subsample(Parallel parallel, float[] x, int xOff, float[] dst, int dOff, Geometry g) {
        int planes = g.batch * g.channels;
        int out = g.outH * g.outW;
        parallel.forRange(planes, Math.max(1, 16384 / Math.max(1, out)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int src = xOff + p * g.height * g.width;
                int d = dOff + p * out;
                for (int oy = 0; oy < g.outH; oy++) {
                    int row = src + oy * g.strideH * g.width;
                    for (int ox = 0; ox < g.outW; ox++) {
                        dst[d++] = x[row + ox * g.strideW];
                    }
                }
            }
        });
    }

    /**
     * The zero-bordered input with even and odd columns in separate planes,
     * {@code dst[n][c][parity][paddedH][half]}, for {@link Im2colB#parity}.
     */
    private static void splitParity(Parallel parallel, float[] x, int xOff, float[] dst, int dOff, Geometry g) {
        int hp = g.paddedHeight();
        int half = g.half();
        int planes = g.batch * g.channels;
        parallel.forRange(planes, Math.max(1, 16384 / (2 * hp * half)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int d = dOff + p * 2 * hp * half;
                java.util.Arrays.fill(dst, d, d + 2 * hp * half, 0f);
                for (int iy = 0; iy < g.height; iy++) {
                    int py = iy + g.padTop;
                    if (py >= hp) {
                        break;
                    }
                    splitRow(x, xOff + (p * g.height + iy) * g.width, g.width, g.padLeft, half,
                            dst, d + py * half, d + hp * half + py * half);
                }
            }
        });
    }

    private static final jdk.incubator.vector.VectorSpecies<Float> SPECIES =
            dev.condense.runtime.vector.Lanes.FLOAT;
    /**
     * Lane i takes element 2i + parity of its vector, for i below half the lanes, and element
     * 2(i - lanes/2) + parity past that: a vector's even (or odd) lanes land in its low half under
     * this shuffle, and the next vector's in its high half, so a blend of the two is the even (odd)
     * lanes of the pair. One-vector shuffles are single permute instructions; the two-vector form
     * of {@code rearrange} is not, and took most of a stride-2 depthwise layer's time.
     */
    private static final jdk.incubator.vector.VectorShuffle<Float> EVENS = halfShuffle(0);
    private static final jdk.incubator.vector.VectorShuffle<Float> ODDS = halfShuffle(1);
    /** The high half of the lanes. */
    private static final jdk.incubator.vector.VectorMask<Float> HIGH = highHalf();

    private static jdk.incubator.vector.VectorMask<Float> highHalf() {
        boolean[] high = new boolean[SPECIES.length()];
        java.util.Arrays.fill(high, SPECIES.length() / 2, high.length, true);
        return jdk.incubator.vector.VectorMask.fromArray(SPECIES, high, 0);
    }

    private static jdk.incubator.vector.VectorShuffle<Float> halfShuffle(int parity) {
        int lanes = SPECIES.length();
        int[] source = new int[lanes];
        for (int i = 0; i < lanes; i++) {
            source[i] = 2 * (i % (lanes / 2)) + parity;
        }
        return jdk.incubator.vector.VectorShuffle.fromValues(SPECIES, source);
    }

    /**
     * Writes one input row, shifted right by {@code padLeft} columns, into its even and odd column
     * rows ({@code half} columns each). Input column {@code ix = 2t + q} lands at padded column
     * {@code ix + padLeft}: plane {@code (q + padLeft) & 1}, index {@code t + ((q + padLeft) >> 1)}.
     * Two vectors of input at a time are split into their even and odd lanes with four one-vector
     * shuffles and two blends;
     * the tail goes element by element.
     */
    static void splitRow(float[] x, int from, int width, int padLeft, int half, float[] dst, int even, int odd) {
        int lanes = SPECIES.length();
        // Input column q + 2t lands in plane (q + padLeft) & 1 at index t + ((q + padLeft) >> 1).
        int evenBase = ((padLeft & 1) == 0 ? even : odd) + (padLeft >> 1);
        int oddBase = (((1 + padLeft) & 1) == 0 ? even : odd) + ((1 + padLeft) >> 1);
        int evenPlane = (padLeft & 1) == 0 ? even : odd;
        int oddPlane = ((1 + padLeft) & 1) == 0 ? even : odd;
        // Columns of each parity that fit their plane's row.
        int evens = Math.min((width + 1) >> 1, evenPlane + half - evenBase);
        int odds = Math.min(width >> 1, oddPlane + half - oddBase);
        // Pairs of input vectors that fit both parities' rows and the input row.
        int both = Math.min(Math.min(evens, odds), width >> 1);
        int t = 0;
        if (both >= lanes) {
            for (; t + lanes <= both; t += lanes) {
                split(x, from + 2 * t, dst, evenBase + t, oddBase + t);
            }
            if (t < both) {
                // One more pair ending at the last full one: it rewrites a few columns with the same values.
                split(x, from + 2 * (both - lanes), dst, evenBase + both - lanes, oddBase + both - lanes);
                t = both;
            }
        }
        // The rest as two strided runs, one per parity: no per-element parity test.
        for (int u = t; u < evens; u++) {
            dst[evenBase + u] = x[from + 2 * u];
        }
        for (int u = t; u < odds; u++) {
            dst[oddBase + u] = x[from + 2 * u + 1];
        }
    }

    /** The even and odd lanes of the two input vectors at {@code from}, to {@code even} and {@code odd}. */
    private static void split(float[] x, int from, float[] dst, int even, int odd) {
        jdk.incubator.vector.FloatVector a = jdk.incubator.vector.FloatVector.fromArray(SPECIES, x, from);
        jdk.incubator.vector.FloatVector b = jdk.incubator.vector.FloatVector.fromArray(SPECIES, x, from + SPECIES.length());
        a.rearrange(EVENS).blend(b.rearrange(EVENS), HIGH).intoArray(dst, even);
        a.rearrange(ODDS).blend(b.rearrange(ODDS), HIGH).intoArray(dst, odd);
    }

    private static BPacker source(float[] xa, int offset, int cg, Geometry g) {
        if (g.parity()) {
            return Im2colB.parity(xa, offset, cg, g.paddedHeight(), g.half(), g.kernelH, g.kernelW, g.outH, g.outW);
        }
        if (g.pointwise()) {
            int plane = g.height * g.width;
            return new RowMajorB(xa, offset, cg, plane, plane);
        }
        // g has no padding here: a padded input was copied into a zero-bordered plane first.
        return new Im2colB(xa, offset, cg, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW,
                g.dilationH, g.dilationW, g.outH, g.outW);
    }

    /**
     * The plain twin: the convolution sum of every output written out, in double.
     * {@code x: [N, C, H, W]}, {@code w: [M, C/group, kH, kW]}, {@code y: [N, M, outH, outW]}.
     */
    static void reference(float[] x, float[] w, float[] bias, float[] y, Geometry g, Activation act) {
        // (Kept free of the fast path's packing so the two share no code.)
        int cg = g.channels() / g.group();
        int mg = g.outChannels() / g.group();
        for (int n = 0; n < g.batch(); n++) {
            for (int m = 0; m < g.outChannels(); m++) {
                int group = m / mg;
                for (int oy = 0; oy < g.outH(); oy++) {
                    for (int ox = 0; ox < g.outW(); ox++) {
                        double sum = bias == null ? 0 : bias[m];
                        for (int c = 0; c < cg; c++) {
                            int ci = group * cg + c;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                                if (iy < 0 || iy >= g.height()) {
                                    continue;
                                }
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                                    if (ix < 0 || ix >= g.width()) {
                                        continue;
                                    }
                                    sum += (double) w[((m * cg + c) * g.kernelH() + ky) * g.kernelW() + kx]
                                            * x[((n * g.channels() + ci) * g.height() + iy) * g.width() + ix];
                                }
                            }
                        }
                        y[((n * g.outChannels() + m) * g.outH() + oy) * g.outW() + ox] = act.apply((float) sum);
                    }
                }
            }
        }
    }
}
