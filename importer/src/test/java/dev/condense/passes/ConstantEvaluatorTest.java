// Checks each op of the constant evaluator against values worked out by hand.
package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConstantEvaluatorTest {

    private static final int OPSET = 17;

    /** Evaluates a one-output node named "y" over inputs named in0, in1, ... ("" for an omitted one). */
    private static Tensor eval(int opset, String op, Map<String, Attribute> attrs, Tensor... inputs)
            throws ModelLoadException {
        Optional<List<Tensor>> out = evalOptional(opset, Long.MAX_VALUE, op, attrs, inputs);
        assertTrue(out.isPresent(), op + " was not folded");
        Tensor y = out.get().getFirst();
        assertEquals("y", y.name());
        return y;
    }

    private static Optional<List<Tensor>> evalOptional(int opset, long cap, String op, Map<String, Attribute> attrs,
                                                       Tensor... inputs) throws ModelLoadException {
        List<String> names = new ArrayList<>();
        Map<String, Tensor> constants = new HashMap<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                names.add("");
            } else {
                names.add("in" + i);
                constants.put("in" + i, inputs[i]);
            }
        }
        Node node = Node.of("n", op, names, List.of("y"), attrs);
        long limit = Math.min(cap, ConstantEvaluator.MAX_OUTPUT_ELEMENTS_LIMIT);
        return new ConstantEvaluator(opset, limit).evaluate(node, constants);
    }

    private static Tensor eval(String op, Map<String, Attribute> attrs, Tensor... inputs) throws ModelLoadException {
        return eval(OPSET, op, attrs, inputs);
    }

    private static Tensor eval(String op, Tensor... inputs) throws ModelLoadException {
        return eval(OPSET, op, Map.of(), inputs);
    }

    private static Tensor longs(long[] dims, long... values) {
        return Tensor.ofLongs("", dims, values);
    }

    private static Tensor floats(long[] dims, float... values) {
        return Tensor.ofFloats("", dims, values);
    }

    private static long[] dims(long... d) {
        return d;
    }

    /** 0, 1, ..., n-1 as int64 of the given shape. */
    private static Tensor iota(long... shape) {
        long[] v = new long[(int) Tensor.elementCount(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return Tensor.ofLongs("", shape, v);
    }

    @Test
    void shapeReportsDimsAndHonoursStartEnd() throws ModelLoadException {
        Tensor x = floats(dims(2, 3, 4), new float[24]);
        assertArrayEquals(new long[] {2, 3, 4}, eval("Shape", x).toLongArray());
        Tensor tail = eval("Shape", Map.of("start", Attribute.of(-2L)), x);
        assertArrayEquals(new long[] {3, 4}, tail.toLongArray());
        assertEquals(DataType.INT64, tail.dtype());
    }

    @Test
    void gatherTakesNegativeIndicesOnAnyAxis() throws ModelLoadException {
        Tensor shape = Tensor.vector("", 8, 16, 5, 5);
        Tensor last = eval("Gather", shape, longs(dims(), -1));
        assertArrayEquals(new long[0], last.dims());
        assertArrayEquals(new long[] {5}, last.toLongArray());

        // data [[0,1,2],[3,4,5]] on axis 1 with indices [[2, -3]] -> shape [2, 1, 2]
        Tensor picked = eval("Gather", Map.of("axis", Attribute.of(1L)), iota(2, 3), longs(dims(1, 2), 2, -3));
        assertArrayEquals(new long[] {2, 1, 2}, picked.dims());
        assertArrayEquals(new long[] {2, 0, 5, 3}, picked.toLongArray());
    }

    @Test
    void gatherRejectsOutOfRangeIndexNamingIt() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> eval("Gather", Tensor.vector("", 1, 2, 3), longs(dims(), 3)));
        assertTrue(e.getMessage().contains("index 3"), e.getMessage());
        assertTrue(e.getMessage().contains("Gather 'n'"), e.getMessage());
    }

    @Test
    void unsqueezeReadsAxesFromAttributeBeforeOpset13AndInputAfter() throws ModelLoadException {
        Tensor scalar = longs(dims(), 7);
        Tensor old = eval(11, "Unsqueeze", Map.of("axes", Attribute.ints(0)), scalar);
        assertArrayEquals(new long[] {1}, old.dims());
        Tensor x = iota(2, 3);
        Tensor now = eval("Unsqueeze", x, Tensor.vector("", -1, 0));
        assertArrayEquals(new long[] {1, 2, 3, 1}, now.dims());
        assertArrayEquals(x.toLongArray(), now.toLongArray());
    }

    @Test
    void squeezeRemovesNamedOrAllUnitAxes() throws ModelLoadException {
        Tensor x = iota(1, 3, 1, 2);
        assertArrayEquals(new long[] {3, 2}, eval("Squeeze", x).dims());
        assertArrayEquals(new long[] {1, 3, 2}, eval("Squeeze", x, Tensor.vector("", -2)).dims());
        assertArrayEquals(new long[] {3, 2}, eval("Squeeze", x, Tensor.vector("")).dims(), "empty axes squeeze all");
        assertArrayEquals(new long[] {3, 1, 2}, eval(11, "Squeeze", Map.of("axes", Attribute.ints(0)), x).dims());
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> eval("Squeeze", x, Tensor.vector("", 1)));
        assertTrue(e.getMessage().contains("size is 3"), e.getMessage());
    }

    @Test
    void concatJoinsInt64VectorsAndMatricesOnAnAxis() throws ModelLoadException {
        Tensor shape = eval("Concat", Map.of("axis", Attribute.of(0L)), Tensor.vector("", 8), Tensor.vector("", -1));
        assertArrayEquals(new long[] {8, -1}, shape.toLongArray());

        // [[0,1],[2,3]] ++ [[10],[11]] on axis -1 -> [[0,1,10],[2,3,11]]
        Tensor m = eval("Concat", Map.of("axis", Attribute.of(-1L)), iota(2, 2), longs(dims(2, 1), 10, 11));
        assertArrayEquals(new long[] {2, 3}, m.dims());
        assertArrayEquals(new long[] {0, 1, 10, 2, 3, 11}, m.toLongArray());
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() throws ModelLoadException {
        Tensor x = iota(2, 3, 4);
        Tensor y = eval("Reshape", x, Tensor.vector("", 0, -1));
        assertArrayEquals(new long[] {2, 12}, y.dims());
        assertArrayEquals(x.toLongArray(), y.toLongArray());
        assertArrayEquals(new long[] {4, 3, 2}, eval("Reshape", x, Tensor.vector("", -1, 3, 2)).dims());

        Tensor empty = longs(dims(0, 3));
        Tensor zero = eval("Reshape", Map.of("allowzero", Attribute.of(1L)), empty, Tensor.vector("", 3, 0));
        assertArrayEquals(new long[] {3, 0}, zero.dims());

        assertThrows(ModelLoadException.class, () -> eval("Reshape", x, Tensor.vector("", -1, -1)));
        assertThrows(ModelLoadException.class, () -> eval("Reshape", x, Tensor.vector("", 5, -1)));
    }

    @Test
    void flattenSplitsAtTheAxis() throws ModelLoadException {
        Tensor x = iota(2, 3, 4);
        assertArrayEquals(new long[] {2, 12}, eval("Flatten", x).dims());
        assertArrayEquals(new long[] {6, 4}, eval("Flatten", Map.of("axis", Attribute.of(-1L)), x).dims());
        assertArrayEquals(new long[] {1, 24}, eval("Flatten", Map.of("axis", Attribute.of(0L)), x).dims());
    }

    @Test
    void castTruncatesFloatsTowardZeroAndMapsBools() throws ModelLoadException {
        Tensor x = floats(dims(4), 2.7f, -2.7f, 0f, 1e9f);
        Tensor asInt = eval("Cast", Map.of("to", Attribute.of((long) DataType.INT64.onnxCode())), x);
        assertEquals(DataType.INT64, asInt.dtype());
        assertArrayEquals(new long[] {2, -2, 0, 1_000_000_000}, asInt.toLongArray());
        Tensor asBool = eval("Cast", Map.of("to", Attribute.of((long) DataType.BOOL.onnxCode())), x);
        assertArrayEquals(new long[] {1, 1, 0, 1}, asBool.toLongArray());
        Tensor back = eval("Cast", Map.of("to", Attribute.of((long) DataType.FLOAT.onnxCode())), Tensor.vector("", 3, -4));
        assertArrayEquals(new float[] {3f, -4f}, back.toFloatArray());
    }

    @Test
    void castToStringIsLeftUnfolded() throws ModelLoadException {
        assertTrue(evalOptional(OPSET, Long.MAX_VALUE, "Cast", Map.of("to", Attribute.of(8L)), Tensor.vector("", 1))
                .isEmpty());
    }

    @Test
    void sliceClampsAndStepsBackwards() throws ModelLoadException {
        Tensor x = Tensor.vector("", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // x[-2:1:-3] = [8, 5, 2]
        Tensor y = eval("Slice", x, Tensor.vector("", -2), Tensor.vector("", 1), Tensor.vector("", 0),
                Tensor.vector("", -3));
        assertArrayEquals(new long[] {8, 5, 2}, y.toLongArray());
        // x[::-1] written the ONNX way: start INT64_MAX, end INT64_MIN.
        Tensor reversed = eval("Slice", x, Tensor.vector("", Long.MAX_VALUE), Tensor.vector("", Long.MIN_VALUE),
                null, Tensor.vector("", -1));
        assertArrayEquals(new long[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, reversed.toLongArray());
        // x[3:100] clamps the end; x[5:2] is empty.
        assertArrayEquals(new long[] {3, 4, 5, 6, 7, 8, 9},
                eval("Slice", x, Tensor.vector("", 3), Tensor.vector("", 100)).toLongArray());
        assertArrayEquals(new long[] {0}, eval("Slice", x, Tensor.vector("", 5), Tensor.vector("", 2)).dims());
    }

    @Test
    void sliceOnASecondAxisAndTheOpset9AttributeForm() throws ModelLoadException {
        // [[0,1,2,3],[4,5,6,7],[8,9,10,11]][:, 1:3]
        Tensor m = iota(3, 4);
        Tensor cols = eval("Slice", m, Tensor.vector("", 1), Tensor.vector("", 3), Tensor.vector("", -1));
        assertArrayEquals(new long[] {3, 2}, cols.dims());
        assertArrayEquals(new long[] {1, 2, 5, 6, 9, 10}, cols.toLongArray());
        Tensor old = eval(9, "Slice", Map.of("starts", Attribute.ints(1, -1), "ends", Attribute.ints(3, 1000)), m);
        assertArrayEquals(new long[] {2, 1}, old.dims());
        assertArrayEquals(new long[] {7, 11}, old.toLongArray());
        Tensor lastColumn = eval(9, "Slice", Map.of("starts", Attribute.ints(-1), "ends", Attribute.ints(1000),
                "axes", Attribute.ints(1)), m);
        assertArrayEquals(new long[] {3, 1}, lastColumn.dims());
        assertArrayEquals(new long[] {3, 7, 11}, lastColumn.toLongArray());
    }

    @Test
    void addBroadcastsRowAgainstColumn() throws ModelLoadException {
        // [[0],[10]] + [1, 2, 3] -> [[1,2,3],[11,12,13]]
        Tensor y = eval("Add", floats(dims(2, 1), 0f, 10f), floats(dims(3), 1f, 2f, 3f));
        assertArrayEquals(new long[] {2, 3}, y.dims());
        assertArrayEquals(new float[] {1, 2, 3, 11, 12, 13}, y.toFloatArray());
        assertThrows(ModelLoadException.class, () -> eval("Add", floats(dims(2), 1, 2), floats(dims(3), 1, 2, 3)));
    }

    @Test
    void subMulDivOnIntegersAndFloats() throws ModelLoadException {
        assertArrayEquals(new long[] {5, -1}, eval("Sub", Tensor.vector("", 7, 1), longs(dims(), 2)).toLongArray());
        assertArrayEquals(new long[] {14, 2}, eval("Mul", Tensor.vector("", 7, 1), longs(dims(), 2)).toLongArray());
        // Integer division truncates toward zero: -7 / 2 = -3, 7 / -2 = -3.
        assertArrayEquals(new long[] {-3, -3, 3},
                eval("Div", Tensor.vector("", -7, 7, 7), Tensor.vector("", 2, -2, 2)).toLongArray());
        assertArrayEquals(new float[] {-3.5f}, eval("Div", floats(dims(1), -7f), floats(dims(), 2f)).toFloatArray());
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> eval("Div", Tensor.vector("", 1), Tensor.vector("", 0)));
        assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
        assertThrows(ModelLoadException.class, () -> eval("Add", Tensor.vector("", 1), floats(dims(1), 1f)));
    }

    @Test
    void unaryOps() throws ModelLoadException {
        assertArrayEquals(new long[] {-3, 4}, eval("Neg", Tensor.vector("", 3, -4)).toLongArray());
        assertArrayEquals(new float[] {-1.5f}, eval("Neg", floats(dims(1), 1.5f)).toFloatArray());
        assertArrayEquals(new float[] {3f, 0.5f}, eval("Sqrt", floats(dims(2), 9f, 0.25f)).toFloatArray());
        assertArrayEquals(new float[] {-2f, 1f}, eval("Floor", floats(dims(2), -1.5f, 1.5f)).toFloatArray());
        assertArrayEquals(new float[] {-1f, 2f}, eval("Ceil", floats(dims(2), -1.5f, 1.5f)).toFloatArray());
        assertThrows(ModelLoadException.class, () -> eval("Sqrt", Tensor.vector("", 4)));
    }

    @Test
    void identityKeepsDataUnderTheOutputName() throws ModelLoadException {
        Tensor y = eval("Identity", floats(dims(2), 1f, 2f));
        assertArrayEquals(new float[] {1f, 2f}, y.toFloatArray());
    }

    @Test
    void constantOfShapeFillsTheValue() throws ModelLoadException {
        Tensor zeros = eval("ConstantOfShape", Tensor.vector("", 2, 2));
        assertEquals(DataType.FLOAT, zeros.dtype());
        assertArrayEquals(new float[4], zeros.toFloatArray());
        Tensor sevens = eval("ConstantOfShape", Map.of("value", Attribute.of(Tensor.vector("v", 7))),
                Tensor.vector("", 3));
        assertArrayEquals(new long[] {7, 7, 7}, sevens.toLongArray());
        Tensor scalar = eval("ConstantOfShape", Map.of("value", Attribute.of(Tensor.vector("v", 7))),
                longs(dims(0)));
        assertArrayEquals(new long[0], scalar.dims());
    }

    @Test
    void transposeMovesAxes() throws ModelLoadException {
        // [[0,1,2],[3,4,5]]^T
        Tensor t = eval("Transpose", iota(2, 3));
        assertArrayEquals(new long[] {3, 2}, t.dims());
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, t.toLongArray());
        Tensor p = eval("Transpose", Map.of("perm", Attribute.ints(1, 2, 0)), iota(2, 3, 4));
        assertArrayEquals(new long[] {3, 4, 2}, p.dims());
        // p[i][j][k] = x[k][i][j] = 12k + 4i + j; p[1][2][1] is flat index 1*8 + 2*2 + 1 = 13.
        assertEquals(12 + 4 + 2, p.toLongArray()[13]);
        assertThrows(ModelLoadException.class, () -> eval("Transpose", Map.of("perm", Attribute.ints(0, 0)), iota(2, 2)));
    }

    @Test
    void rangeCountsUpAndDown() throws ModelLoadException {
        assertArrayEquals(new long[] {0, 3, 6, 9},
                eval("Range", longs(dims(), 0), longs(dims(), 10), longs(dims(), 3)).toLongArray());
        assertArrayEquals(new long[] {5, 3},
                eval("Range", longs(dims(), 5), longs(dims(), 1), longs(dims(), -2)).toLongArray());
        assertArrayEquals(new float[] {1f, 1.5f, 2f, 2.5f},
                eval("Range", floats(dims(), 1f), floats(dims(), 3f), floats(dims(), 0.5f)).toFloatArray());
        assertArrayEquals(new long[] {0}, eval("Range", longs(dims(), 3), longs(dims(), 1), longs(dims(), 1)).dims());
    }

    @Test
    void equalAndWhereBroadcast() throws ModelLoadException {
        Tensor mask = eval("Equal", Tensor.vector("", 1, -1, 3), longs(dims(), -1));
        assertEquals(DataType.BOOL, mask.dtype());
        assertArrayEquals(new long[] {0, 1, 0}, mask.toLongArray());
        // The exporters' idiom: replace the -1 in a shape by a value.
        Tensor where = eval("Where", mask, longs(dims(), 400), Tensor.vector("", 1, -1, 3));
        assertArrayEquals(new long[] {1, 400, 3}, where.toLongArray());
    }

    @Test
    void expandBroadcastsToTheRequestedShape() throws ModelLoadException {
        Tensor y = eval("Expand", longs(dims(3, 1), 1, 2, 3), Tensor.vector("", 2, 1, 2));
        assertArrayEquals(new long[] {2, 3, 2}, y.dims());
        assertArrayEquals(new long[] {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}, y.toLongArray());
    }

    @Test
    void constantTurnsItsAttributeIntoATensor() throws ModelLoadException {
        assertArrayEquals(new long[] {4, 5}, eval("Constant", Map.of("value_ints", Attribute.ints(4, 5))).toLongArray());
        Tensor f = eval("Constant", Map.of("value_float", Attribute.of(2.5f)));
        assertArrayEquals(new long[0], f.dims());
        assertEquals(2.5f, f.getFloat(0));
        Tensor t = eval("Constant", Map.of("value", Attribute.of(Tensor.vector("c", 9))));
        assertArrayEquals(new long[] {9}, t.toLongArray());
    }

    @Test
    void outputsBeyondTheCapAreNotFoldedButDataMovementIs() throws ModelLoadException {
        assertTrue(evalOptional(OPSET, 100, "ConstantOfShape", Map.of(), Tensor.vector("", 1000, 1000)).isEmpty());
        assertTrue(evalOptional(OPSET, 100, "Expand", Map.of(), longs(dims(), 1), Tensor.vector("", 101)).isEmpty());
        Optional<List<Tensor>> moved = evalOptional(OPSET, 100, "Transpose", Map.of(), iota(20, 10));
        assertTrue(moved.isPresent());
        assertArrayEquals(new long[] {10, 20}, moved.get().getFirst().dims());
    }

    @Test
    void nonConstantInputAndUnknownOpAreReported() {
        Node add = Node.of("a", "Add", List.of("x", "c"), List.of("y"));
        ConstantEvaluator evaluator = new ConstantEvaluator(OPSET);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> evaluator.evaluate(add, Map.of("c", Tensor.vector("c", 1))));
        assertTrue(e.getMessage().contains("'x' is not a constant"), e.getMessage());
        Node conv = Node.of("c", "Conv", List.of("x"), List.of("y"));
        assertTrue(!ConstantEvaluator.supports(conv));
        assertThrows(ModelLoadException.class, () -> evaluator.evaluate(conv, Map.of()));
    }
}
