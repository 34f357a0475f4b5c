// The window attributes Conv, ConvTranspose, MaxPool and AveragePool share: kernel_shape, strides, pads, dilations, auto_pad.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * A sliding window's attributes as a node gives them. ONNX's defaults depend on the spatial rank,
 * which the attributes themselves may not fix (Conv's kernel_shape is optional: the weight's shape
 * gives it), so an absent {@code kernelShape}, {@code strides}, {@code pads} or {@code dilations}
 * is held as an empty array; {@code forKernel} fills in ones and zeros once the kernel is known.
 * {@code pads} follows ONNX's order {@code [x1_begin, x2_begin, ..., x1_end, x2_end]}.
 */
public record WindowAttrs(int[] kernelShape, int[] strides, int[] pads, int[] dilations, AutoPad autoPad) {

    public WindowAttrs {
        kernelShape = kernelShape.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
    }

    /**
     * The node's kernel_shape, strides and dilations (every value >= 1), pads (>= 0) and auto_pad.
     * Lengths are compared later: by {@code checkRanks} (Conv) and {@code forKernel}.
     */
    public static WindowAttrs of(Node node) throws ModelLoadException {
        int[] kernel = Attrs.positiveInts(node, "kernel_shape");
        int[] strides = Attrs.positiveInts(node, "strides");
        int[] pads = Attrs.nonNegativeInts(node, "pads");
        int[] dilations = Attrs.positiveInts(node, "dilations");
        return new WindowAttrs(kernel, strides, pads, dilations, AutoPad.of(node));
    }

    /** The spatial rank the given attributes fix, or -1 when none is given. */
    public int spatialRank() {
        int r = kernelShape.length > 0 ? kernelShape.length
                : strides.length > 0 ? strides.length
                : dilations.length > 0 ? dilations.length
                : pads.length / 2;
        return r == 0 ? -1 : r;
    }

    /** Checks that the given attributes agree on one spatial rank, naming the attribute whose length does not. */
    void checkRanks(Node node) throws ModelLoadException {
        if (pads.length % 2 != 0) {
            throw new ModelLoadException(node.describe() + ": attribute 'pads' has " + pads.length + " values "
                    + Arrays.toString(pads) + "; it needs an even count (a begin and an end per spatial axis)");
        }
        int rank = spatialRank();
        if (rank < 0) {
            return;
        }
        requireLength(node, "kernel_shape", kernelShape, rank, rank);
        requireLength(node, "strides", strides, rank, rank);
        requireLength(node, "dilations", dilations, rank, rank);
        requireLength(node, "pads", pads, 2 * rank, rank);
    }

    /**
     * The window for a kernel of spatial dims {@code kernel}: absent (empty) strides and dilations
     * become 1, absent pads 0; given ones must match the kernel's rank. {@code kernelShape} is not
     * consulted (Conv compares it with the weight first).
     */
    SlidingWindow forKernel(Node node, int[] kernel, boolean ceilMode) throws ModelLoadException {
        int rank = kernel.length;
        requireLength(node, "strides", strides, rank, rank);
        requireLength(node, "dilations", dilations, rank, rank);
        requireLength(node, "pads", pads, 2 * rank, rank);
        return new SlidingWindow(new WindowAttrs(kernel,
                strides.length == 0 ? ones(rank) : strides,
                pads.length == 0 ? new int[2 * rank] : pads,
                dilations.length == 0 ? ones(rank) : dilations,
                autoPad), ceilMode);
    }

    /** True when every array is given for the kernel's rank, as {@link SlidingWindow} needs. */
    boolean isComplete() {
        int r = kernelShape.length;
        return strides.length == r && dilations.length == r && pads.length == 2 * r;
    }

    // Per-axis reads without a copy, for the window arithmetic in this package; the arrays must be complete.

    int kernel(int axis) {
        return kernelShape[axis];
    }

    int stride(int axis) {
        return strides[axis];
    }

    int dilation(int axis) {
        return dilations[axis];
    }

    int padBegin(int axis) {
        return pads[axis];
    }

    int padEnd(int axis) {
        return pads[axis + kernelShape.length];
    }

    private static void requireLength(Node node, String name, int[] values, int expected, int rank)
            throws ModelLoadException {
        if (values.length != 0 && values.length != expected) {
            String why = name.equals("pads") ? " (a begin and an end per spatial axis)" : "";
            throw new ModelLoadException(node.describe() + ": attribute '" + name + "' has " + values.length
                    + " values " + Arrays.toString(values) + "; a " + rank + "-D window needs " + expected + why);
        }
    }

    private static int[] ones(int n) {
        int[] out = new int[n];
        Arrays.fill(out, 1);
        return out;
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
        return o instanceof WindowAttrs w && Arrays.equals(kernelShape, w.kernelShape) && Arrays.equals(strides, w.strides)
                && Arrays.equals(pads, w.pads) && Arrays.equals(dilations, w.dilations) && autoPad == w.autoPad;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {kernelShape, strides, pads, dilations, autoPad});
    }

    @Override
    public String toString() {
        return "WindowAttrs[kernelShape=" + Arrays.toString(kernelShape) + ", strides=" + Arrays.toString(strides)
                + ", pads=" + Arrays.toString(pads) + ", dilations=" + Arrays.toString(dilations) + ", autoPad="
                + autoPad + "]";
    }
}
