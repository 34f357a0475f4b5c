// Checks the ONNX defaults, per-opset forms and error messages of the smaller typed attribute records.
package dev.condense.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import static dev.condense.ops.ConvAttrsTest.assertMessage;
import static dev.condense.ops.ConvAttrsTest.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpAttrsTest {

    @Test
    void scalarDefaults() throws ModelLoadException {
        assertEquals(new GemmAttrs(1f, 1f, false, true), GemmAttrs.of(node("Gemm", "transB", Attribute.of(1L)), 13));
        assertEquals(new LeakyReluAttrs(0.01f), LeakyReluAttrs.of(node("LeakyRelu"), 13));
        assertEquals(new HardSigmoidAttrs(0.2f, 0.5f), HardSigmoidAttrs.of(node("HardSigmoid"), 13));
        assertEquals(new EluAttrs(1f), EluAttrs.of(node("Elu"), 13));
        assertEquals(new FlattenAttrs(1), FlattenAttrs.of(node("Flatten"), 13));
        assertEquals(new GatherAttrs(0), GatherAttrs.of(node("Gather"), 13));
        assertEquals(new LrnAttrs(5, 1e-4f, 0.75f, 1f), LrnAttrs.of(node("LRN", "size", Attribute.of(5L)), 13));
        assertEquals(new ReshapeAttrs(false), ReshapeAttrs.of(node("Reshape"), 13));
    }

    @Test
    void batchNormSpatialExistsBeforeOpset9Only() throws ModelLoadException {
        assertEquals(new BatchNormAttrs(1e-5f, 0.9f, true, false), BatchNormAttrs.of(node("BatchNormalization"), 7));
        assertEquals(new BatchNormAttrs(1e-3f, 0.9f, false, false), BatchNormAttrs.of(node("BatchNormalization",
                "spatial", Attribute.of(0L), "epsilon", Attribute.of(1e-3f)), 7));
        assertMessage(assertThrows(ModelLoadException.class, () -> BatchNormAttrs.of(node("BatchNormalization",
                "spatial", Attribute.of(1L)), 9)), "'spatial'", "removed in opset 9");
    }

    @Test
    void clipBoundsMoveToInputsAtOpset11() throws ModelLoadException {
        assertEquals(new ClipAttrs(0f, 6f, false), ClipAttrs.of(node("Clip", "min", Attribute.of(0f),
                "max", Attribute.of(6f)), 6));
        assertEquals(new ClipAttrs(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, true), ClipAttrs.of(node("Clip"), 11));
        assertMessage(assertThrows(ModelLoadException.class, () -> ClipAttrs.of(node("Clip", "min", Attribute.of(0f)), 11)),
                "Clip 'n'", "'min'", "input 1");
    }

    @Test
    void softmaxAxisDefaultAndSemanticsChangeAtOpset13() throws ModelLoadException {
        assertEquals(new SoftmaxAttrs(1, true), SoftmaxAttrs.of(node("Softmax"), 12));
        assertEquals(new SoftmaxAttrs(-1, false), SoftmaxAttrs.of(node("Softmax"), 13));
        assertEquals(3, SoftmaxAttrs.of(node("Softmax"), 13).axis(node("Softmax"), 4));
    }

    @Test
    void axesMoveFromAttributesToInputs() throws ModelLoadException {
        assertArrayEquals(new long[] {0, 2}, AxesAttrs.of(node("Squeeze", "axes", Attribute.ints(0, 2)), 11).axes());
        assertEquals(new AxesAttrs(new long[0], true), AxesAttrs.of(node("Squeeze"), 13));
        assertMessage(assertThrows(ModelLoadException.class, () -> AxesAttrs.of(node("Unsqueeze"), 11)),
                "'axes'", "missing");
        assertEquals(new ReduceAttrs(new long[] {2, 3}, true, false, false),
                ReduceAttrs.of(node("ReduceMean", "axes", Attribute.ints(2, 3)), 13));
        assertMessage(assertThrows(ModelLoadException.class, () -> ReduceAttrs.of(node("ReduceSum",
                "axes", Attribute.ints(1)), 13)), "ReduceSum 'n'", "removed in opset 13");
        assertMessage(assertThrows(ModelLoadException.class, () -> ReduceAttrs.of(node("ReduceMax",
                "axes", Attribute.ints(1, -3, 1)), 13)), "repeat axis 1");
    }

    @Test
    void padSliceDropoutAcrossOpsets() throws ModelLoadException {
        assertEquals(new PadAttrs(PadAttrs.Mode.REFLECT, new long[] {0, 1, 0, 1}, 0f, false),
                PadAttrs.of(node("Pad", "mode", Attribute.of("reflect"), "pads", Attribute.ints(0, 1, 0, 1)), 2));
        assertEquals(new PadAttrs(PadAttrs.Mode.CONSTANT, new long[0], 0f, true), PadAttrs.of(node("Pad"), 11));
        assertMessage(assertThrows(ModelLoadException.class, () -> PadAttrs.of(node("Pad", "mode", Attribute.of("wrap")), 18)),
                "'mode' is 'wrap'", "constant, reflect, edge");
        assertEquals(new SliceAttrs(new long[] {1}, new long[] {3}, new long[0], false),
                SliceAttrs.of(node("Slice", "starts", Attribute.ints(1), "ends", Attribute.ints(3)), 9));
        assertMessage(assertThrows(ModelLoadException.class, () -> SliceAttrs.of(node("Slice",
                "starts", Attribute.ints(1, 2), "ends", Attribute.ints(3)), 9)), "'starts' [1, 2]", "same length");
        assertEquals(new DropoutAttrs(0.3f, false), DropoutAttrs.of(node("Dropout", "ratio", Attribute.of(0.3f)), 10));
        assertEquals(new DropoutAttrs(0.5f, true), DropoutAttrs.of(node("Dropout"), 13));
    }

    @Test
    void castConstantAndTranspose() throws ModelLoadException {
        assertEquals(DataType.INT64, CastAttrs.of(node("Cast", "to", Attribute.of(7L)), 13).to());
        assertMessage(assertThrows(ModelLoadException.class, () -> CastAttrs.of(node("Cast", "to", Attribute.of(8L)), 13)),
                "'to' is 8 (STRING)", "float32");
        assertEquals(Tensor.vector("y", 1, 2), ConstantAttrs.of(node("Constant", "value_ints", Attribute.ints(1, 2)), 13).value());
        assertMessage(assertThrows(ModelLoadException.class, () -> ConstantAttrs.of(node("Constant"), 13)),
                "exactly one of", "found none");
        assertArrayEquals(new int[] {2, 1, 0}, TransposeAttrs.of(node("Transpose"), 13).permutation(node("Transpose"), 3));
        assertMessage(assertThrows(ModelLoadException.class, () -> TransposeAttrs.of(node("Transpose",
                "perm", Attribute.ints(0, 0, 1)), 13)), "'perm' [0, 0, 1]", "not a permutation");
    }
}
