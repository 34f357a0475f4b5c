// Resize (and Upsample, its predecessor): nearest or linear resampling with ONNX's coordinate modes.
package dev.condense.runtime.vector.ops;

import dev.condense.ir.Tensor;
import dev.condense.ops.ResizeAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;

import java.util.Arrays;
import java.util.Optional;

/**
 * Scales or sizes must be constants (they fix the output shape). At build time every axis gets
 * its source coordinates, computed in double as the ONNX reference does: an index table for
 * nearest (any rank), or two neighbours and a weight for linear, which is supported on the last
 * two axes (bilinear, the CNN case; the leading axes must keep their size). Neighbours beyond the
 * input repeat its edge. Cubic, tf_crop_and_resize, half_pixel_symmetric, antialiasing, axes and
 * aspect-ratio policies are refused by name.
 */
final class Resize {

    /** Output floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private Resize() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        ResizeAttrs attrs = Kernels.attrs(ctx, ResizeAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        long[] in = x.shape();
        int rank = in.length;
        boolean upsample = ctx.node().opType().equals("Upsample");
        refuseUnsupported(ctx, attrs);
        double[] scales = new double[rank];
        long[] out = new long[rank];
        Optional<long[]> sizes = upsample || ctx.opset() < 11 ? Optional.empty()
                : Kernels.constantInts(ctx, 3, "sizes").filter(s -> s.length > 0);
        if (sizes.isPresent()) {
            if (sizes.get().length != rank) {
                throw ctx.error("sizes " + Arrays.toString(sizes.get()) + " must hold one size per axis of " + x);
            }
            for (int d = 0; d < rank; d++) {
                out[d] = sizes.get()[d];
                scales[d] = (double) out[d] / in[d];
            }
        } else {
            float[] given = scales(ctx, attrs, upsample);
            if (given.length != rank) {
                throw ctx.error("scales " + Arrays.toString(given) + " must hold one scale per axis of " + x);
            }
            for (int d = 0; d < rank; d++) {
                scales[d] = given[d];
                out[d] = (long) Math.floor(in[d] * (double) given[d]);
            }
        }
        Kernels.requireShape(ctx, y, out, "output");
        if (y.size() == 0) {
            return Reshape.NOTHING;
        }
        Parallel parallel = ctx.parallel();
        int[] strides = Kernels.strides(in);
        if (attrs.mode().equals("nearest")) {
            int[][] maps = new int[rank][];
            for (int d = 0; d < rank; d++) {
                maps[d] = nearest(attrs, (int) in[d], (int) out[d], scales[d]);
            }
            int row = (int) out[rank - 1];
            int rows = y.size() / row;
            int grain = Math.max(1, GRAIN / row);
            // x: [d0, ..., dk], y: [o0, ..., ok], y[i] = x[map0[i0], ..., mapk[ik]]
            return arena -> {
                float[] xa = x.array(arena);
                int xo = x.offset();
                int yo = y.offset();
                if (Kernels.runsInline(parallel, rows, grain)) {
                    nearestRows(xa, xo, arena, yo, 0, rows, out, maps, strides);
                } else {
                    parallel.forRange(rows, grain, (s, e) -> nearestRows(xa, xo, arena, yo, s, e, out, maps, strides));
                }
            };
        }
        if (rank < 2) {
            throw ctx.error("linear resize needs at least two axes, " + x + " has " + rank);
        }
        for (int d = 0; d < rank - 2; d++) {
            if (out[d] != in[d]) {
                throw ctx.error("linear resize of axis " + d + " (" + in[d] + " to " + out[d] + "); the vector engine"
                        + " resizes the last two axes only");
            }
        }
        Linear h = linear(attrs, (int) in[rank - 2], (int) out[rank - 2], scales[rank - 2]);
        Linear w = linear(attrs, (int) in[rank - 1], (int) out[rank - 1], scales[rank - 1]);
        int planes = Kernels.product(in, 0, rank - 2);
        int inPlane = (int) (in[rank - 2] * in[rank - 1]);
        int outPlane = (int) (out[rank - 2] * out[rank - 1]);
        int width = (int) in[rank - 1];
        int grain = Math.max(1, GRAIN / outPlane);
        // x: [..., H, W], y: [..., OH, OW]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, planes, grain)) {
                bilinear(xa, xo, arena, yo, 0, planes, width, inPlane, outPlane, h, w);
            } else {
                parallel.forRange(planes, grain, (s, e) -> bilinear(xa, xo, arena, yo, s, e, width, inPlane, outPlane,
                        h, w));
            }
        };
    }

    private static void refuseUnsupported(KernelContext ctx, ResizeAttrs attrs) throws SessionException {
        String why = null;
        if (!attrs.mode().equals("nearest") && !attrs.mode().equals("linear")) {
            why = "mode '" + attrs.mode() + "'";
        } else if (attrs.coordinateTransformationMode().equals("tf_crop_and_resize")
                || attrs.coordinateTransformationMode().equals("half_pixel_symmetric")) {
            why = "coordinate_transformation_mode '" + attrs.coordinateTransformationMode() + "'";
        } else if (attrs.antialias()) {
            why = "antialias";
        } else if (attrs.axes().length > 0) {
            why = "attribute 'axes'";
        } else if (!attrs.keepAspectRatioPolicy().equals("stretch")) {
            why = "keep_aspect_ratio_policy '" + attrs.keepAspectRatioPolicy() + "'";
        }
        if (why != null) {
            throw ctx.error(why + " is not supported by the vector engine (it resizes nearest and linear)");
        }
    }

    /** The scales: Upsample's attribute before opset 9, else the constant input (1 for Upsample and Resize-10, 2 after). */
    private static float[] scales(KernelContext ctx, ResizeAttrs attrs, boolean upsample) throws SessionException {
        if (attrs.scales().length > 0) {
            return attrs.scales();
        }
        int input = upsample || ctx.opset() < 11 ? 1 : 2;
        if (!ctx.hasInput(input)) {
            throw ctx.error("needs scales (input " + input + ") or sizes");
        }
        Optional<Tensor> t = ctx.constantInput(input);
        if (t.isEmpty()) {
            throw ctx.error("scales (input " + input + ") are computed or fed at run time; the vector engine needs them"
                    + " constant, since they fix the output shape");
        }
        float[] s = new float[Math.toIntExact(t.get().elementCount())];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) t.get().getDouble(i);
        }
        return s;
    }

    /** The input coordinate of output index {@code o} along an axis of {@code in} to {@code out} at {@code scale}. */
    static double source(String mode, int o, int in, int out, double scale) {
        return switch (mode) {
            case "half_pixel" -> (o + 0.5) / scale - 0.5;
            case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
            case "align_corners" -> out == 1 ? 0 : o * (in - 1.0) / (out - 1.0);
            case "asymmetric" -> o / scale;
            case "tf_half_pixel_for_nn" -> (o + 0.5) / scale;
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** Nearest: each output index's input index, rounded by nearest_mode and clamped to the input. */
    static int[] nearest(ResizeAttrs attrs, int in, int out, double scale) {
        int[] map = new int[out];
        for (int o = 0; o < out; o++) {
            double c = source(attrs.coordinateTransformationMode(), o, in, out, scale);
            double r = switch (attrs.nearestMode()) {
                case "round_prefer_floor" -> c == Math.floor(c) + 0.5 ? Math.floor(c) : Math.round(c);
                case "round_prefer_ceil" -> c == Math.floor(c) + 0.5 ? Math.ceil(c) : Math.round(c);
                case "floor" -> Math.floor(c);
                case "ceil" -> Math.ceil(c);
                default -> throw new IllegalArgumentException(attrs.nearestMode());
            };
            map[o] = (int) Math.clamp((long) r, 0, in - 1);
        }
        return map;
    }

    /** Linear along one axis: for each output index, the two input neighbours and the weight of the second. */
    record Linear(int[] lo, int[] hi, float[] weight) {
    }

    static Linear linear(ResizeAttrs attrs, int in, int out, double scale) {
        int[] lo = new int[out];
        int[] hi = new int[out];
        float[] weight = new float[out];
        for (int o = 0; o < out; o++) {
            double c = Math.clamp(source(attrs.coordinateTransformationMode(), o, in, out, scale), 0, in - 1);
            int f = (int) Math.floor(c);
            lo[o] = f;
            hi[o] = Math.min(f + 1, in - 1);
            weight[o] = (float) (c - f);
        }
        return new Linear(lo, hi, weight);
    }

    private static void nearestRows(float[] x, int xo, float[] y, int yo, int from, int to, long[] out, int[][] maps,
                                    int[] strides) {
        int rank = out.length;
        int[] inner = maps[rank - 1];
        int row = inner.length;
        for (int r = from; r < to; r++) {
            int src = xo;
            int rest = r;
            for (int d = rank - 2; d >= 0; d--) {
                src += maps[d][(int) (rest % out[d])] * strides[d];
                rest /= (int) out[d];
            }
            int dst = yo + r * row;
            for (int i = 0; i < row; i++) {
                y[dst + i] = x[src + inner[i]];
            }
        }
    }

    /** Planes [from, to): each output is the two-step interpolation, along the width, then the height. */
    static void bilinear(float[] x, int xo, float[] y, int yo, int from, int to, int width, int inPlane, int outPlane,
                         Linear h, Linear w) {
        int outWidth = w.lo().length;
        for (int p = from; p < to; p++) {
            int src = xo + p * inPlane;
            int dst = yo + p * outPlane;
            for (int oh = 0; oh < h.lo().length; oh++) {
                int r0 = src + h.lo()[oh] * width;
                int r1 = src + h.hi()[oh] * width;
                float a = h.weight()[oh];
                for (int ow = 0; ow < outWidth; ow++) {
                    int c0 = w.lo()[ow];
                    int c1 = w.hi()[ow];
                    float b = w.weight()[ow];
                    float top = x[r0 + c0] + b * (x[r0 + c1] - x[r0 + c0]);
                    float bottom = x[r1 + c0] + b * (x[r1 + c1] - x[r1 + c0]);
                    y[dst + oh * outWidth + ow] = top + a * (bottom - top);
                }
            }
        }
    }
}
