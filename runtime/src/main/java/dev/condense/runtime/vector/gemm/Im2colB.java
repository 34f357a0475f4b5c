// B as the im2col view of one image and channel group: convolution windows packed on the fly, never stored.
package dev.condense.runtime.vector.gemm;

/**
 * Row {@code k = (c*kH + ky)*kW + kx} and column {@code n = oy*outW + ox} of B is
 * {@code x[c][oy*sH + ky*dH][ox*sW + kx*dW]}. The image is already padded (Conv copies it into a
 * zero-bordered plane first), so every window lies inside it and no tap needs a bounds test;
 * packing walks each B row along an output row, a contiguous copy at stride 1.
 */
public final class Im2colB implements BPacker {

    // x: [C, H, W] for one image and group, starting at offset
    private final float[] src;
    private final int offset;
    private final int channels;
    private final int height;
    private final int width;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final int dilationH;
    private final int dilationW;
    private final int outH;
    private final int outW;
    /** For a parity-split source: the half width of each even/odd plane; 0 for a plain image. */
    private final int half;

    public Im2colB(float[] src, int offset, int channels, int height, int width, int kernelH, int kernelW,
                   int strideH, int strideW, int dilationH, int dilationW, int outH, int outW) {
        this.src = src;
        this.offset = offset;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.outH = outH;
        this.outW = outW;
        this.half = 0;
        if ((outH - 1) * strideH + (kernelH - 1) * dilationH >= height
                || (outW - 1) * strideW + (kernelW - 1) * dilationW >= width) {
            throw new IllegalArgumentException("windows of " + outH + "x" + outW + " outputs reach past the "
                    + height + "x" + width + " image; pad it first");
        }
    }

    private Im2colB(float[] src, int offset, int channels, int height, int half, int kernelH, int kernelW,
                    int outH, int outW) {
        this.src = src;
        this.offset = offset;
        this.channels = channels;
        this.height = height;
        this.width = 2 * half;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = 2;
        this.strideW = 2;
        this.dilationH = 1;
        this.dilationW = 1;
        this.outH = outH;
        this.outW = outW;
        this.half = half;
    }

    /**
     * A stride-2 convolution over a padded image stored as even and odd columns apart
     * ({@code [C][2][height][half]}): column {@code 2*ox + kx} is {@code ox + kx/2} of plane
     * {@code kx % 2}, so every B row is again a contiguous run along each output row.
     */
    public static Im2colB parity(float[] src, int offset, int channels, int height, int half, int kernelH,
                                 int kernelW, int outH, int outW) {
        return new Im2colB(src, offset, channels, height, half, kernelH, kernelW, outH, outW);
    }

    @Override
    public int k() {
        return channels * kernelH * kernelW;
    }

    @Override
    public int n() {
        return outH * outW;
    }

    @Override
    public void pack(int k0, int kc, int n0, int cols, float[] dst, int dstOff) {
        packInterior(k0, kc, n0, cols, dst, dstOff);
    }

    /**
     * Every window lies inside the image (the caller padded it beforehand), so no tap needs a
     * bounds test, and at stride 1 each output row's stretch of a B row is one contiguous run of
     * the input row, copied a vector at a time wherever a vector fits in the panel.
     */
    private void packInterior(int k0, int kc, int n0, int cols, float[] dst, int dstOff) {
        int nr = MicroKernel.NR;
        int lanes = MicroKernel.LANES;
        int panelStride = kc * nr;
        int panels = Math.ceilDiv(cols, nr);
        int end = n0 + cols;
        for (int kk = 0; kk < kc; kk++) {
            int row = k0 + kk;
            int kx = row % kernelW;
            int ky = (row / kernelW) % kernelH;
            int c = row / (kernelW * kernelH);
            int tap = half > 0
                    ? offset + (c * 2 + (kx & 1)) * height * half + ky * half + (kx >> 1)
                    : offset + c * height * width + ky * dilationH * width + kx * dilationW;
            // Along an output row the source advances by colStep; between rows by rowStep.
            int colStep = half > 0 ? 1 : strideW;
            int rowStep = half > 0 ? 2 * half : strideH * width;
            int base = dstOff + kk * nr;
            int lane = 0;
            int oy = n0 / outW;
            int ox = n0 - oy * outW;
            int n = n0;
            while (n < end) {
                int run = Math.min(outW - ox, end - n);
                int s = tap + oy * rowStep + ox * colStep;
                if (colStep == 1) {
                    int i = 0;
                    while (i < run) {
                        int piece = Math.min(nr - lane, run - i);
                        // A whole vector whenever one fits before the panel row's end, at any lane:
                        // rows of 28 or 14 outputs start mid-panel, and copying them element by
                        // element made packing, not the multiply, the cost of those layers. A
                        // shorter piece is copied as a whole vector too when the vector stays in
                        // the panel row: the lanes past the piece are rewritten by the pieces that
                        // follow in this row, or zeroed below when they lie past the last column.
                        if (piece >= lanes || (lane + lanes <= nr && s + i + lanes <= src.length)) {
                            jdk.incubator.vector.FloatVector.fromArray(MicroKernel.SPECIES, src, s + i)
                                    .intoArray(dst, base + lane);
                            piece = Math.min(piece, lanes);
                        } else {
                            for (int t = 0; t < piece; t++) {
                                dst[base + lane + t] = src[s + i + t];
                            }
                        }
                        i += piece;
                        lane += piece;
                        if (lane == nr) {
                            lane = 0;
                            base += panelStride;
                        }
                    }
                } else {
                    for (int i = 0; i < run; i++) {
                        dst[base + lane] = src[s + i * colStep];
                        if (++lane == nr) {
                            lane = 0;
                            base += panelStride;
                        }
                    }
                }
                n += run;
                ox = 0;
                oy++;
            }
            for (int rel = cols; rel < panels * nr; rel++) {
                dst[dstOff + (rel / nr) * panelStride + kk * nr + rel % nr] = 0f;
            }
        }
    }
}
