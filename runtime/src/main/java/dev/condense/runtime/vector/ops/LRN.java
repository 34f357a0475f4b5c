// LRN: local response normalization across channels (AlexNet, GoogLeNet): y = x / (bias + alpha/size * sum x^2)^beta.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.LrnAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The sum runs over channels {@code [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)]}
 * clipped to the input, at the same spatial position. Each (n, c) plane is computed vector
 * across its positions, the window's squares summed from the neighbouring planes; the power
 * uses t^-0.75 = 1 / (sqrt(t) * sqrt(sqrt(t))) for the usual beta of 0.75, and pow otherwise.
 */
final class LRN {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    /** Input floats one thread takes at least. */
    private static final int GRAIN = 1 << 13;

    private LRN() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        LrnAttrs attrs = Kernels.attrs(ctx, LrnAttrs::of);
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        long[] xs = x.shape();
        if (xs.length < 3) {
            throw ctx.error("input " + x + " must be [N, C, D1, ...]");
        }
        int channels = Math.toIntExact(xs[1]);
        int planes = Kernels.product(xs, 0, 2);
        int plane = Kernels.product(xs, 2, xs.length);
        Window w = new Window(attrs.size(), attrs.alpha() / attrs.size(), attrs.beta(), attrs.bias());
        Parallel parallel = ctx.parallel();
        int grain = Math.max(1, GRAIN / Math.max(1, plane * attrs.size()));
        // x: [N, C, D...], y: [N, C, D...]
        return arena -> {
            float[] xa = x.array(arena);
            int xo = x.offset();
            int yo = y.offset();
            if (Kernels.runsInline(parallel, planes, grain)) {
                planes(xa, xo, arena, yo, 0, planes, channels, plane, w);
            } else {
                parallel.forRange(planes, grain, (s, e) -> planes(xa, xo, arena, yo, s, e, channels, plane, w));
            }
        };
    }

    /** The attributes as the loops use them: alpha already divided by size. */
    record Window(int size, float scaledAlpha, float beta, float bias) {
        int before() {
            return (size - 1) / 2;
        }

        int after() {
            return size / 2;
        }
    }

    static void planes(float[] x, int xo, float[] y, int yo, int from, int to, int channels, int n, Window w) {
        boolean threeQuarters = w.beta() == 0.75f;
        FloatVector one = FloatVector.broadcast(S, 1f);
        for (int p = from; p < to; p++) {
            int c = p % channels;
            int first = Math.max(0, c - w.before());
            int last = Math.min(channels - 1, c + w.after());
            int self = xo + p * n;
            int base = self - (c - first) * n;
            int i = 0;
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                FloatVector sum = FloatVector.zero(S);
                for (int k = 0; k <= last - first; k++) {
                    FloatVector v = FloatVector.fromArray(S, x, base + k * n + i);
                    sum = v.fma(v, sum);
                }
                FloatVector t = sum.fma(w.scaledAlpha(), w.bias());
                FloatVector scale;
                if (threeQuarters) {
                    FloatVector root = t.lanewise(VectorOperators.SQRT);
                    scale = one.div(root.mul(root.lanewise(VectorOperators.SQRT)));
                } else {
                    scale = t.lanewise(VectorOperators.POW, -w.beta());
                }
                FloatVector.fromArray(S, x, self + i).mul(scale).intoArray(y, yo + p * n + i);
            }
            for (; i < n; i++) {
                y[yo + p * n + i] = element(x, base + i, last - first + 1, n, x[self + i], w);
            }
        }
    }

    /** One output from {@code count} planes' values {@code stride} apart, in scalar arithmetic. */
    private static float element(float[] x, int at, int count, int stride, float self, Window w) {
        float sum = 0;
        for (int k = 0; k < count; k++) {
            float v = x[at + k * stride];
            sum = Math.fma(v, v, sum);
        }
        float t = Math.fma(sum, w.scaledAlpha(), w.bias());
        return self * (float) Math.pow(t, -w.beta());
    }

    /** The reference: the definition per element with the window clipped to the channels, in double. */
    static float[] reference(float[] x, int batch, int channels, int plane, int size, float alpha, float beta,
                             float bias) {
        float[] y = new float[x.length];
        for (int nb = 0; nb < batch; nb++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    double sum = 0;
                    for (int k = Math.max(0, c - (size - 1) / 2); k <= Math.min(channels - 1, c + size / 2); k++) {
                        double v = x[(nb * channels + k) * plane + i];
                        sum += v * v;
                    }
                    int at = (nb * channels + c) * plane + i;
                    y[at] = (float) (x[at] / Math.pow(bias + alpha / size * sum, beta));
                }
            }
        }
        return y;
    }
}
