// Typed attributes of Conv, parsed once from a node with ONNX's defaults and checks applied.
package dev.condense.ops;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;

import java.util.Arrays;

/**
 * Conv's attributes: the window as given ({@link WindowAttrs}: absent arrays stay empty until the
 * weight fixes the kernel, see {@link #window}) and {@code group}.
 */
public record ConvAttrs(WindowAttrs windowAttrs, int group) {

    public static ConvAttrs of(Node node, int opset) throws ModelLoadException {
        WindowAttrs windowAttrs = WindowAttrs.of(node);
        windowAttrs.checkRanks(node);
        long group = Attrs.getInt(node, "group", 1);
        if (group < 1 || group > Integer.MAX_VALUE) {
            throw new ModelLoadException(node.describe() + ": attribute 'group' is " + group + "; it must be >= 1");
        }
        return new ConvAttrs(windowAttrs, (int) group);
    }

    /**
     * The full window for a weight whose spatial dims are {@code weightKernel}
     * ({@code W: [M, C/group, k1, k2, ...]}); kernel_shape, when given, must equal them.
     */
    public SlidingWindow window(Node node, int[] weightKernel) throws ModelLoadException {
        int[] kernelShape = windowAttrs.kernelShape();
        if (kernelShape.length > 0 && !Arrays.equals(kernelShape, weightKernel)) {
            throw new ModelLoadException(node.describe() + ": attribute 'kernel_shape' " + Arrays.toString(kernelShape)
                    + " differs from the weight's spatial dims " + Arrays.toString(weightKernel));
        }
        return windowAttrs.forKernel(node, weightKernel, false);
    }

    /** Output spatial dims and effective pads for concrete input spatial dims and weight kernel dims. */
    public SlidingWindow.Placement resolve(Node node, long[] inputSpatial, int[] weightKernel) throws ModelLoadException {
        return window(node, weightKernel).resolve(node, inputSpatial);
    }
}
