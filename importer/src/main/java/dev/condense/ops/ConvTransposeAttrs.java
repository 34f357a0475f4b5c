// Typed attributes of ConvTranspose and the output-size arithmetic of a transposed convolution.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * ConvTranspose's attributes: Conv's ({@code windowAttrs}, whose absent arrays are empty until the
 * kernel is known, and {@code group}) plus {@code outputPadding}, which defaults to zeros, and
 * {@code outputShape}, empty when not given.
 */
public record ConvTransposeAttrs(WindowAttrs windowAttrs, int group, int[] outputPadding, long[] outputShape) {

    public ConvTransposeAttrs {
        outputPadding = outputPadding.clone();
        outputShape = outputShape.clone();
    }

    public static ConvTransposeAttrs of(Node node, int opset) throws ModelLoadException {
        ConvAttrs conv = ConvAttrs.of(node, opset);
        int[] outputPadding = Attrs.nonNegativeInts(node, "output_padding");
        long[] outputShape = Attrs.ints(node, "output_shape").orElse(new long[0]);
        for (long d : outputShape) {
            if (d < 1) {
                throw new ModelLoadException(node.describe() + ": attribute 'output_shape' "
                        + Arrays.toString(outputShape) + " holds " + d + "; sizes must be >= 1");
            }
        }
        return new ConvTransposeAttrs(conv.windowAttrs(), conv.group(), outputPadding, outputShape);
    }

    /**
     * The window for a weight whose spatial dims are {@code weightKernel}
     * ({@code W: [C, M/group, k1, k2, ...]}), checking every attribute's length against that rank.
     */
    public SlidingWindow window(Node node, int[] weightKernel) throws ModelLoadException {
        SlidingWindow w = new ConvAttrs(windowAttrs, group).window(node, weightKernel);
        int r = weightKernel.length;
        if (outputPadding.length != 0 && outputPadding.length != r) {
            throw new ModelLoadException(node.describe() + ": attribute 'output_padding' "
                    + Arrays.toString(outputPadding) + " has " + outputPadding.length + " values; a " + r
                    + "-D kernel needs " + r);
        }
        if (outputShape.length != 0 && outputShape.length != r) {
            throw new ModelLoadException(node.describe() + ": attribute 'output_shape' " + Arrays.toString(outputShape)
                    + " has " + outputShape.length + " values; a " + r + "-D kernel needs " + r);
        }
        return w;
    }

    /**
     * Output size along spatial {@code axis} for the {@link #window}: the given output_shape,
     * {@code in * stride} for SAME padding, else
     * {@code stride*(in-1) + output_padding + dilation*(k-1) + 1 - padBegin - padEnd}; zero or
     * negative when the attributes crop everything (callers report that).
     */
    public long outputSize(SlidingWindow window, int axis, long inputSize) {
        if (outputShape.length != 0) {
            return outputShape[axis];
        }
        WindowAttrs attrs = window.attrs();
        long stride = attrs.stride(axis);
        if (attrs.autoPad().isSame()) {
            return Math.multiplyExact(inputSize, stride);
        }
        long padTotal = attrs.autoPad() == AutoPad.VALID ? 0 : (long) attrs.padBegin(axis) + attrs.padEnd(axis);
        long extra = outputPadding.length == 0 ? 0 : outputPadding[axis];
        return Math.addExact(Math.multiplyExact(stride, inputSize - 1), extra + window.effectiveKernel(axis) - padTotal);
    }

    @Override
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    @Override
    public long[] outputShape() {
        return outputShape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTransposeAttrs c && windowAttrs.equals(c.windowAttrs) && group == c.group
                && Arrays.equals(outputPadding, c.outputPadding) && Arrays.equals(outputShape, c.outputShape);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {windowAttrs, group, outputPadding, outputShape});
    }

    @Override
    public String toString() {
        return "ConvTransposeAttrs[windowAttrs=" + windowAttrs + ", group=" + group + ", outputPadding="
                + Arrays.toString(outputPadding) + ", outputShape=" + Arrays.toString(outputShape) + "]";
    }
}
