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

    static Kernel create(Parallel parallel, Operand x, Operand y, Conv.Geometry g, float[] weights, float[] bias,
                         Activation act) {
        int planes = g.batch() * g.channels();
        int grain = Math.max(1, 4096 / Math.max(1, g.outH() * g.outW()));
        return arena -> {
            float[] xa = x.array(arena);
            float[] ya = y.array(arena);
            int xOff = x.offset();
            int yOff = y.offset();
            parallel.forRange(planes, grain, (start, end) -> {
                for (int p = start; p < end; p++) {
                    int c = p % g.channels();
                    plane(xa, xOff + p * g.height() * g.width(), ya, yOff + p * g.outH() * g.outW(), g,
                            weights, c * g.kernelH() * g.kernelW(), bias == null ? 0f : bias[c], act);
                }
            });
        };
    }

    // x: [H, W] plane at xOff, y: [outH, outW] plane at yOff, w: [kH, kW] at wOff
    static void plane(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff, float bias,
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
