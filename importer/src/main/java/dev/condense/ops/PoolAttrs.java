// Typed attributes of MaxPool and AveragePool, parsed once with ONNX's per-opset defaults and checks applied.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

/**
 * MaxPool's and AveragePool's attributes with every default filled in for the kernel's spatial
 * rank. {@code dilations} exists for MaxPool from opset 10 and AveragePool from opset 19,
 * {@code ceil_mode} from opset 10, {@code storage_order} (MaxPool, 0 row-major, 1 column-major
 * indices) from opset 8; {@code countIncludePad} only matters to AveragePool.
 */
public record PoolAttrs(SlidingWindow window, boolean countIncludePad, int storageOrder) {

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
        WindowAttrs given = WindowAttrs.of(node);
        int[] kernel = given.kernelShape();
        if (kernel.length == 0) {
            throw new ModelLoadException(node.describe() + ": required attribute 'kernel_shape' (INTS) is missing");
        }
        SlidingWindow window = given.forKernel(node, kernel, Attrs.flag(node, "ceil_mode", false));
        boolean countIncludePad = Attrs.flag(node, "count_include_pad", false);
        int storageOrder = Attrs.flag(node, "storage_order", false) ? 1 : 0;
        return new PoolAttrs(window, countIncludePad, storageOrder);
    }

    /** Output spatial dims and effective pads for concrete input spatial dims. */
    public SlidingWindow.Placement resolve(Node node, long[] inputSpatial) throws ModelLoadException {
        return window.resolve(node, inputSpatial);
    }
}
