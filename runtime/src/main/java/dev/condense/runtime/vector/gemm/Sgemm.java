// Blocked single-precision GEMM: C[M, N] = A[M, K] x B[K, N] (+ bias, activation) over packed panels.
package dev.condense.runtime.vector.gemm;

import dev.condense.runtime.vector.Activation;

/**
 * The loop nest of Goto and van de Geijn: B is packed one K-block by column-block at a time (from a
 * {@link BPacker}, so im2col never touches memory twice), that block stays in L2 while every
 * row panel of A streams past it, and the {@link MicroKernel} keeps a 6 x NR tile of C in
 * registers across the K-block. A call covers a range of A's row panels and of B's columns, so a
 * caller can split work over threads either way. {@link SgemmReference} is the plain twin.
 */
public final class Sgemm {

    /**
     * K-block: one A panel's K-block pre-broadcast (KC x 6 x 8 floats, 24 KB on AVX2) and a B panel
     * (KC x 16 floats, 8 KB) fit L1 together.
     */
    public static final int KC = 128;
    /** Column block: KC x NC floats of packed B (256 KB) stay in L2 while all of A passes. */
    public static final int NC = 512;
    public static final int MR = PackedA.MR;
    public static final int NR = MicroKernel.NR;

    private static final ThreadLocal<float[]> PACK = ThreadLocal.withInitial(() -> new float[KC * NC]);
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NR]);
    private static final ThreadLocal<float[]> BROADCAST =
            ThreadLocal.withInitial(() -> new float[KC * MicroKernel.A_STEP]);

    private Sgemm() {
    }

    /**
     * Computes rows {@code [panelStart*MR, min(panelEnd*MR, M))} and columns {@code [n0, n1)} of C.
     *
     * @param c    C with row stride {@code ldc}, element (0, 0) at {@code cOff}
     * @param bias one value per row of A, padded to a multiple of MR, or null
     */
    public static void multiply(PackedA a, int panelStart, int panelEnd, BPacker b, int n0, int n1,
                                float[] c, int cOff, int ldc, float[] bias, Activation act) {
        multiply(a, panelStart, panelEnd, b, n0, n1, c, cOff, ldc, bias, null, 0, act);
    }

    /**
     * As above, adding {@code residual} (laid out like C, element (0, 0) at {@code residualOff})
     * before the activation: a convolution fused with the shortcut sum that follows it.
     */
    public static void multiply(PackedA a, int panelStart, int panelEnd, BPacker b, int n0, int n1,
                                float[] c, int cOff, int ldc, float[] bias, float[] residual, int residualOff,
                                Activation act) {
        int k = a.k();
        if (b.k() != k) {
            throw new IllegalArgumentException("A has " + k + " columns, B " + b.k() + " rows");
        }
        float[] packed = PACK.get();
        float[] edge = EDGE.get();
        float[] wide = BROADCAST.get();
        // ReLU and Clip are a clamp the last K-block applies in registers; LeakyRelu and a fused quantization take the
        // epilogue pass.
        boolean clampable = act.kind() != Activation.Kind.LEAKY_RELU && act.kind() != Activation.Kind.FAKE_QUANT;
        boolean clamp = act.kind() == Activation.Kind.RELU || act.kind() == Activation.Kind.CLIP;
        float lo = act.min();
        float hi = act.max();
        for (int nc0 = n0; nc0 < n1; nc0 += NC) {
            int cols = Math.min(NC, n1 - nc0);
            int panelsB = Math.ceilDiv(cols, NR);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                b.pack(k0, kc, nc0, cols, packed, 0);
                boolean accumulate = k0 > 0;
                boolean last = k0 + kc >= k;
                for (int p = panelStart; p < panelEnd; p++) {
                    MicroKernel.broadcast(a.data(), a.offset(p, k0), kc, wide);
                    int row0 = p * MR;
                    int rows = Math.min(MR, a.m() - row0);
                    for (int j = 0; j < panelsB; j++) {
                        int col0 = nc0 + j * NR;
                        int width = Math.min(NR, n1 - col0);
                        int cIndex = cOff + row0 * ldc + col0;
                        if (rows == MR && width == NR && last && clampable) {
                            MicroKernel.tileLast(wide, 0, packed, j * kc * NR, kc, c, cIndex, ldc, accumulate, bias,
                                    row0, residual, residualOff + row0 * ldc + col0, clamp, lo, hi);
                            continue;
                        }
                        if (rows == MR && width == NR) {
                            MicroKernel.tile(wide, 0, packed, j * kc * NR, kc, c, cIndex, ldc, accumulate);
                        } else {
                            edgeTile(wide, packed, j * kc * NR, kc, c, cIndex, ldc, rows, width, edge, accumulate);
                        }
                        if (last) {
                            epilogue(c, cIndex, ldc, rows, width, bias, row0, residual,
                                    residualOff + row0 * ldc + col0, act);
                        }
                    }
                }
            }
        }
    }

    /** Floats B needs packed whole: every K-block of every column, columns rounded up to whole panels. */
    public static int packedSize(int k, int n) {
        return Math.multiplyExact(Math.ceilDiv(n, NR) * NR, k);
    }

    /** Packs K-block {@code [k0, k0+kc)} of all of B's columns into its place in a whole-B buffer at {@code off}. */
    public static void packBlock(BPacker b, int k0, int kc, float[] dst, int off) {
        b.pack(k0, kc, 0, b.n(), dst, off + k0 * Math.ceilDiv(b.n(), NR) * NR);
    }

    /**
     * As {@link #multiply}, for every column, from a B packed whole beforehand ({@link #packBlock})
     * and shared by the threads that each take a range of A's row panels: the split for layers with
     * too few columns to divide (a batch-1 ResNet's last stage has 49).
     */
    public static void multiplyPacked(PackedA a, int panelStart, int panelEnd, float[] packedB, int off, int n,
                                      float[] c, int cOff, int ldc, float[] bias, float[] residual, int residualOff,
                                      Activation act) {
        int k = a.k();
        int npad = Math.ceilDiv(n, NR) * NR;
        int panelsB = npad / NR;
        float[] edge = EDGE.get();
        float[] wide = BROADCAST.get();
        // ReLU and Clip are a clamp the last K-block applies in registers; LeakyRelu and a fused quantization take the
        // epilogue pass.
        boolean clampable = act.kind() != Activation.Kind.LEAKY_RELU && act.kind() != Activation.Kind.FAKE_QUANT;
        boolean clamp = act.kind() == Activation.Kind.RELU || act.kind() == Activation.Kind.CLIP;
        float lo = act.min();
        float hi = act.max();
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            int block = off + k0 * npad;
            boolean accumulate = k0 > 0;
            boolean last = k0 + kc >= k;
            for (int p = panelStart; p < panelEnd; p++) {
                MicroKernel.broadcast(a.data(), a.offset(p, k0), kc, wide);
                int row0 = p * MR;
                int rows = Math.min(MR, a.m() - row0);
                for (int j = 0; j < panelsB; j++) {
                    int col0 = j * NR;
                    int width = Math.min(NR, n - col0);
                    int cIndex = cOff + row0 * ldc + col0;
                    if (rows == MR && width == NR && last && clampable) {
                        MicroKernel.tileLast(wide, 0, packedB, block + j * kc * NR, kc, c, cIndex, ldc, accumulate,
                                bias, row0, residual, residualOff + row0 * ldc + col0, clamp, lo, hi);
                        continue;
                    }
                    if (rows == MR && width == NR) {
                        MicroKernel.tile(wide, 0, packedB, block + j * kc * NR, kc, c, cIndex, ldc, accumulate);
                    } else {
                        edgeTile(wide, packedB, block + j * kc * NR, kc, c, cIndex, ldc, rows, width, edge, accumulate);
                    }
                    if (last) {
                        epilogue(c, cIndex, ldc, rows, width, bias, row0, residual, residualOff + row0 * ldc + col0, act);
                    }
                }
            }
        }
    }

    /** A tile cut by the edge of C: computed whole in a scratch tile, then the valid part copied. */
    private static void edgeTile(float[] wide, float[] packed, int bOff, int kc, float[] c, int cIndex,
                                 int ldc, int rows, int width, float[] edge, boolean accumulate) {
        if (accumulate) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(c, cIndex + r * ldc, edge, r * NR, width);
            }
        }
        MicroKernel.tile(wide, 0, packed, bOff, kc, edge, 0, NR, accumulate);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(edge, r * NR, c, cIndex + r * ldc, width);
        }
    }

    /** Adds each row's bias (and the residual) and applies the activation to a finished tile of C. */
    private static void epilogue(float[] c, int cIndex, int ldc, int rows, int width, float[] bias, int row0,
                                 float[] residual, int rIndex, Activation act) {
        boolean hasBias = bias != null;
        if (!hasBias && residual == null && act.isNone()) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            int off = cIndex + r * ldc;
            act.finish(c, off, hasBias ? bias[row0 + r] : 0f, residual, rIndex + r * ldc, c, off, width);
        }
    }

    /** {@code bias} padded with zeros to a whole number of row panels, as {@link #multiply} reads it. */
    public static float[] padBias(float[] bias, int offset, int m) {
        float[] padded = new float[Math.ceilDiv(m, MR) * MR];
        if (bias != null) {
            System.arraycopy(bias, offset, padded, 0, m);
        }
        return padded;
    }
}
