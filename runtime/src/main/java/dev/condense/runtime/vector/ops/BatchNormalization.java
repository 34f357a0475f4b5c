// BatchNormalization at inference: y = (x - mean) / sqrt(var + epsilon) * scale + bias, per channel.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.BatchNormAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The plan folds a BatchNormalization that follows a convolution or matrix product into its
 * weights; this kernel runs the ones that remain (pre-activation blocks such as DenseNet's, or
 * normalization of the input). Per channel it is y = (x - mean) * a + bias with
 * a = scale / sqrt(var + eps) computed in double: once at build time when the statistics are
 * constants, else per (n, c) plane from the values of this run. Subtracting the mean first costs
 * one operation more than folding it into the bias, but x * a + (bias - mean * a) loses the
 * digits of x - mean when the mean is large against the spread (raw pixel inputs). Before opset 9 {@code spatial = 0}
 * means one statistic per element of {@code [C, D1, ...]}, handled by treating every element as
 * a channel of one. Training mode (running statistics as outputs) is refused.
 */
final class BatchNormalization {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 15;

    private BatchNormalization() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        BatchNormAttrs attrs = Kernels.attrs(ctx, BatchNormAttrs::of);
        if (attrs.trainingMode()) {
            throw ctx.error("training_mode is set; the vector engine runs inference with the running statistics");
        }
        if (ctx.outputCount() > 1 && ctx.node().outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw ctx.error("asks for the running statistics as outputs, which only training computes");
        }
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        long[] xs = x.shape();
        if (xs.length < 2) {
            throw ctx.error("input " + x + " must be [N, C, ...]");
        }
        int batch = Math.toIntExact(xs[0]);
        // channels: statistics per input; plane: elements sharing one statistic
        int channels = attrs.spatial() ? Math.toIntExact(xs[1]) : Kernels.product(xs, 1, xs.length);
        int plane = attrs.spatial() ? Kernels.product(xs, 2, xs.length) : 1;
        Operand[] stats = new Operand[4];
        boolean constant = true;
        for (int i = 0; i < 4; i++) {
            stats[i] = ctx.input(i + 1);
            if (stats[i].size() != channels) {
                throw ctx.error((new String[] {"scale", "bias", "mean", "var"})[i] + " '" + stats[i].name() + "' has "
                        + stats[i].size() + " values; input " + x + " needs " + channels);
            }
            constant &= stats[i].isConstant();
        }
        double epsilon = attrs.epsilon();
        Parallel parallel = ctx.parallel();
        int planes = batch * channels;
        int grain = Math.max(1, GRAIN / Math.max(1, plane));
        if (constant) {
            float[] a = new float[channels];
            float[] scale = stats[0].constant();
            float[] var = stats[3].constant();
            for (int c = 0; c < channels; c++) {
                a[c] = (float) (scale[c] / Math.sqrt(var[c] + epsilon));
            }
            float[] b = stats[1].constant();
            float[] mean = stats[2].constant();
            // x: [N, C, D...], a, mean and b (bias): [C]
            return arena -> {
                float[] xa = x.array(arena);
                int xo = x.offset();
                int yo = y.offset();
                if (Kernels.runsInline(parallel, planes, grain)) {
                    planes(xa, xo, arena, yo, mean, a, b, 0, planes, channels, plane);
                } else {
                    parallel.forRange(planes, grain, (s, e) -> planes(xa, xo, arena, yo, mean, a, b, s, e, channels,
                            plane));
                }
            };
        }
        // Statistics fed at run time: coefficients per plane, computed where they are used.
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, planes, grain)) {
                planesFromStatistics(xa, xo, arena, yo, stats, arena, epsilon, 0, planes, channels, plane);
            } else {
                parallel.forRange(planes, grain, (s, e) -> planesFromStatistics(xa, xo, arena, yo, stats, arena,
                        epsilon, s, e, channels, plane));
            }
        };
    }

    /** Planes [from, to) of [N * C] planes, each y = (x - mean[c]) * a[c] + b[c]. */
    static void planes(float[] x, int xo, float[] y, int yo, float[] mean, float[] a, float[] b, int from, int to,
                       int channels, int plane) {
        for (int p = from; p < to; p++) {
            int c = p % channels;
            normalize(x, xo + p * plane, y, yo + p * plane, plane, mean[c], a[c], b[c]);
        }
    }

    private static void planesFromStatistics(float[] x, int xo, float[] y, int yo, Operand[] stats, float[] arena,
                                             double epsilon, int from, int to, int channels, int plane) {
        float[] scale = stats[0].array(arena);
        float[] bias = stats[1].array(arena);
        float[] mean = stats[2].array(arena);
        float[] var = stats[3].array(arena);
        for (int p = from; p < to; p++) {
            int c = p % channels;
            float a = (float) (scale[stats[0].offset() + c] / Math.sqrt(var[stats[3].offset() + c] + epsilon));
            normalize(x, xo + p * plane, y, yo + p * plane, plane, mean[stats[2].offset() + c], a,
                    bias[stats[1].offset() + c]);
        }
    }

    /** y = (x - mean) * a + b over n floats: a subtraction and a fused multiply-add per element in both loops. */
    static void normalize(float[] x, int xo, float[] y, int yo, int n, float mean, float a, float b) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).sub(mean).fma(a, b).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(x[xo + i] - mean, a, b);
        }
    }

    /** The reference: the definition per element, in double, without the folding into a and b. */
    static float[] reference(float[] x, int batch, int channels, int plane, float[] scale, float[] bias, float[] mean,
                             float[] var, double epsilon) {
        float[] y = new float[x.length];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    int at = (n * channels + c) * plane + i;
                    y[at] = (float) ((x[at] - mean[c]) / Math.sqrt(var[c] + epsilon) * scale[c] + bias[c]);
                }
            }
        }
        return y;
    }
}
