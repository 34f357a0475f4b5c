// An activation folded into the kernel before it (Conv, Gemm): applied to each output as it is stored.
package dev.condense.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The plan compiler fuses a Relu, Clip (ReLU6) or LeakyRelu that is the only consumer of a
 * convolution or matrix product into that kernel, so the activation costs no extra pass over
 * memory.
 */
public record Activation(Kind kind, float min, float max, float alpha) {

    public enum Kind { NONE, RELU, CLIP, LEAKY_RELU, FAKE_QUANT }

    public static final Activation NONE = new Activation(Kind.NONE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0);
    public static final Activation RELU = new Activation(Kind.RELU, 0, Float.POSITIVE_INFINITY, 0);

    public static Activation clip(float min, float max) {
        return new Activation(Kind.CLIP, min, max, 0);
    }

    /**
     * A QuantizeLinear and the DequantizeLinear that alone reads it, after an optional Relu or Clip
     * ({@code before}): {@code rint(clamp(v / scale, lo - zero, hi - zero)) * scale}, where [lo, hi] is
     * the quantized type's range narrowed to the quantized bounds of {@code before}. That is exactly
     * {@code (saturate(rint(v / scale) + zero) - zero) * scale} of {@code before(v)}: the bounds are
     * integers, so clamping before or after rounding agrees, and quantizing is monotone.
     * {@code min} and {@code max} hold the quotient's bounds, {@code alpha} the scale.
     */
    public static Activation fakeQuant(Activation before, float scale, int zero, float lo, float hi) {
        float qlo = lo;
        float qhi = hi;
        if (before.kind == Kind.RELU || before.kind == Kind.CLIP) {
            qlo = Math.max(lo, Math.min(hi, (float) Math.rint(before.min / scale) + zero));
            qhi = Math.min(hi, Math.max(lo, (float) Math.rint(before.max / scale) + zero));
        } else if (!before.isNone()) {
            throw new IllegalArgumentException(before.kind + " cannot precede a fused quantization");
        }
        return new Activation(Kind.FAKE_QUANT, qlo - zero, qhi - zero, scale);
    }

    public static Activation leakyRelu(float alpha) {
        return new Activation(Kind.LEAKY_RELU, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, alpha);
    }

    private static final float ROUNDING = 12582912f;

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    public float apply(float v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v <= 0 ? 0f : v;   // NaN stays NaN, -0 becomes 0, as Math.max(v, 0)
            case CLIP -> Math.min(Math.max(v, min), max);
            case LEAKY_RELU -> v >= 0 ? v : v * alpha;
            // + 0f: a quotient rounding to -0 is the zero point, whose dequantized value is +0.
            case FAKE_QUANT -> ((float) Math.rint(Math.min(Math.max(v / alpha, min), max)) + 0f) * alpha;
        };
    }

    /**
     * {@code dst[to + j] = apply(src[from + j] + bias + add[addFrom + j])} for {@code j < n}, in
     * place when {@code dst} is {@code src}; {@code add} (a residual) may be null. Kernels finish
     * their output rows through this loop rather than applying the activation vector by vector
     * through a method: a vector passed to or returned from a call that the JIT declines to inline
     * (and it declines calls in large kernels) is boxed on the heap. Max and min are a compare and
     * a blend: {@link FloatVector#max} is exact about NaN and signed zeros in a sequence several
     * times longer, and the blends give the same results (NaN stays NaN, -0 against a bound of 0
     * gives 0).
     */
    public void finish(float[] src, int from, float bias, float[] add, int addFrom, float[] dst, int to, int n) {
        VectorSpecies<Float> species = Lanes.FLOAT;
        int lanes = species.length();
        boolean leaky = kind == Kind.LEAKY_RELU;
        boolean clamp = kind == Kind.RELU || kind == Kind.CLIP;
        boolean fakeQuant = kind == Kind.FAKE_QUANT;
        FloatVector vb = FloatVector.broadcast(species, bias);
        FloatVector lo = FloatVector.broadcast(species, min);
        FloatVector hi = FloatVector.broadcast(species, max);
        FloatVector slope = FloatVector.broadcast(species, alpha);
        FloatVector zero = FloatVector.zero(species);
        int j = 0;
        for (int bound = species.loopBound(n); j < bound; j += lanes) {
            FloatVector v = FloatVector.fromArray(species, src, from + j).add(vb);
            if (add != null) {
                v = v.add(FloatVector.fromArray(species, add, addFrom + j));
            }
            if (clamp) {
                v = v.blend(lo, v.compare(VectorOperators.LE, lo));
                v = v.blend(hi, v.compare(VectorOperators.GE, hi));
            } else if (leaky) {
                v = v.blend(v.mul(slope), v.compare(VectorOperators.LT, zero));
            } else if (fakeQuant) {
                // Round half to even by adding and removing 1.5 * 2^23, exact for the clamped quotient.
                v = v.div(slope).max(lo).min(hi).add(ROUNDING).sub(ROUNDING).mul(slope);
            }
            v.intoArray(dst, to + j);
        }
        for (; j < n; j++) {
            dst[to + j] = apply(src[from + j] + bias + (add == null ? 0f : add[addFrom + j]));
        }
    }
}
