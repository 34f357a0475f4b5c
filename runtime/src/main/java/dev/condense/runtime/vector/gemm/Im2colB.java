// B as the im2col view of one image and channel group: convolution windows packed on the fly, never stored.
package dev.condense.runtime.vector.gemm;

/**
 * Row {@code k = (c*kH + ky)*kW + kx} and column {@code n = oy*outW + ox} of B is
 * {@code x[c][oy*sH - padTop + ky*dH][ox*sW - padLeft + kx*dW]}, zero outside the image. Packing
 * walks each B row along an output row, so at stride 1 the interior is a contiguous copy; only
 * the borders are tested pixel by pixel.
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
    private final int padTop;
    private final int padLeft;
    private final int dilationH;
    private final int dilationW;
    private final int outH;
    private final int outW;
    /** For a parity-split source: the half width of each even/odd plane; 0 for a plain image. */
    private final int half;

    public Im2colB(float[] src, int offset, int channels, int height, int width, int kernelH, int kernelW,
                   int strideH, int strideW, int padTop, int padLeft, int dilationH, int dilationW, int outH, int outW) {
        this.src = src;
        this.offset = offset;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.dilationH = dilationH;
        this.dilationW = dilationW;
        this.outH = outH;
        this.outW = outW;
        this.half = 0;
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
        this.padTop = 0;
        this.padLeft = 0;
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
        if (half > 0) {
            packInterior(k0, kc, n0, cols, dst, dstOff);
            return;
        }
        if (padTop == 0 && padLeft == 0 && (outH - 1) * strideH + (kernelH - 1) * dilationH < height
                && (outW - 1) * strideW + (kernelW - 1) * dilationW < width) {
            packInterior(k0, kc, n0, cols, dst, dstOff);
            return;
        }
        packBordered(k0, kc, n0, cols, dst, dstOff);
    }

    /**
     * Every window lies inside the image (the caller padded it beforehand), so no tap needs a
     * bounds test, and at stride 1 each output row's stretch of a B row is one contiguous run of
     * the input row, copied a vector at a time wherever it lines up with a panel.
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
                        if (piece >= lanes && (lane == 0 || lane == lanes)) {
                            jdk.incubator.vector.FloatVector.fromArray(MicroKernel.SPECIES, src, s + i)
                                    .intoArray(dst, base + lane);
                            piece = lanes;
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

    private void packBordered(int k0, int kc, int n0, int cols, float[] dst, int dstOff) {
        int nr = MicroKernel.NR;
        int panelStride = kc * nr;
        int panels = Math.ceilDiv(cols, nr);
        int end = n0 + cols;
        for (int kk = 0; kk < kc; kk++) {
            int row = k0 + kk;
            int kx = row % kernelW;
            int ky = (row / kernelW) % kernelH;
            int c = row / (kernelW * kernelH);
            int plane = offset + c * height * width;
            int dx = kx * dilationW - padLeft;
            // dst position of column n0: panel 0, lane 0, row kk
            int base = dstOff + kk * nr;
            int lane = 0;
            int oy = n0 / outW;
            int ox = n0 - oy * outW;
            int n = n0;
            while (n < end) {
                int run = Math.min(outW - ox, end - n);
                int iy = oy * strideH - padTop + ky * dilationH;
                if (iy < 0 || iy >= height) {
                    for (int i = 0; i < run; i++) {
                        dst[base + lane] = 0f;
                        if (++lane == nr) {
                            lane = 0;
                            base += panelStride;
                        }
                    }
                } else {
                    int rowBase = plane + iy * width;
                    int i = 0;
                    while (i < run) {
                        int ix = (ox + i) * strideW + dx;
                        if (strideW == 1 && ix >= 0) {
                            // Contiguous stretch inside the row: copy up to the panel's edge at once.
                            int span = Math.min(Math.min(run - i, nr - lane), width - ix);
                            if (span > 0) {
                                System.arraycopy(src, rowBase + ix, dst, base + lane, span);
                                i += span;
                                lane += span;
                                if (lane == nr) {
                                    lane = 0;
                                    base += panelStride;
                                }
                                continue;
                            }
                        }
                        dst[base + lane] = ix >= 0 && ix < width ? src[rowBase + ix] : 0f;
                        i++;
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
            // Columns past the range in the last panel are zero so the micro-kernel may read them.
            for (int rel = cols; rel < panels * nr; rel++) {
                dst[dstOff + (rel / nr) * panelStride + kk * nr + rel % nr] = 0f;
            }
        }
    }
}
