// The depthwise path of Conv: one filter per channel, computed directly, a row of outputs at a time.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * MobileNet's and EfficientNet's 3x3 and 5x5 depthwise filters have 9 or 25 weights per channel,
 * too few for a GEMM. For each output row the kernel adds {@code w[ky][kx] * input row} for every
 * tap; at stride 1 the inner loop runs over a contiguous stretch of the input row in vectors,
 * and only the columns whose window crosses the border take the scalar path. Channels are split
 * over threads. {@link #reference} is the plain twin.
 */
final class DepthwiseConv {

    private static final VectorSpecies<Float> SPECIES = Lanes.FLOAT;

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

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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

    /** Taps summed per pass over the output run: a 3x3 filter in one pass, with its weights in registers. */
    private static final int TAPS_PER_PASS = 9;

    /**
     * A thread's working planes for one geometry: the {@code s x s} zero-bordered phase planes of
     * the input, zeroed slack after them, and the output run. Consecutive planes of a layer share
     * the geometry, so the border is zeroed once when it changes and each plane then writes only
     * its interior; the tap offsets are worked out at the same time.
     */
    private static final class Scratch {
        float[] buf = new float[0];
        Conv.Geometry geometry;
        int[] offsets = new int[0];
        int s;
        int hh;
        int ww;
        int run;
        int acc;

        void prepare(Conv.Geometry g) {
            if (g.equals(geometry)) {
                return;
            }
            int lanes = SPECIES.length();
            s = g.strideW();
            int kh = g.kernelH();
            int kw = g.kernelW();
            // Rows and columns of each phase plane: as far as the windows reach, padding included.
            hh = Math.ceilDiv((g.outH() - 1) * s + kh, s);
            ww = Math.ceilDiv((g.outW() - 1) * s + kw, s);
            int phaseSize = Math.multiplyExact(hh, ww);
            int planes = Math.multiplyExact(s * s, phaseSize);
            run = Math.multiplyExact(g.outH(), ww);
            acc = planes + lanes + kw;
            int need = acc + SPECIES.loopBound(run + lanes - 1);
            if (buf.length < need) {
                buf = new float[need];
            } else {
                java.util.Arrays.fill(buf, 0, acc, 0f);
            }
            int taps = kh * kw;
            int slots = Math.ceilDiv(taps, TAPS_PER_PASS) * TAPS_PER_PASS;
            if (offsets.length < slots) {
                offsets = new int[slots];
            }
            java.util.Arrays.fill(offsets, 0);
            for (int t = 0; t < taps; t++) {
                int ky = t / kw;
                int kx = t % kw;
                offsets[t] = ((ky % s) * s + kx % s) * phaseSize + (ky / s) * ww + kx / s;
            }
            geometry = g;
        }
    }

    /**
     * The input plane is first copied into a zero-bordered scratch plane, so no tap needs a bounds
     * test, and split into {@code s x s} phase planes (even and odd rows and columns at stride 2)
     * of {@code [hh, ww]} each. Output {@code i = oy*ww + ox} then reads tap {@code (ky, kx)} at
     * {@code i + (ky/s)*ww + kx/s} in phase plane {@code (ky%s, kx%s)}: the whole plane is one flat
     * run for every tap, in vectors even when rows are 7 pixels wide (the columns past outW are
     * computed and dropped; their reads stay inside the zeroed slack after the planes). Nine taps
     * are summed per pass with the accumulator in a register, so a 3x3 filter loads each input
     * vector nine times but stores each output once.
     */
    private static void padded(float[] x, int xOff, float[] y, int yOff, Conv.Geometry g, float[] w, int wOff,
                               float bias, Activation act) {
        Scratch scratch = SCRATCH.get();
        scratch.prepare(g);
        float[] buf = scratch.buf;
        int ww = scratch.ww;
        fillInterior(x, xOff, g, buf, scratch.s, scratch.hh, ww);
        int taps = g.kernelH() * g.kernelW();
        for (int t0 = 0; t0 < taps; t0 += TAPS_PER_PASS) {
            boolean last = t0 + TAPS_PER_PASS >= taps;
            pass(buf, scratch.acc, scratch.run, scratch.offsets, w, wOff, taps, t0, bias, last ? act : Activation.NONE);
        }
        int outW = g.outW();
        for (int oy = 0; oy < g.outH(); oy++) {
            copy(buf, scratch.acc + oy * ww, y, yOff + oy * outW, outW);
        }
    }

    /** The weight of tap {@code t}; zero past the last tap. */
    private static float weight(float[] w, int wOff, int taps, int t) {
        return t < taps ? w[wOff + t] : 0f;
    }

    /**
     * {@code acc[i] = (t0 == 0 ? bias : acc[i]) + sum over taps t0..t0+8 of w[t] * buf[offsets[t] + i]},
     * then the activation, for every i of the run rounded up to whole vectors. Taps past the last
     * weigh zero and read offset zero.
     */
    private static void pass(float[] buf, int acc, int run, int[] offsets, float[] w, int wOff, int taps, int t0,
                             float bias, Activation act) {
        int lanes = SPECIES.length();
        boolean first = t0 == 0;
        FloatVector w0 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0));
        FloatVector w1 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 1));
        FloatVector w2 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 2));
        FloatVector w3 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 3));
        FloatVector w4 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 4));
        FloatVector w5 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 5));
        FloatVector w6 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 6));
        FloatVector w7 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 7));
        FloatVector w8 = FloatVector.broadcast(SPECIES, weight(w, wOff, taps, t0 + 8));
        int o0 = offsets[t0];
        int o1 = offsets[t0 + 1];
        int o2 = offsets[t0 + 2];
        int o3 = offsets[t0 + 3];
        int o4 = offsets[t0 + 4];
        int o5 = offsets[t0 + 5];
        int o6 = offsets[t0 + 6];
        int o7 = offsets[t0 + 7];
        int o8 = offsets[t0 + 8];
        FloatVector b = FloatVector.broadcast(SPECIES, bias);
        // The activation is written out with the vector operations themselves (see
        // Activation.finish): ReLU and Clip as two compares and blends, LeakyRelu as one.
        boolean clamp = act.kind() == Activation.Kind.RELU || act.kind() == Activation.Kind.CLIP;
        boolean leaky = act.kind() == Activation.Kind.LEAKY_RELU;
        FloatVector lo = FloatVector.broadcast(SPECIES, act.min());
        FloatVector hi = FloatVector.broadcast(SPECIES, act.max());
        FloatVector slope = FloatVector.broadcast(SPECIES, act.alpha());
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = 0; i < run; i += lanes) {
            FloatVector sum = first ? b : FloatVector.fromArray(SPECIES, buf, acc + i);
            sum = FloatVector.fromArray(SPECIES, buf, o0 + i).fma(w0, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o1 + i).fma(w1, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o2 + i).fma(w2, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o3 + i).fma(w3, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o4 + i).fma(w4, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o5 + i).fma(w5, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o6 + i).fma(w6, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o7 + i).fma(w7, sum);
            sum = FloatVector.fromArray(SPECIES, buf, o8 + i).fma(w8, sum);
            if (clamp) {
                sum = sum.blend(lo, sum.compare(VectorOperators.LE, lo));
                sum = sum.blend(hi, sum.compare(VectorOperators.GE, hi));
            } else if (leaky) {
                sum = sum.blend(sum.mul(slope), sum.compare(VectorOperators.LT, zero));
            }
            sum.intoArray(buf, acc + i);
        }
    }

    /**
     * Copies the input into the interior of the phase planes of {@code [hh, ww]}: padded pixel
     * {@code (py, px)} goes to plane {@code (py%s, px%s)} at {@code (py/s, px/s)}. The border
     * around it was zeroed by {@link Scratch#prepare} and nothing else writes there.
     */
    private static void fillInterior(float[] x, int xOff, Conv.Geometry g, float[] buf, int s, int hh, int ww) {
        int phaseSize = hh * ww;
        int hp = hh * s;
        int wp = ww * s;
        int top = Math.min(g.padTop(), hp);
        int bottom = Math.min(hp, g.padTop() + g.height());
        int left = Math.min(g.padLeft(), wp);
        int cols = Math.max(0, Math.min(g.width(), wp - left));
        for (int py = top; py < bottom; py++) {
            int rowPhase = (py % s) * s;
            int row = (py / s) * ww;
            int src = xOff + (py - g.padTop()) * g.width();
            if (s == 1) {
                copy(x, src, buf, row + left, cols);
            } else {
                Conv.splitRow(x, src, cols, left, ww, buf, rowPhase * phaseSize + row,
                        (rowPhase + 1) * phaseSize + row);
            }
        }
    }

    /**
     * {@link System#arraycopy} for a row: whole vectors, the last one overlapping the one before
     * when the row is not a multiple of the vector length (a 14- or 28-pixel row is two or four
     * vectors, not a vector and a scalar tail); rows narrower than a vector, one float at a time.
     */
    private static void copy(float[] src, int from, float[] dst, int to, int n) {
        int lanes = SPECIES.length();
        if (n < lanes) {
            for (int i = 0; i < n; i++) {
                dst[to + i] = src[from + i];
            }
            return;
        }
        int i = 0;
        for (; i + lanes <= n; i += lanes) {
            FloatVector.fromArray(SPECIES, src, from + i).intoArray(dst, to + i);
        }
        if (i < n) {
            FloatVector.fromArray(SPECIES, src, from + n - lanes).intoArray(dst, to + n - lanes);
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
                act.finish(y, row, 0f, null, 0, y, row, outW);
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
