// Typed attributes of ConvTranspose and the output-size arithmetic of a transposed convolution.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * ConvTranspose's attributes. As in {@link ConvAttrs}, absent arrays are empty until the kernel is
 * known; {@code outputPadding} defaults to zeros and {@code outputShape} is empty when not given.
 */
public record ConvTransposeAttrs(int[] kernelShape, int[] strides, int[] pads, int[] dilations, int group,
                                 AutoPad autoPad, int[] outputPadding, long[] outputShape) {

    public ConvTransposeAttrs {
        kernelShape = kernelShape.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
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
        return new ConvTransposeAttrs(conv.kernelShape(), conv.strides(), conv.pads(), conv.dilations(), conv.group(),
                conv.autoPad(), outputPadding, outputShape);
    }

    /**
     * The window for a weight whose spatial dims are {@code weightKernel}
     * ({@code W: [C, M/group, k1, k2, ...]}), checking every attribute's length against that rank.
     */
    public SlidingWindow window(Node node, int[] weightKernel) throws ModelLoadException {
        SlidingWindow w = new ConvAttrs(kernelShape, strides, pads, dilations, group, autoPad).window(node, weightKernel);
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
        long stride = window.strides()[axis];
        if (autoPad.isSame()) {
            return Math.multiplyExact(inputSize, stride);
        }
        int r = window.spatialRank();
        long padTotal = autoPad == AutoPad.VALID ? 0 : (long) window.pads()[axis] + window.pads()[axis + r];
        long extra = outputPadding.length == 0 ? 0 : outputPadding[axis];
        return Math.addExact(Math.multiplyExact(stride, inputSize - 1), extra + window.effectiveKernel(axis) - padTotal);
    }

    @Override
    public int[] kernelShape() {
        return kernelShape.clone();
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    @Override
    public int[] pads() {
        return pads.clone();
    }

    @Override
    public int[] dilations() {
        return dilations.clone();
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
        return o instanceof ConvTransposeAttrs c && Arrays.equals(kernelShape, c.kernelShape)
                && Arrays.equals(strides, c.strides) && Arrays.equals(pads, c.pads)
                && Arrays.equals(dilations, c.dilations) && group == c.group && autoPad == c.autoPad
                && Arrays.equals(outputPadding, c.outputPadding) && Arrays.equals(outputShape, c.outputShape);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {kernelShape, strides, pads, dilations, group, autoPad, outputPadding,
                outputShape});
    }

    @Override
    public String toString() {
        return "ConvTransposeAttrs[kernelShape=" + Arrays.toString(kernelShape) + ", strides="
                + Arrays.toString(strides) + ", pads=" + Arrays.toString(pads) + ", dilations="
                + Arrays.toString(dilations) + ", group=" + group + ", autoPad=" + autoPad + ", outputPadding="
                + Arrays.toString(outputPadding) + ", outputShape=" + Arrays.toString(outputShape) + "]";
    }
}
