// Typed attributes of Conv, parsed once from a node with ONNX's defaults and checks applied.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Conv's attributes. ONNX's defaults depend on the spatial rank, which the attributes themselves
 * may not fix (kernel_shape is optional: the weight's shape gives it), so an absent
 * {@code kernelShape}, {@code strides}, {@code pads} or {@code dilations} is held as an empty array
 * and {@link #window} fills in ones and zeros once the kernel is known.
 */
public record ConvAttrs(int[] kernelShape, int[] strides, int[] pads, int[] dilations, int group, AutoPad autoPad) {

    public ConvAttrs {
        kernelShape = kernelShape.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
    }

    public static ConvAttrs of(Node node, int opset) throws ModelLoadException {
        int[] kernel = Attrs.positiveInts(node, "kernel_shape");
        int[] strides = Attrs.positiveInts(node, "strides");
        int[] pads = Attrs.nonNegativeInts(node, "pads");
        int[] dilations = Attrs.positiveInts(node, "dilations");
        SlidingWindow.impliedRank(node, kernel, strides, pads, dilations);
        long group = Attrs.getInt(node, "group", 1);
        if (group < 1 || group > Integer.MAX_VALUE) {
            throw new ModelLoadException(node.describe() + ": attribute 'group' is " + group + "; it must be >= 1");
        }
        return new ConvAttrs(kernel, strides, pads, dilations, (int) group, AutoPad.of(node));
    }

    /** The spatial rank the attributes fix, or -1 when none is given. */
    public int spatialRank() {
        int r = kernelShape.length > 0 ? kernelShape.length
                : strides.length > 0 ? strides.length
                : dilations.length > 0 ? dilations.length
                : pads.length / 2;
        return r == 0 ? -1 : r;
    }

    /**
     * The full window for a weight whose spatial dims are {@code weightKernel}
     * ({@code W: [M, C/group, k1, k2, ...]}); kernel_shape, when given, must equal them.
     */
    public SlidingWindow window(Node node, int[] weightKernel) throws ModelLoadException {
        if (kernelShape.length > 0 && !Arrays.equals(kernelShape, weightKernel)) {
            throw new ModelLoadException(node.describe() + ": attribute 'kernel_shape' " + Arrays.toString(kernelShape)
                    + " differs from the weight's spatial dims " + Arrays.toString(weightKernel));
        }
        return SlidingWindow.withDefaults(node, weightKernel, strides, pads, dilations, autoPad, false);
    }

    /** Output spatial dims and effective pads for concrete input spatial dims and weight kernel dims. */
    public SlidingWindow.Placement resolve(Node node, long[] inputSpatial, int[] weightKernel) throws ModelLoadException {
        return window(node, weightKernel).resolve(node, inputSpatial);
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
    public boolean equals(Object o) {
        return o instanceof ConvAttrs c && Arrays.equals(kernelShape, c.kernelShape) && Arrays.equals(strides, c.strides)
                && Arrays.equals(pads, c.pads) && Arrays.equals(dilations, c.dilations) && group == c.group
                && autoPad == c.autoPad;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {kernelShape, strides, pads, dilations, group, autoPad});
    }

    @Override
    public String toString() {
        return "ConvAttrs[kernelShape=" + Arrays.toString(kernelShape) + ", strides=" + Arrays.toString(strides)
                + ", pads=" + Arrays.toString(pads) + ", dilations=" + Arrays.toString(dilations) + ", group=" + group
                + ", autoPad=" + autoPad + "]";
    }
}
