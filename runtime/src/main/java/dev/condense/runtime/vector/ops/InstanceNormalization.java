// InstanceNormalization: each (n, c) plane normalized by its own mean and variance, then scaled and shifted per channel.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.InstanceNormAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Two passes over each plane: the mean, then the variance of the centred values, corrected by
 * their mean (the corrected two-pass algorithm; E[x^2] - E[x]^2 would cancel badly when the mean
 * is large), then y = (x - mean) * a + bias as in
 * BatchNormalization. Scale and bias may be constants or values fed at run time.
 */
final class InstanceNormalization {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 14;

    private InstanceNormalization() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        double epsilon = Kernels.attrs(ctx, InstanceNormAttrs::of).epsilon();
        Operand x = ctx.input(0);
        Operand scale = ctx.input(1);
        Operand bias = ctx.input(2);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        long[] xs = x.shape();
        if (xs.length < 3) {
            throw ctx.error("input " + x + " must be [N, C, D1, ...]");
        }
        int channels = Math.toIntExact(xs[1]);
        if (scale.size() != channels || bias.size() != channels) {
            throw ctx.error("scale " + scale + " and bias " + bias + " must hold " + channels + " values, one per channel");
        }
        int planes = Kernels.product(xs, 0, 2);
        int plane = Kernels.product(xs, 2, xs.length);
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / Math.max(1, plane));
        // x: [N, C, D...], scale and bias: [C]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            float[] sa = scale.array(arena);
            float[] ba = bias.array(arena);
            int so = scale.offset();
            int bo = bias.offset();
            if (Kernels.runsInline(parallel, planes, grain)) {
                planes(xa, xo, arena, yo, sa, so, ba, bo, epsilon, 0, planes, channels, plane);
            } else {
                parallel.forRange(planes, grain, (s, e) -> planes(xa, xo, arena, yo, sa, so, ba, bo, epsilon, s, e,
                        channels, plane));
            }
        };
    }

    static void planes(float[] x, int xo, float[] y, int yo, float[] scale, int so, float[] bias, int bo,
                       double epsilon, int from, int to, int channels, int n) {
        for (int p = from; p < to; p++) {
            int c = p % channels;
            int at = xo + p * n;
            float mean = GlobalPooling.sum(x, at, n) / n;
            // The centred pass also sums the deviations: they correct the rounding of the first mean.
            FloatVector deviations = FloatVector.zero(S);
            FloatVector squares = FloatVector.zero(S);
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector d = FloatVector.fromArray(S, x, at + i).sub(mean);
                deviations = deviations.add(d);
                squares = d.fma(d, squares);
            }
            double sum = Kernels.sumLanes(deviations);
            double sumSquares = Kernels.sumLanes(squares);
            for (; i < n; i++) {
                double d = x[at + i] - mean;
                sum += d;
                sumSquares += d * d;
            }
            double shift = sum / n;
            double variance = Math.max(0, sumSquares / n - shift * shift);
            float k = (float) (scale[so + c] / Math.sqrt(variance + epsilon));
            BatchNormalization.normalize(x, at, y, yo + p * n, n, (float) (mean + shift), k, bias[bo + c]);
        }
    }

    /** The reference: mean and variance per plane in double, then the definition per element. */
    static float[] reference(float[] x, int batch, int channels, int plane, float[] scale, float[] bias,
                             double epsilon) {
        float[] y = new float[x.length];
        for (int p = 0; p < batch * channels; p++) {
            double mean = 0;
            for (int i = 0; i < plane; i++) {
                mean += x[p * plane + i];
            }
            mean /= plane;
            double var = 0;
            for (int i = 0; i < plane; i++) {
                double d = x[p * plane + i] - mean;
                var += d * d;
            }
            var /= plane;
            int c = p % channels;
            for (int i = 0; i < plane; i++) {
                y[p * plane + i] = (float) ((x[p * plane + i] - mean) / Math.sqrt(var + epsilon) * scale[c] + bias[c]);
            }
        }
        return y;
    }
}
