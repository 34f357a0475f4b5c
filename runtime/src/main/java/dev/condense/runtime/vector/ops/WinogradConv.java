// The Winograd path of Conv: 3x3 stride-1 convolutions as F(2x2, 3x3), sixteen GEMMs with 2.25x fewer multiplies.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import dev.condense.runtime.vector.gemm.PackedA;
import dev.condense.runtime.vector.gemm.RowMajorB;
import dev.condense.runtime.vector.gemm.Sgemm;
import dev.condense.runtime.vector.gemm.TransposedGemm;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lavin and Gray's minimal filtering (2016): each 2x2 block of outputs of a 3x3 filter is
 * {@code A^T [(G g G^T) . (B^T d B)] A} over the 4x4 input tile {@code d} under it. Summed over
 * input channels, the element-wise product becomes sixteen independent GEMMs
 * {@code M_i[m][t] = sum_c U_i[m][c] V_i[c][t]} (i one of the 4x4 positions, t a tile), which do
 * 16 multiplies where the direct convolution does 36: the 3x3 layers of VGG and ResNet (most of
 * their time) run through {@link Sgemm} with 2.25x less work, and the transforms are additions.
 *
 * <p>Weights are transformed ({@code U = G g G^T}) and packed once at build time. A run splits
 * the zero-bordered input into even and odd columns, so that the input transform reads each tile
 * row's four columns as contiguous vectors over eight tiles; multiplies; and transforms back,
 * adding bias and residual and applying the activation on the way out. F(2x2, 3x3) keeps the
 * rounding error close to the direct sum's (its transforms hold only 0, +-1 and +-1/2); larger
 * tiles would save more multiplies but lose accuracy fast. {@link Conv#reference} is the twin.
 */
final class WinogradConv {

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;
    private static final int LANES = SPECIES.length();
    /** Lane i takes lane i/2 of a (even i) or of b (odd i), from the low or the high half: a zip. */
    private static final VectorShuffle<Float> ZIP_LOW = zip(0);
    private static final VectorShuffle<Float> ZIP_HIGH = zip(LANES / 2);

    private WinogradConv() {
    }

    /**
     * Whether a convolution takes this path: 3x3, stride 1, no dilation, one group, constant
     * weights, and enough channels for the GEMMs to pay for the transforms. A 7x7 map's 16 tiles
     * cover 8x8 outputs, but even with that border the sixteen GEMMs do 42 % fewer multiplies.
     */
    static boolean applies(Conv.Geometry g, boolean constantWeights) {
        return constantWeights && g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && g.group() == 1
                && g.channels() >= 16 && g.outChannels() >= 16 && g.outH() >= 6 && g.outW() >= 6;
    }

    /**
     * The tiling of one convolution: {@code tilesH x tilesW} tiles of 2x2 outputs, and the split
     * input they read: per channel and padded row, the even then the odd columns, {@code half}
     * wide. Tile row ty reads padded rows 2ty .. 2ty+3, and the input transform reads a vector of
     * tiles from column tx and tx+1 of each parity; rows and columns past the image are zero.
     */
    private record Tiling(int tilesH, int tilesW, int rows, int half) {

        static Tiling of(Conv.Geometry g) {
            int tilesH = Math.ceilDiv(g.outH(), 2);
            int tilesW = Math.ceilDiv(g.outW(), 2);
            return new Tiling(tilesH, tilesW, 2 * tilesH + 2, Math.ceilDiv(tilesW, LANES) * LANES + 1);
        }

        int tiles() {
            return Math.multiplyExact(tilesH, tilesW);
        }

        int splitPlane() {
            return Math.multiplyExact(rows, 2 * half);
        }
    }

    /** What a kernel does for one image after the input transform: its GEMMs, then the output transform. */
    @FunctionalInterface
    private interface ImageStage {
        void run(float[] arena, float[] y, int yOff, float[] residual, int rOff);
    }

    static Kernel create(KernelContext ctx, Operand x, Operand w, Operand bias, Operand residual, Operand y,
                         Conv.Geometry g, Activation act) {
        Parallel parallel = ctx.parallel();
        int c = g.channels();
        int m = g.outChannels();
        Tiling tiling = Tiling.of(g);
        int tiles = tiling.tiles();
        Operand split = ctx.scratch("winograd input", (long) c * tiling.splitPlane());
        Operand v = ctx.scratch("winograd V", 16L * c * tiles);
        float[][] u = transformWeights(w.constant(), m, c);
        ImageStage stage = tiles <= FEW_TILES
                ? transposedStage(ctx, u, bias, g, tiling, v, act)
                : directStage(ctx, u, bias, g, tiling, v, act);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        return arena -> {
            float[] xa = x.array(arena);
            float[] ya = y.array(arena);
            float[] ra = residual == null ? null : residual.array(arena);
            for (int n = 0; n < g.batch(); n++) {
                transformInput(parallel, xa, x.offset() + n * c * inPlane, g, arena, split.offset(), tiling,
                        v.offset());
                stage.run(arena, ya, y.offset() + n * m * outPlane, ra,
                        residual == null ? 0 : residual.offset() + n * m * outPlane);
            }
        };
    }

    /** The sixteen GEMMs as they are, {@code M_i = U_i V_i}, in column blocks of NC tiles. */
    private static ImageStage directStage(KernelContext ctx, float[][] uRaw, Operand bias, Conv.Geometry g,
                                          Tiling tiling, Operand v, Activation act) {
        Parallel parallel = ctx.parallel();
        int c = g.channels();
        int m = g.outChannels();
        int tiles = tiling.tiles();
        PackedA[] u = new PackedA[16];
        for (int i = 0; i < 16; i++) {
            u[i] = PackedA.pack(uRaw[i], 0, m, c, c);
        }
        float[] b = bias == null ? new float[m] : bias.constant().clone();
        // The output transform reads whole vectors of tiles: slack after the last row.
        Operand prod = ctx.scratch("winograd M", 16L * m * tiles + LANES);
        int panels = Math.ceilDiv(m, PackedA.MR);
        // Sixteen GEMMs are already work for many threads; each is cut into column blocks of NC.
        int chunkCols = Sgemm.NC;
        int chunks = Math.ceilDiv(tiles, chunkCols);
        int outPlane = g.outH() * g.outW();
        return (arena, ya, yo, ra, ro) -> {
            int vo = v.offset();
            int mo = prod.offset();
            parallel.forRange(16 * chunks, 1, (i0, i1) -> {
                for (int item = i0; item < i1; item++) {
                    int i = item / chunks;
                    int n0 = (item % chunks) * chunkCols;
                    RowMajorB vb = new RowMajorB(arena, vo + i * c * tiles, c, tiles, tiles);
                    Sgemm.multiply(u[i], 0, panels, vb, n0, Math.min(tiles, n0 + chunkCols),
                            arena, mo + i * m * tiles, tiles, null, Activation.NONE);
                }
            });
            parallel.forRange(m, 1, (m0, m1) -> {
                for (int mi = m0; mi < m1; mi++) {
                    outputTransform(arena, mo + mi * tiles, m * tiles, tiling.tilesH(), tiling.tilesW(), b[mi], ya,
                            yo + mi * outPlane, g.outH(), g.outW(), ra, ro + mi * outPlane, act);
                }
            });
        };
    }

    /**
     * At most this many tiles (a 14x14 map has 49) and the GEMMs run transposed, as in
     * {@link TransposedGemm}: the tiles become the 6-row panels and the output channels the
     * 16-wide column panels, so 49 tiles waste 5 of 54 rows instead of 15 of 64 columns, and the
     * weights, constant, are packed for it once.
     */
    static final int FEW_TILES = 64;

    /** The sixteen GEMMs transposed, {@code M_i^T = V_i^T U_i^T}, over ranges of channel panels. */
    private static ImageStage transposedStage(KernelContext ctx, float[][] u, Operand bias, Conv.Geometry g,
                                              Tiling tiling, Operand v, Activation act) {
        Parallel parallel = ctx.parallel();
        int c = g.channels();
        int m = g.outChannels();
        int tiles = tiling.tiles();
        float[][] packedW = new float[16][];
        for (int i = 0; i < 16; i++) {
            packedW[i] = TransposedGemm.packWeights(u[i], 0, m, c);
        }
        int mpad = Math.ceilDiv(m, Sgemm.NR) * Sgemm.NR;
        float[] b = new float[mpad];
        if (bias != null) {
            System.arraycopy(bias.constant(), 0, b, 0, m);
        }
        int packedB = Sgemm.packedSize(c, tiles);
        int result = TransposedGemm.resultSize(m, tiles);
        Operand pb = ctx.scratch("winograd packed V", 16L * packedB);
        Operand ct = ctx.scratch("winograd M^T", 16L * result);
        int kBlocks = Math.ceilDiv(c, Sgemm.KC);
        int channelPanels = mpad / Sgemm.NR;
        int span = Math.min(channelPanels, 8);
        int pieces = Math.ceilDiv(channelPanels, span);
        int outPlane = g.outH() * g.outW();
        int blocks = Math.ceilDiv(m, LANES);
        return (arena, ya, yo, ra, ro) -> {
            int vo = v.offset();
            int po = pb.offset();
            int co = ct.offset();
            parallel.forRange(16 * kBlocks, 1, (i0, i1) -> {
                for (int item = i0; item < i1; item++) {
                    int i = item / kBlocks;
                    int k0 = (item % kBlocks) * Sgemm.KC;
                    Sgemm.packBlock(new RowMajorB(arena, vo + i * c * tiles, c, tiles, tiles), k0,
                            Math.min(Sgemm.KC, c - k0), arena, po + i * packedB);
                }
            });
            parallel.forRange(16 * pieces, 1, (i0, i1) -> {
                for (int item = i0; item < i1; item++) {
                    int i = item / pieces;
                    int j0 = (item % pieces) * span;
                    TransposedGemm.multiply(packedW[i], m, c, arena, po + i * packedB, tiles, j0,
                            Math.min(channelPanels, j0 + span), arena, co + i * result);
                }
            });
            parallel.forRange(blocks, 1, (b0, b1) -> {
                for (int block = b0; block < b1; block++) {
                    outputTransformT(arena, co, result, mpad, block * LANES, Math.min(LANES, m - block * LANES),
                            tiling.tilesW(), tiles, b, ya, yo, outPlane, g.outH(), g.outW(), ra, ro, act);
                }
            });
        };
    }

    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[4 * LANES]);

    /**
     * {@code Y = A^T M A} for channels {@code m0 .. m0+count-1} of every tile, from the transposed
     * products {@code M_i^T[t][m]} ({@code stride} floats apart, row stride {@code mpad}): a vector
     * holds one tile's value for eight channels, and the four outputs of each tile go to their
     * channels' planes one lane at a time, with bias, residual and activation.
     */
    private static void outputTransformT(float[] mm, int mOff, int stride, int mpad, int m0, int count, int tilesW,
                                         int tiles, float[] bias, float[] y, int yOff, int outPlane, int outH,
                                         int outW, float[] residual, int rOff, Activation act) {
        float[] t4 = TILE.get();
        FloatVector bv = FloatVector.fromArray(SPECIES, bias, m0);
        for (int t = 0; t < tiles; t++) {
            transformTile(mm, mOff + t * mpad + m0, stride, t4);
            for (int q = 0; q < 4; q++) {
                FloatVector.fromArray(SPECIES, t4, q * LANES).add(bv).intoArray(t4, q * LANES);
            }
            int oy = 2 * (t / tilesW);
            int ox = 2 * (t % tilesW);
            for (int q = 0; q < 4; q++) {
                int py = oy + (q >> 1);
                int px = ox + (q & 1);
                if (py >= outH || px >= outW) {
                    continue;
                }
                int at = py * outW + px;
                for (int lane = 0; lane < count; lane++) {
                    int o = (m0 + lane) * outPlane + at;
                    float value = t4[q * LANES + lane];
                    if (residual != null) {
                        value += residual[rOff + o];
                    }
                    y[yOff + o] = act.apply(value);
                }
            }
        }
    }

    /**
     * {@code U_i = G g G^T} for every filter, i = 4a + b, as the matrices {@code [M, C]} of the GEMMs.
     * G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
     */
    static float[][] transformWeights(float[] w, int m, int c) {
        double[][] gm = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
        float[][] u = new float[16][Math.multiplyExact(m, c)];
        for (int mi = 0; mi < m; mi++) {
            for (int ci = 0; ci < c; ci++) {
                int base = (mi * c + ci) * 9;
                for (int a = 0; a < 4; a++) {
                    for (int bb = 0; bb < 4; bb++) {
                        double sum = 0;
                        for (int k = 0; k < 3; k++) {
                            for (int l = 0; l < 3; l++) {
                                sum += gm[a][k] * w[base + k * 3 + l] * gm[bb][l];
                            }
                        }
                        u[a * 4 + bb][mi * c + ci] = (float) sum;
                    }
                }
            }
        }
        return u;
    }

    /**
     * Splits every channel of one image into its even and odd columns (at {@code so}, a split
     * plane each) and writes its tiles' {@code V = B^T d B} into the sixteen matrices
     * {@code V_i[c][t]} at {@code vo}; channels are shared out over the threads.
     */
    private static void transformInput(Parallel parallel, float[] x, int xo, Conv.Geometry g, float[] arena, int so,
                                       Tiling tiling, int vo) {
        int c = g.channels();
        int inPlane = g.height() * g.width();
        int splitPlane = tiling.splitPlane();
        int tiles = tiling.tiles();
        parallel.forRange(c, 1, (c0, c1) -> {
            for (int ci = c0; ci < c1; ci++) {
                splitChannel(x, xo + ci * inPlane, g, arena, so + ci * splitPlane, tiling.rows(), tiling.half());
                inputTransform(arena, so + ci * splitPlane, tiling.half(), tiling.tilesH(), tiling.tilesW(), arena,
                        vo + ci * tiles, c * tiles);
            }
        });
    }

    /** The zero-bordered channel, split into even and odd columns: {@code dst[py][parity][half]}. */
    private static void splitChannel(float[] x, int xOff, Conv.Geometry g, float[] dst, int dOff, int rows, int half) {
        java.util.Arrays.fill(dst, dOff, dOff + rows * 2 * half, 0f);
        int width = Math.min(g.width(), 2 * half - g.padLeft());
        for (int iy = 0; iy < g.height(); iy++) {
            int py = iy + g.padTop();
            if (py >= rows) {
                break;
            }
            int row = dOff + py * 2 * half;
            Conv.splitRow(x, xOff + iy * g.width(), width, g.padLeft(), half, dst, row, row + half);
        }
    }

    /**
     * {@code V = B^T d B} for every tile of one channel, into the sixteen matrices
     * {@code V_i[c][t]} ({@code stride} floats apart, this channel's row at {@code vOff}).
     * B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]. A tile's columns
     * 2tx .. 2tx+3 are even column tx, odd tx, even tx+1 and odd tx+1 of the split row, so a vector
     * of eight tiles is four loads per row.
     */
    private static void inputTransform(float[] s, int sOff, int half, int tilesH, int tilesW, float[] v, int vOff,
                                       int stride) {
        for (int ty = 0; ty < tilesH; ty++) {
            int r0 = sOff + 2 * ty * 2 * half;
            int r1 = r0 + 2 * half;
            int r2 = r1 + 2 * half;
            int r3 = r2 + 2 * half;
            int out = vOff + ty * tilesW;
            for (int tx = 0; tx < tilesW; tx += LANES) {
                VectorMask<Float> keep = SPECIES.indexInRange(tx, tilesW);
                // Horizontal: h_b for each of the four rows.
                FloatVector e0 = FloatVector.fromArray(SPECIES, s, r0 + tx);
                FloatVector o0 = FloatVector.fromArray(SPECIES, s, r0 + half + tx);
                FloatVector f0 = FloatVector.fromArray(SPECIES, s, r0 + tx + 1);
                FloatVector p0 = FloatVector.fromArray(SPECIES, s, r0 + half + tx + 1);
                FloatVector e1 = FloatVector.fromArray(SPECIES, s, r1 + tx);
                FloatVector o1 = FloatVector.fromArray(SPECIES, s, r1 + half + tx);
                FloatVector f1 = FloatVector.fromArray(SPECIES, s, r1 + tx + 1);
                FloatVector p1 = FloatVector.fromArray(SPECIES, s, r1 + half + tx + 1);
                FloatVector e2 = FloatVector.fromArray(SPECIES, s, r2 + tx);
                FloatVector o2 = FloatVector.fromArray(SPECIES, s, r2 + half + tx);
                FloatVector f2 = FloatVector.fromArray(SPECIES, s, r2 + tx + 1);
                FloatVector p2 = FloatVector.fromArray(SPECIES, s, r2 + half + tx + 1);
                FloatVector e3 = FloatVector.fromArray(SPECIES, s, r3 + tx);
                FloatVector o3 = FloatVector.fromArray(SPECIES, s, r3 + half + tx);
                FloatVector f3 = FloatVector.fromArray(SPECIES, s, r3 + tx + 1);
                FloatVector p3 = FloatVector.fromArray(SPECIES, s, r3 + half + tx + 1);
                // row r: d0 = e, d1 = o, d2 = f, d3 = p; h0 = d0 - d2, h1 = d1 + d2, h2 = d2 - d1, h3 = d1 - d3
                FloatVector h00 = e0.sub(f0);
                FloatVector h01 = o0.add(f0);
                FloatVector h02 = f0.sub(o0);
                FloatVector h03 = o0.sub(p0);
                FloatVector h10 = e1.sub(f1);
                FloatVector h11 = o1.add(f1);
                FloatVector h12 = f1.sub(o1);
                FloatVector h13 = o1.sub(p1);
                FloatVector h20 = e2.sub(f2);
                FloatVector h21 = o2.add(f2);
                FloatVector h22 = f2.sub(o2);
                FloatVector h23 = o2.sub(p2);
                FloatVector h30 = e3.sub(f3);
                FloatVector h31 = o3.add(f3);
                FloatVector h32 = f3.sub(o3);
                FloatVector h33 = o3.sub(p3);
                // Vertical: V0b = h_b[0] - h_b[2], V1b = h_b[1] + h_b[2], V2b = h_b[2] - h_b[1], V3b = h_b[1] - h_b[3]
                h00.sub(h20).intoArray(v, out + tx, keep);
                h01.sub(h21).intoArray(v, out + stride + tx, keep);
                h02.sub(h22).intoArray(v, out + 2 * stride + tx, keep);
                h03.sub(h23).intoArray(v, out + 3 * stride + tx, keep);
                h10.add(h20).intoArray(v, out + 4 * stride + tx, keep);
                h11.add(h21).intoArray(v, out + 5 * stride + tx, keep);
                h12.add(h22).intoArray(v, out + 6 * stride + tx, keep);
                h13.add(h23).intoArray(v, out + 7 * stride + tx, keep);
                h20.sub(h10).intoArray(v, out + 8 * stride + tx, keep);
                h21.sub(h11).intoArray(v, out + 9 * stride + tx, keep);
                h22.sub(h12).intoArray(v, out + 10 * stride + tx, keep);
                h23.sub(h13).intoArray(v, out + 11 * stride + tx, keep);
                h10.sub(h30).intoArray(v, out + 12 * stride + tx, keep);
                h11.sub(h31).intoArray(v, out + 13 * stride + tx, keep);
                h12.sub(h32).intoArray(v, out + 14 * stride + tx, keep);
                h13.sub(h33).intoArray(v, out + 15 * stride + tx, keep);
            }
        }
    }

    private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * {@code Y = A^T M A} for every tile of one output channel, from the sixteen matrices
     * {@code M_i[m][t]} ({@code stride} floats apart, this channel's row at {@code mOff}), then
     * bias, residual and activation. A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]. A vector of eight tiles
     * gives eight outputs of each of the four positions; zipping the two columns of a tile row
     * makes sixteen consecutive outputs of each of its two image rows.
     */
    private static void outputTransform(float[] mm, int mOff, int stride, int tilesH, int tilesW, float bias,
                                        float[] y, int yOff, int outH, int outW, float[] residual, int rOff,
                                        Activation act) {
        int rowLen = Math.ceilDiv(tilesW, LANES) * 2 * LANES;
        float[] rows = ROWS.get();
        if (rows.length < 2 * rowLen) {
            rows = new float[2 * rowLen];
            ROWS.set(rows);
        }
        FloatVector bv = FloatVector.broadcast(SPECIES, bias);
        float[] t4 = TILE.get();
        for (int ty = 0; ty < tilesH; ty++) {
            int in = mOff + ty * tilesW;
            for (int tx = 0; tx < tilesW; tx += LANES) {
                // Reads past this tile row's end land in the next row or the slack: their lanes are dropped.
                transformTile(mm, in + tx, stride, t4);
                FloatVector y00 = FloatVector.fromArray(SPECIES, t4, 0).add(bv);
                FloatVector y01 = FloatVector.fromArray(SPECIES, t4, LANES).add(bv);
                FloatVector y10 = FloatVector.fromArray(SPECIES, t4, 2 * LANES).add(bv);
                FloatVector y11 = FloatVector.fromArray(SPECIES, t4, 3 * LANES).add(bv);
                int at = 2 * tx;
                y00.rearrange(ZIP_LOW, y01).intoArray(rows, at);
                y00.rearrange(ZIP_HIGH, y01).intoArray(rows, at + LANES);
                y10.rearrange(ZIP_LOW, y11).intoArray(rows, rowLen + at);
                y10.rearrange(ZIP_HIGH, y11).intoArray(rows, rowLen + at + LANES);
            }
            for (int dy = 0; dy < 2 && 2 * ty + dy < outH; dy++) {
                int oy = 2 * ty + dy;
                act.finish(rows, dy * rowLen, 0f, residual, rOff + oy * outW, y, yOff + oy * outW, outW);
            }
        }
    }

    /**
     * {@code A^T M A} for a vector of tiles (or of channels): reads the sixteen products at
     * {@code i + q*stride} and writes the four outputs, {@code (0,0), (0,1), (1,0), (1,1)}, as
     * four vectors into {@code out}. A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].
     */
    private static void transformTile(float[] mm, int i, int stride, float[] out) {
        FloatVector m00 = FloatVector.fromArray(SPECIES, mm, i);
        FloatVector m01 = FloatVector.fromArray(SPECIES, mm, i + stride);
        FloatVector m02 = FloatVector.fromArray(SPECIES, mm, i + 2 * stride);
        FloatVector m03 = FloatVector.fromArray(SPECIES, mm, i + 3 * stride);
        FloatVector m10 = FloatVector.fromArray(SPECIES, mm, i + 4 * stride);
        FloatVector m11 = FloatVector.fromArray(SPECIES, mm, i + 5 * stride);
        FloatVector m12 = FloatVector.fromArray(SPECIES, mm, i + 6 * stride);
        FloatVector m13 = FloatVector.fromArray(SPECIES, mm, i + 7 * stride);
        FloatVector m20 = FloatVector.fromArray(SPECIES, mm, i + 8 * stride);
        FloatVector m21 = FloatVector.fromArray(SPECIES, mm, i + 9 * stride);
        FloatVector m22 = FloatVector.fromArray(SPECIES, mm, i + 10 * stride);
        FloatVector m23 = FloatVector.fromArray(SPECIES, mm, i + 11 * stride);
        FloatVector m30 = FloatVector.fromArray(SPECIES, mm, i + 12 * stride);
        FloatVector m31 = FloatVector.fromArray(SPECIES, mm, i + 13 * stride);
        FloatVector m32 = FloatVector.fromArray(SPECIES, mm, i + 14 * stride);
        FloatVector m33 = FloatVector.fromArray(SPECIES, mm, i + 15 * stride);
        // Rows: a_b = m0b + m1b + m2b, c_b = m1b - m2b - m3b; then the same on the columns.
        FloatVector a0 = m00.add(m10).add(m20);
        FloatVector a1 = m01.add(m11).add(m21);
        FloatVector a2 = m02.add(m12).add(m22);
        FloatVector a3 = m03.add(m13).add(m23);
        FloatVector c0 = m10.sub(m20).sub(m30);
        FloatVector c1 = m11.sub(m21).sub(m31);
        FloatVector c2 = m12.sub(m22).sub(m32);
        FloatVector c3 = m13.sub(m23).sub(m33);
        a0.add(a1).add(a2).intoArray(out, 0);
        a1.sub(a2).sub(a3).intoArray(out, LANES);
        c0.add(c1).add(c2).intoArray(out, 2 * LANES);
        c1.sub(c2).sub(c3).intoArray(out, 3 * LANES);
    }

    /** Lane 2k takes lane {@code from + k} of a, lane 2k+1 lane {@code from + k} of b. */
    private static VectorShuffle<Float> zip(int from) {
        int[] source = new int[LANES];
        for (int i = 0; i < LANES; i++) {
            int lane = from + i / 2;
            // Indices past the first vector are "exceptional": rearrange(s, b) takes them from b.
            source[i] = (i & 1) == 0 ? lane : lane - LANES;
        }
        return VectorShuffle.fromValues(SPECIES, source);
    }
}
