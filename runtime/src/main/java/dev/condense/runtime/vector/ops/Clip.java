// Clip: y = min(max(x, lo), hi); ReLU6 is Clip(0, 6).
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.Lanes;
import dev.condense.ops.ClipAttrs;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.Activation;
import dev.condense.runtime.vector.Kernel;
import dev.condense.runtime.vector.KernelContext;
import dev.condense.runtime.vector.Operand;
import dev.condense.runtime.vector.Parallel;
import jdk.incubator.vector.VectorSpecies;

/**
 * Before opset 11 the bounds are attributes; from 11 they are optional inputs 1 and 2, usually
 * constants (fixed when the kernel is built) but possibly values fed at run time, read once per
 * run. An absent bound is infinite. When lo > hi every output is hi, as ONNX specifies and
 * min(max(x, lo), hi) gives.
 */
final class Clip {

    private static final VectorSpecies<Float> S = Lanes.FLOAT;

    private Clip() {
    }

    static Kernel create(KernelContext ctx) throws SessionException {
        ClipAttrs attrs = Kernels.attrs(ctx, ClipAttrs::of);
        if (!attrs.boundsFromInputs()) {
            return constantBounds(ctx, attrs.min(), attrs.max());
        }
        Operand lo = ctx.hasInput(1) ? Kernels.requireScalar(ctx, 1, "lower bound") : null;
        Operand hi = ctx.hasInput(2) ? Kernels.requireScalar(ctx, 2, "upper bound") : null;
        if ((lo == null || lo.isConstant()) && (hi == null || hi.isConstant())) {
            return constantBounds(ctx, lo == null ? Float.NEGATIVE_INFINITY : lo.constant()[0],
                    hi == null ? Float.POSITIVE_INFINITY : hi.constant()[0]);
        }
        Operand x = ctx.input(0);
        Operand y = ctx.output(0);
        Kernels.requireShape(ctx, y, x.shape(), "output");
        int n = y.size();
        Parallel parallel = ctx.parallel();
        return arena -> {
            float min = lo == null ? Float.NEGATIVE_INFINITY : Kernels.scalar(lo, arena);
            float max = hi == null ? Float.POSITIVE_INFINITY : Kernels.scalar(hi, arena);
            Activation clip = Activation.clip(min, max);
            Elementwise.apply(parallel, (xa, xo, ya, yo, m) -> clip.finish(xa, xo, 0f, null, 0, ya, yo, m),
                    x.array(arena), x.offset(), arena, y.offset(), n);
        };
    }

    private static Kernel constantBounds(KernelContext ctx, float min, float max) throws SessionException {
        Activation clip = Activation.clip(min, max);
        return Elementwise.unary(ctx, (x, xo, y, yo, n) -> clip.finish(x, xo, 0f, null, 0, y, yo, n));
    }

    static void apply(float[] x, int xo, float[] y, int yo, int n, float min, float max) {
        Activation.clip(min, max).finish(x, xo, 0f, null, 0, y, yo, n);
    }

    static float reference(float x, float min, float max) {
        return Math.min(Math.max(x, min), max);
    }
}
