// Typed attributes of MaxPool and AveragePool, parsed once with ONNX's per-opset defaults and checks applied.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * MaxPool's and AveragePool's attributes with every default filled in for the kernel's spatial
 * rank. {@code dilations} exists for MaxPool from opset 10 and AveragePool from opset 19,
 * {@code ceil_mode} from opset 10, {@code storage_order} (MaxPool, 0 row-major, 1 column-major
 * indices) from opset 8; {@code countIncludePad} only matters to AveragePool.
 */
public record PoolAttrs(int[] kernelShape, int[] strides, int[] pads, int[] dilations, AutoPad autoPad,
                        boolean ceilMode, boolean countIncludePad, int storageOrder) {

    public PoolAttrs {
        kernelShape = kernelShape.clone();
        strides = strides.clone();
        pads = pads.clone();
        dilations = dilations.clone();
    }

    public static PoolAttrs of(Node node, int opset) throws ModelLoadException {
        boolean max = node.opType().equals("MaxPool");
        if (!max && !node.opType().equals("AveragePool")) {
            throw new IllegalArgumentException("PoolAttrs reads MaxPool and AveragePool, not " + node.describe());
        }
        Attrs.requireSince(node, "dilations", opset, max ? 10 : 19);
        Attrs.requireSince(node, "ceil_mode", opset, 10);
        if (max) {
            Attrs.requireSince(node, "storage_order", opset, 8);
        }
        int[] kernel = Attrs.positiveInts(node, "kernel_shape");
        if (kernel.length == 0) {
            throw new ModelLoadException(node.describe() + ": required attribute 'kernel_shape' (INTS) is missing");
        }
        SlidingWindow window = SlidingWindow.withDefaults(node, kernel, Attrs.positiveInts(node, "strides"),
                Attrs.nonNegativeInts(node, "pads"), Attrs.positiveInts(node, "dilations"), AutoPad.of(node),
                Attrs.flag(node, "ceil_mode", false));
        boolean countIncludePad = Attrs.flag(node, "count_include_pad", false);
        int storageOrder = Attrs.flag(node, "storage_order", false) ? 1 : 0;
        return new PoolAttrs(window.kernel(), window.strides(), window.pads(), window.dilations(), window.autoPad(),
                window.ceilMode(), countIncludePad, storageOrder);
    }

    public SlidingWindow window() {
        return new SlidingWindow(kernelShape, strides, pads, dilations, autoPad, ceilMode);
    }

    /** Output spatial dims and effective pads for concrete input spatial dims. */
    public SlidingWindow.Placement resolve(Node node, long[] inputSpatial) throws ModelLoadException {
        return window().resolve(node, inputSpatial);
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
        return o instanceof PoolAttrs p && Arrays.equals(kernelShape, p.kernelShape) && Arrays.equals(strides, p.strides)
                && Arrays.equals(pads, p.pads) && Arrays.equals(dilations, p.dilations) && autoPad == p.autoPad
                && ceilMode == p.ceilMode && countIncludePad == p.countIncludePad && storageOrder == p.storageOrder;
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {kernelShape, strides, pads, dilations, autoPad, ceilMode,
                countIncludePad, storageOrder});
    }

    @Override
    public String toString() {
        return "PoolAttrs[kernelShape=" + Arrays.toString(kernelShape) + ", strides=" + Arrays.toString(strides)
                + ", pads=" + Arrays.toString(pads) + ", dilations=" + Arrays.toString(dilations) + ", autoPad="
                + autoPad + ", ceilMode=" + ceilMode + ", countIncludePad=" + countIncludePad + ", storageOrder="
                + storageOrder + "]";
    }
}
