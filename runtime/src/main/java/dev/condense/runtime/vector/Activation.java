// An activation folded into the kernel before it (Conv, Gemm): applied to each output as it is stored.
package dev.condense.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The plan compiler fuses a Relu, Clip (ReLU6) or LeakyRelu that is the only consumer of a
 * convolution or matrix product into that kernel, so the activation costs no extra pass over
 * memory.
 */
public record Activation(Kind kind, float min, float max, float alpha) {

    public enum Kind { NONE, RELU, CLIP, LEAKY_RELU }

    public static final Activation NONE = new Activation(Kind.NONE, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0);
    public static final Activation RELU = new Activation(Kind.RELU, 0, Float.POSITIVE_INFINITY, 0);

    public static Activation clip(float min, float max) {
        return new Activation(Kind.CLIP, min, max, 0);
    }

    public static Activation leakyRelu(float alpha) {
        return new Activation(Kind.LEAKY_RELU, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, alpha);
    }

    public boolean isNone() {
        return kind == Kind.NONE;
    }

    public float apply(float v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v > 0 ? v : 0f;
            case CLIP -> Math.min(Math.max(v, min), max);
            case LEAKY_RELU -> v >= 0 ? v : v * alpha;
        };
    }

    public FloatVector apply(FloatVector v) {
        return switch (kind) {
            case NONE -> v;
            case RELU -> v.max(0f);
            case CLIP -> v.max(min).min(max);
            case LEAKY_RELU -> v.blend(v.mul(alpha), v.compare(VectorOperators.LT, 0f));
        };
    }
}
