// The depthwise path of Conv: one filter per channel, computed directly, a row of outputs at a time.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * MobileNet's and EfficientNet's 3x3 and 5x5 depthwise filters have 9 or 25 weights per channel,
 * too few for a GEMM. For each output row the kernel adds {@code w[ky][kx] * input row} for every
 * tap; at stride 1 the inner loop runs over a contiguous stretch of the input row in vectors,
 * and only the columns whose window crosses the border take the scalar path. Channels are split
 * over threads. {@link #reference} is the plain twin.
 */
final class DepthwiseConv {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private DepthwiseConv() {
    }

    static Kernel create(Parallel parallel, Operand x, Operand w, Operand bias, Operand y, Conv.Geometry g,
                         Activation act) {
        int planes = g.batch() * g.channels();
        int grain = Math.max(1, 4096 / Math.max(1, g.outH() * g.outW()));
        return arena -> {
            float[] xa = x.array(arena);
            float[] ya = y.array(arena);
            float[] wa = w.array(arena);
            float[] ba = bias == null ? null : bias.array(arena);
            int xOff = x.offset();
            int yOff = y.offset();
            int wOff = w.offset();
            int bOff = bias == null ? 0 : bias.offset();
            parallel.forRange(planes, grain, (start, end) -> {
                for (int p = start; p < end; p++) {
                    int c = p % g.channels();
                    plane(xa, xOff + p * g.height() * g.width(), ya, yOff + p * g.outH() * g.outW(), g,
                            wa, wOff + c * g.kernelH() * g.kernelW(), ba == null ? 0f : ba[bOff + c], act);
                }
            });
        };
    }

    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);

    // x: [H, W] plane at xOff, y: [outH, outW] plane at yOff, w: [kH, kW] at wOff
    static void plane(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff, float bias,
                      Activation act) {
        if (g.dilationH() == 1 && g.dilationW() == 1 && (g.strideW() == 1 || g.strideW() == 2)
                && g.strideH() == g.strideW()) {
            padded(x, xOff, y, yOff, g, w, wOff, bias, act);
        } else {
            rows(x, xOff, y, yOff, g, w, wOff, bias, act);
        }
    }

    /**
     * The input plane is first copied into a zero-bordered scratch plane, so no tap needs a bounds
     * test. At stride 1 the whole plane is then one flat run: output {@code i = oy*Wp + ox} of the
     * padded width Wp reads input {@code i + ky*Wp + kx}, so each tap is a single long vector loop
     * even when rows are 7 or 14 pixels (the columns past outW are computed and dropped). At stride
     * 2 the padded rows are split into even and odd columns, which makes every tap a contiguous
     * run of one output row.
     */
    private static void padded(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff,
                               float bias, Activation act) {
        int s = g.strideW();
        int kh = g.kernelH();
        int kw = g.kernelW();
        int outH = g.outH();
        int outW = g.outW();
        // Rows and columns the windows reach, padding included (the end padding only as far as used).
        int hp = (outH - 1) * s + kh;
        int wp = (outW - 1) * s + kw;
        if (s == 2 && wp % 2 == 1) {
            wp++;
        }
        int half = wp / 2;
        // stride 1: one [hp, wp] padded plane; stride 2: even and odd planes of [hp, half] each.
        int planeSize = s == 1 ? hp * wp : hp * half;
        int rowLen = s == 1 ? wp : half;
        int planes = s == 1 ? 1 : 2;
        // stride 1 also keeps an [outH, wp] accumulator after the plane.
        int need = s == 1 ? planeSize + outH * wp + SPECIES.length() * (kw + 1) : 2 * planeSize;
        float[] buf = PADDED.get();
        if (buf.length < need) {
            buf = new float[need];
            PADDED.set(buf);
        }
        // Only the border is zeroed: the top and bottom padding rows, and each copied row's ends.
        int firstRow = Math.min(g.padTop(), hp);
        int lastRow = Math.min(hp, g.padTop() + g.height());
        for (int plane = 0; plane < planes; plane++) {
            java.util.Arrays.fill(buf, plane * planeSize, plane * planeSize + firstRow * rowLen, 0f);
            java.util.Arrays.fill(buf, plane * planeSize + lastRow * rowLen, (plane + 1) * planeSize, 0f);
        }
        int cols = Math.min(g.width(), wp - g.padLeft());
        for (int py = firstRow; py < lastRow; py++) {
            int iy = py - g.padTop();
            if (s == 1) {
                int row = py * wp;
                java.util.Arrays.fill(buf, row, row + g.padLeft(), 0f);
                System.arraycopy(x, xOff + iy * g.width(), buf, row + g.padLeft(), cols);
                java.util.Arrays.fill(buf, row + g.padLeft() + cols, row + wp, 0f);
            } else {
                for (int px = 0; px < g.padLeft(); px++) {
                    buf[(px & 1) * planeSize + py * half + (px >> 1)] = 0f;
                }
                for (int px = g.padLeft() + cols; px < 2 * half; px++) {
                    buf[(px & 1) * planeSize + py * half + (px >> 1)] = 0f;
                }
                Conv.splitRow(x, xOff + iy * g.width(), cols, g.padLeft(), half, buf, py * half,
                        planeSize + py * half);
            }
        }
        int lanes = SPECIES.length();
        if (s == 1) {
            int acc = planeSize;
            int run = outH * wp;
            java.util.Arrays.fill(buf, acc, acc + run, bias);
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                    FloatVector wb = FloatVector.broadcast(SPECIES, w[wOff + ky * kw + kx]);
                    float wv = w[wOff + ky * kw + kx];
                    int src = ky * wp + kx;
                    int i = 0;
                    // The last outputs of the run may read past the plane's end: stop the vector loop
                    // where the source would leave it and finish in scalars.
                    int safe = Math.min(run, planeSize - src);
                    int bound = SPECIES.loopBound(safe);
                    for (; i < bound; i += lanes) {
                        FloatVector.fromArray(SPECIES, buf, src + i).fma(wb, FloatVector.fromArray(SPECIES, buf, acc + i))
                                .intoArray(buf, acc + i);
                    }
                    for (; i < safe; i++) {
                        buf[acc + i] += wv * buf[src + i];
                    }
                }
            }
            for (int oy = 0; oy < outH; oy++) {
                finish(buf, acc + oy * wp, y, yOff + oy * outW, outW, act);
            }
        } else {
            for (int oy = 0; oy < outH; oy++) {
                int row = yOff + oy * outW;
                java.util.Arrays.fill(y, row, row + outW, bias);
                for (int ky = 0; ky < kh; ky++) {
                    int prow = (oy * 2 + ky) * half;
                    for (int kx = 0; kx < kw; kx++) {
                        float wv = w[wOff + ky * kw + kx];
                        FloatVector wb = FloatVector.broadcast(SPECIES, wv);
                        int src = (kx & 1) * planeSize + prow + (kx >> 1);
                        int ox = 0;
                        int bound = SPECIES.loopBound(outW);
                        for (; ox < bound; ox += lanes) {
                            FloatVector.fromArray(SPECIES, buf, src + ox).fma(wb, FloatVector.fromArray(SPECIES, y, row + ox))
                                    .intoArray(y, row + ox);
                        }
                        for (; ox < outW; ox++) {
                            y[row + ox] += wv * buf[src + ox];
                        }
                    }
                }
                finish(y, row, y, row, outW, act);
            }
        }
    }

    /** Copies a finished output row with the activation applied. */
    private static void finish(float[] src, int from, float[] y, int to, int n, Activation act) {
        int lanes = SPECIES.length();
        int j = 0;
        int bound = SPECIES.loopBound(n);
        for (; j < bound; j += lanes) {
            act.apply(FloatVector.fromArray(SPECIES, src, from + j)).intoArray(y, to + j);
        }
        for (; j < n; j++) {
            y[to + j] = act.apply(src[from + j]);
        }
    }

    /** Row by row with bounds worked out per tap: any stride and dilation. */
    static void rows(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff, float bias,
                      Activation act) {
        int outW = g.outW();
        int lanes = SPECIES.length();
        for (int oy = 0; oy < g.outH(); oy++) {
            int row = yOff + oy * outW;
            java.util.Arrays.fill(y, row, row + outW, bias);
            for (int ky = 0; ky < g.kernelH(); ky++) {
                int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                if (iy < 0 || iy >= g.height()) {
                    continue;
                }
                int inRow = xOff + iy * g.width();
                for (int kx = 0; kx < g.kernelW(); kx++) {
                    float wv = w[wOff + ky * g.kernelW() + kx];
                    int dx = kx * g.dilationW() - g.padLeft();
                    // Output columns whose input column ox*stride + dx lies inside the row.
                    int lo = dx >= 0 ? 0 : Math.ceilDiv(-dx, g.strideW());
                    int hi = Math.min(outW, Math.ceilDiv(g.width() - dx, g.strideW()));
                    if (lo >= hi) {
                        continue;
                    }
                    if (g.strideW() == 1) {
                        FloatVector wb = FloatVector.broadcast(SPECIES, wv);
                        int ox = lo;
                        int bound = lo + SPECIES.loopBound(hi - lo);
                        for (; ox < bound; ox += lanes) {
                            FloatVector acc = FloatVector.fromArray(SPECIES, y, row + ox);
                            FloatVector in = FloatVector.fromArray(SPECIES, x, inRow + ox + dx);
                            in.fma(wb, acc).intoArray(y, row + ox);
                        }
                        for (; ox < hi; ox++) {
                            y[row + ox] += wv * x[inRow + ox + dx];
                        }
                    } else {
                        int s = g.strideW();
                        for (int ox = lo; ox < hi; ox++) {
                            y[row + ox] += wv * x[inRow + ox * s + dx];
                        }
                    }
                }
            }
            if (!act.isNone()) {
                int ox = 0;
                int bound = SPECIES.loopBound(outW);
                for (; ox < bound; ox += lanes) {
                    act.apply(FloatVector.fromArray(SPECIES, y, row + ox)).intoArray(y, row + ox);
                }
                for (; ox < outW; ox++) {
                    y[row + ox] = act.apply(y[row + ox]);
                }
            }
        }
    }

    /** The plain twin: the convolution sum written out, one output at a time. */
    static void reference(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff, float bias,
                          Activation act) {
        for (int oy = 0; oy < g.outH(); oy++) {
            for (int ox = 0; ox < g.outW(); ox++) {
                double sum = bias;
                for (int ky = 0; ky < g.kernelH(); ky++) {
                    for (int kx = 0; kx < g.kernelW(); kx++) {
                        int iy = oy * g.strideH() - g.padTop() + ky * g.dilationH();
                        int ix = ox * g.strideW() - g.padLeft() + kx * g.dilationW();
                        if (iy >= 0 && iy < g.height() && ix >= 0 && ix < g.width()) {
                            sum += (double) w[wOff + ky * g.kernelW() + kx] * x[xOff + iy * g.width() + ix];
                        }
                    }
                }
                y[yOff + oy * g.outW() + ox] = act.apply((float) sum);
            }
        }
    }
}
