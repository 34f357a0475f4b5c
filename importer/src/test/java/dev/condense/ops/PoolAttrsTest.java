// Checks MaxPool/AveragePool attribute parsing across opsets and the pooling output arithmetic.
package dev.condense.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.ModelLoadException;
import org.junit.jupiter.api.Test;

import static dev.condense.ops.ConvAttrsTest.assertMessage;
import static dev.condense.ops.ConvAttrsTest.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolAttrsTest {

    @Test
    void defaultsForTheKernelRank() throws ModelLoadException {
        PoolAttrs p = PoolAttrs.of(node("MaxPool", "kernel_shape", Attribute.ints(2, 2)), 12);
        assertEquals(new PoolAttrs(new SlidingWindow(new WindowAttrs(new int[] {2, 2}, new int[] {1, 1},
                new int[] {0, 0, 0, 0}, new int[] {1, 1}, AutoPad.NOTSET), false), false, 0), p);
    }

    @Test
    void ceilModeOutput() throws ModelLoadException {
        var n = node("MaxPool", "kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2),
                "ceil_mode", Attribute.of(1L));
        assertArrayEquals(new long[] {56, 3}, PoolAttrs.of(n, 10).resolve(n, new long[] {112, 6}).outputDims());
        var floor = node("MaxPool", "kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2));
        assertArrayEquals(new long[] {55, 2}, PoolAttrs.of(floor, 10).resolve(floor, new long[] {112, 6}).outputDims());
    }

    @Test
    void attributesExistOnlyFromTheirOpset() {
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("MaxPool",
                "kernel_shape", Attribute.ints(2), "dilations", Attribute.ints(2)), 9)), "'dilations'", "opset 10");
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("AveragePool",
                "kernel_shape", Attribute.ints(2), "dilations", Attribute.ints(2)), 18)), "'dilations'", "opset 19");
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("MaxPool",
                "kernel_shape", Attribute.ints(2), "storage_order", Attribute.of(1L)), 7)), "'storage_order'", "opset 8");
    }

    @Test
    void kernelShapeIsRequiredAndLengthsMustAgree() {
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("MaxPool"), 13)),
                "MaxPool 'n'", "'kernel_shape'", "missing");
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("AveragePool",
                "kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2)), 13)),
                "'strides'", "[2]", "2-D window needs 2");
        assertMessage(assertThrows(ModelLoadException.class, () -> PoolAttrs.of(node("AveragePool",
                "kernel_shape", Attribute.ints(2, 2), "count_include_pad", Attribute.of(2L)), 13)),
                "'count_include_pad' must be 0 or 1, got 2");
    }
}
