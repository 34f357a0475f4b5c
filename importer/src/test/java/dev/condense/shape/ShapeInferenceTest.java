// Checks shape inference on small graphs built in code: exact shapes, symbolic batches, per-opset forms, errors.
package dev.condense.shape;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapeInferenceTest {

    // ---- building graphs ----

    /** Dimensions from numbers (fixed), strings (symbols) and null (unknown). */
    private static List<Dim> dims(Object... sizes) {
        List<Dim> out = new ArrayList<>();
        for (Object s : sizes) {
            out.add(switch (s) {
                case null -> Dim.UNKNOWN;
                case String name -> Dim.symbol(name);
                case Number n -> Dim.of(n.longValue());
                default -> throw new IllegalArgumentException(String.valueOf(s));
            });
        }
        return out;
    }

    private static ValueInfo input(String name, Object... sizes) {
        return ValueInfo.of(name, DataType.FLOAT, dims(sizes));
    }

    private static Tensor weight(String name, long... shape) {
        return Tensor.ofFloats(name, shape, new float[(int) Tensor.elementCount(shape)]);
    }

    private static Node node(String name, String op, List<String> inputs, List<String> outputs, Object... attrs) {
        Map<String, Attribute> map = new LinkedHashMap<>();
        for (int i = 0; i < attrs.length; i += 2) {
            map.put((String) attrs[i], (Attribute) attrs[i + 1]);
        }
        return Node.of(name, op, inputs, outputs, map);
    }

    /** A one-input graph whose output {@code out} is declared float with unknown shape. */
    private static Model model(int opset, ValueInfo in, String out, List<Node> nodes, Tensor... initializers) {
        return model(opset, List.of(in), List.of(ValueInfo.unknownShape(out, DataType.FLOAT)), nodes, initializers);
    }

    private static Model model(int opset, List<ValueInfo> inputs, List<ValueInfo> outputs, List<Node> nodes,
                               Tensor... initializers) {
        Map<String, Tensor> inits = new LinkedHashMap<>();
        for (Tensor t : initializers) {
            inits.put(t.name(), t);
        }
        return Model.of(new Graph("test", nodes, inputs, outputs, inits, Map.of()), opset);
    }

    private static ValueInfo typeOf(Model m, String value) {
        ValueInfo v = m.graph().valueInfo().get(value);
        assertTrue(v != null, "no value info for " + value);
        return v;
    }

    private static List<Dim> shapeOf(Model m, String value) {
        return typeOf(m, value).shape().orElseThrow(() -> new AssertionError(value + " has unknown rank"));
    }

    /** Infers a single-node graph {@code x -> op -> y} and returns y's shape. */
    private static List<Dim> single(int opset, ValueInfo x, String op, List<String> inputs, Object[] attrs,
                                    Tensor... initializers) throws ModelLoadException {
        Model m = ShapeInference.infer(model(opset, x, "y", List.of(node("n", op, inputs, List.of("y"), attrs)),
                initializers));
        return shapeOf(m, "y");
    }

    private static ModelLoadException fails(Model m) {
        return assertThrows(ModelLoadException.class, () -> ShapeInference.infer(m));
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    private static final Object[] NONE = new Object[0];

    // ---- whole networks ----

    private static Model lenet() {
        List<Node> nodes = List.of(
                node("conv1", "Conv", List.of("x", "w1", "b1"), List.of("c1")),
                node("relu1", "Relu", List.of("c1"), List.of("r1")),
                node("pool1", "MaxPool", List.of("r1"), List.of("p1"),
                        "kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2)),
                node("conv2", "Conv", List.of("p1", "w2", "b2"), List.of("c2"), "kernel_shape", Attribute.ints(5, 5)),
                node("relu2", "Relu", List.of("c2"), List.of("r2")),
                node("pool2", "MaxPool", List.of("r2"), List.of("p2"),
                        "kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2)),
                node("flat", "Flatten", List.of("p2"), List.of("f")),
                node("fc1", "Gemm", List.of("f", "w3", "b3"), List.of("g1"), "transB", Attribute.of(1L)),
                node("relu3", "Relu", List.of("g1"), List.of("r3")),
                node("fc2", "Gemm", List.of("r3", "w4", "b4"), List.of("g2"), "transB", Attribute.of(1L)),
                node("fc3", "Gemm", List.of("g2", "w5", "b5"), List.of("logits"), "transB", Attribute.of(1L)),
                node("softmax", "Softmax", List.of("logits"), List.of("y")));
        return model(13, input("x", "N", 1, 32, 32), "y", nodes,
                weight("w1", 6, 1, 5, 5), weight("b1", 6), weight("w2", 16, 6, 5, 5), weight("b2", 16),
                weight("w3", 120, 400), weight("b3", 120), weight("w4", 84, 120), weight("b4", 84),
                weight("w5", 10, 84), weight("b5", 10));
    }

    @Test
    void lenetWithSymbolicBatch() throws ModelLoadException {
        Model m = ShapeInference.infer(lenet());
        assertEquals(dims("N", 6, 28, 28), shapeOf(m, "c1"));
        assertEquals(dims("N", 6, 14, 14), shapeOf(m, "p1"));
        assertEquals(dims("N", 16, 10, 10), shapeOf(m, "c2"));
        assertEquals(dims("N", 16, 5, 5), shapeOf(m, "p2"));
        assertEquals(dims("N", 400), shapeOf(m, "f"));
        assertEquals(dims("N", 120), shapeOf(m, "r3"));
        assertEquals(dims("N", 84), shapeOf(m, "g2"));
        assertEquals(dims("N", 10), shapeOf(m, "y"));
        assertEquals(ValueInfo.of("y", DataType.FLOAT, dims("N", 10)), m.graph().outputs().getFirst());
        assertEquals(12, m.graph().valueInfo().size());
    }

    @Test
    void withInputShapesFixesTheBatch() throws ModelLoadException {
        Model m = ShapeInference.withInputShapes(lenet(), Map.of("x", new long[] {3, 1, 32, 32}));
        assertEquals(dims(3, 400), shapeOf(m, "f"));
        assertEquals(dims(3, 10), m.graph().outputs().getFirst().shape().orElseThrow());
        assertEquals(dims(3, 1, 32, 32), m.graph().inputs().getFirst().shape().orElseThrow());
    }

    @Test
    void withInputShapesChecksRankAndFixedDims() {
        ModelLoadException rank = assertThrows(ModelLoadException.class,
                () -> ShapeInference.withInputShapes(lenet(), Map.of("x", new long[] {1, 32, 32})));
        assertContains(rank.getMessage(), "'x'", "float32[N, 1, 32, 32]", "rank 3", "not 4");
        ModelLoadException fixed = assertThrows(ModelLoadException.class,
                () -> ShapeInference.withInputShapes(lenet(), Map.of("x", new long[] {1, 3, 32, 32})));
        assertContains(fixed.getMessage(), "float32[N, 1, 32, 32]", "dimension 1", "fixed at 1");
        ModelLoadException absent = assertThrows(ModelLoadException.class,
                () -> ShapeInference.withInputShapes(lenet(), Map.of("w1", new long[] {6, 1, 5, 5})));
        assertContains(absent.getMessage(), "'w1' is an initializer", "x: float32[N, 1, 32, 32]");
    }

    @Test
    void withBatchSizeReplacesSymbolicFirstDim() throws ModelLoadException {
        Model m = ShapeInference.withBatchSize(lenet(), 8);
        assertEquals(dims(8, 10), m.graph().outputs().getFirst().shape().orElseThrow());
        assertEquals(dims(8, 16, 5, 5), shapeOf(m, "p2"));
    }

    @Test
    void reinferringAnInferredModelIsStable() throws ModelLoadException {
        Model once = ShapeInference.infer(lenet());
        Model twice = ShapeInference.infer(once);
        assertEquals(once.graph().valueInfo(), twice.graph().valueInfo());
        assertEquals(once.graph().outputs(), twice.graph().outputs());
    }

    // ---- Reshape and Flatten with symbols ----

    @Test
    void reshapeMinusOneKeepsTheSymbolicBatch() throws ModelLoadException {
        ValueInfo x = input("x", "N", 16, 5, 5);
        assertEquals(dims("N", 400), single(13, x, "Reshape", List.of("x", "s"), NONE, Tensor.vector("s", -1, 400)));
        assertEquals(dims("N", 400), single(13, x, "Reshape", List.of("x", "s"), NONE, Tensor.vector("s", 0, -1)));
        assertEquals(dims("N", 16, 25), single(13, x, "Reshape", List.of("x", "s"), NONE, Tensor.vector("s", 0, 16, -1)));
        assertEquals(dims("8*N", 50), single(13, x, "Reshape", List.of("x", "s"), NONE, Tensor.vector("s", -1, 50)));
        assertEquals(dims(null, 3), single(13, x, "Reshape", List.of("x", "s"), NONE, Tensor.vector("s", -1, 3)));
    }

    @Test
    void flattenFormsSymbolicProducts() throws ModelLoadException {
        ValueInfo x = input("x", "N", 16, 5, 5);
        assertEquals(dims("N", 400), single(13, x, "Flatten", List.of("x"), NONE));
        assertEquals(dims("16*N", 25), single(13, x, "Flatten", List.of("x"), new Object[] {"axis", Attribute.of(2L)}));
        assertEquals(dims(1, "400*N"), single(13, x, "Flatten", List.of("x"), new Object[] {"axis", Attribute.of(0L)}));
        Model m = ShapeInference.infer(model(13, x, "y", List.of(
                node("f", "Flatten", List.of("x"), List.of("f"), "axis", Attribute.of(2L)),
                node("r", "Reshape", List.of("f", "s"), List.of("y"))), Tensor.vector("s", -1, 16, 25)));
        assertEquals(dims("N", 16, 25), shapeOf(m, "y"));
    }

    @Test
    void pytorchShapeGatherConcatReshapeChain() throws ModelLoadException {
        // x.view(x.size(0), -1) as older PyTorch exports it.
        List<Node> nodes = List.of(
                node("shape", "Shape", List.of("x"), List.of("s")),
                node("gather", "Gather", List.of("s", "zero"), List.of("n"), "axis", Attribute.of(0L)),
                node("unsq", "Unsqueeze", List.of("n", "axes0"), List.of("n1")),
                node("cat", "Concat", List.of("n1", "minus1"), List.of("target"), "axis", Attribute.of(0L)),
                node("reshape", "Reshape", List.of("x", "target"), List.of("y")));
        Model m = ShapeInference.infer(model(13, input("x", "N", 16, 5, 5), "y", nodes,
                Tensor.ofLongs("zero", new long[0], 0), Tensor.vector("axes0", 0), Tensor.vector("minus1", -1)));
        assertEquals(dims(4), shapeOf(m, "s"));
        assertEquals(DataType.INT64, typeOf(m, "s").dtype());
        assertEquals(dims(), shapeOf(m, "n"));
        assertEquals(dims(1), shapeOf(m, "n1"));
        assertEquals(dims(2), shapeOf(m, "target"));
        assertEquals(dims("N", 400), shapeOf(m, "y"));
    }

    @Test
    void gatherOnShapeOutputWithVectorIndices() throws ModelLoadException {
        List<Node> nodes = List.of(
                node("shape", "Shape", List.of("x"), List.of("s")),
                node("gather", "Gather", List.of("s", "hw"), List.of("hwDims")),
                node("zeros", "ConstantOfShape", List.of("hwDims"), List.of("y")));
        Model m = ShapeInference.infer(model(13, input("x", "N", 3, 224, 160), "y", nodes, Tensor.vector("hw", 2, -1)));
        assertEquals(dims(2), shapeOf(m, "hwDims"));
        assertEquals(dims(224, 160), shapeOf(m, "y"));
    }

    @Test
    void reshapeElementCountMismatchIsAnError() {
        ModelLoadException e = fails(model(13, input("x", 2, 3, 5), "y",
                List.of(node("r", "Reshape", List.of("x", "s"), List.of("y"))), Tensor.vector("s", 4, -1)));
        assertContains(e.getMessage(), "Reshape 'r'", "float32[2, 3, 5]", "30 elements", "[4, -1]");
        ModelLoadException e2 = fails(model(13, input("x", 2, 3, 5), "y",
                List.of(node("r", "Reshape", List.of("x", "s"), List.of("y"))), Tensor.vector("s", 7, 5)));
        assertContains(e2.getMessage(), "30 elements", "35 elements");
        ModelLoadException two = fails(model(13, input("x", 2, 3, 5), "y",
                List.of(node("r", "Reshape", List.of("x", "s"), List.of("y"))), Tensor.vector("s", -1, -1)));
        assertContains(two.getMessage(), "more than one -1");
    }

    @Test
    void reshapeOverflowIsAnError() {
        long big = 1L << 40;
        ModelLoadException e = fails(model(13, input("x", "N", 4), "y",
                List.of(node("r", "Reshape", List.of("x", "s"), List.of("y"))), Tensor.vector("s", big, big)));
        assertContains(e.getMessage(), "Reshape 'r'", "64-bit", "[1099511627776, 1099511627776]");
    }

    // ---- convolution and pooling ----

    private static List<Dim> conv(ValueInfo x, Tensor w, Object... attrs) throws ModelLoadException {
        return single(13, x, "Conv", List.of("x", w.name()), attrs, w);
    }

    @Test
    void convVariants() throws ModelLoadException {
        // depthwise 3x3, pad 1
        assertEquals(dims(1, 32, 56, 56), conv(input("x", 1, 32, 56, 56), weight("w", 32, 1, 3, 3),
                "group", Attribute.of(32L), "pads", Attribute.ints(1, 1, 1, 1)));
        // two groups
        assertEquals(dims(2, 16, 8, 8), conv(input("x", 2, 8, 10, 10), weight("w", 16, 4, 3, 3),
                "group", Attribute.of(2L)));
        // dilation 2: effective kernel 5
        assertEquals(dims(1, 8, 28, 28), conv(input("x", 1, 3, 32, 32), weight("w", 8, 3, 3, 3),
                "dilations", Attribute.ints(2, 2)));
        // ResNet stem: 7x7 stride 2 pad 3
        assertEquals(dims("N", 64, 112, 112), conv(input("x", "N", 3, 224, 224), weight("w", 64, 3, 7, 7),
                "strides", Attribute.ints(2, 2), "pads", Attribute.ints(3, 3, 3, 3)));
        // asymmetric pads and strides: (15 + 1 - 3) / 2 + 1 = 7, (15 - 3) / 3 + 1 = 5
        assertEquals(dims(1, 4, 7, 5), conv(input("x", 1, 3, 15, 15), weight("w", 4, 3, 3, 3),
                "strides", Attribute.ints(2, 3), "pads", Attribute.ints(1, 0, 0, 0)));
        // SAME_UPPER gives ceil(in / stride)
        assertEquals(dims(1, 4, 8, 5), conv(input("x", 1, 3, 15, 15), weight("w", 4, 3, 3, 3),
                "strides", Attribute.ints(2, 3), "auto_pad", Attribute.of("SAME_UPPER")));
        // 1-D conv
        assertEquals(dims(1, 4, 98), conv(input("x", 1, 2, 100), weight("w", 4, 2, 3)));
    }

    @Test
    void convKeepsSymbolicSpatialDimsOnlyWhenSizePreserving() throws ModelLoadException {
        assertEquals(dims("N", 8, "H", "W"), conv(input("x", "N", 3, "H", "W"), weight("w", 8, 3, 3, 3),
                "pads", Attribute.ints(1, 1, 1, 1)));
        assertEquals(dims("N", 8, "H", "W"), conv(input("x", "N", 3, "H", "W"), weight("w", 8, 3, 3, 3),
                "auto_pad", Attribute.of("SAME_LOWER")));
        assertEquals(dims("N", 8, null, null), conv(input("x", "N", 3, "H", "W"), weight("w", 8, 3, 3, 3),
                "pads", Attribute.ints(1, 1, 1, 1), "strides", Attribute.ints(2, 2)));
    }

    @Test
    void convChannelMismatchQuotesBothShapes() {
        ModelLoadException e = fails(model(13, input("x", 1, 3, 32, 32), "y",
                List.of(node("conv1", "Conv", List.of("x", "w"), List.of("y"))), weight("w", 16, 6, 5, 5)));
        assertContains(e.getMessage(), "Conv 'conv1'", "float32[1, 3, 32, 32]", "float32[16, 6, 5, 5]", "group 1");
        ModelLoadException group = fails(model(13, input("x", 1, 8, 32, 32), "y",
                List.of(node("conv1", "Conv", List.of("x", "w"), List.of("y"), "group", Attribute.of(3L))),
                weight("w", 16, 4, 5, 5)));
        assertContains(group.getMessage(), "Conv 'conv1'", "group 3");
    }

    @Test
    void convBadPadsLengthAndEmptyOutputAreErrors() {
        ModelLoadException pads = fails(model(13, input("x", 1, 3, 32, 32), "y",
                List.of(node("conv1", "Conv", List.of("x", "w"), List.of("y"), "pads", Attribute.ints(1, 1, 1))),
                weight("w", 16, 3, 5, 5)));
        assertContains(pads.getMessage(), "Conv 'conv1'", "'pads'", "[1, 1, 1]");
        ModelLoadException pads2d = fails(model(13, input("x", 1, 3, 32, 32), "y",
                List.of(node("conv1", "Conv", List.of("x", "w"), List.of("y"), "pads", Attribute.ints(1, 1))),
                weight("w", 16, 3, 5, 5)));
        assertContains(pads2d.getMessage(), "'pads'", "[1, 1]", "needs 4");
        ModelLoadException empty = fails(model(13, input("x", 1, 3, 4, 4), "y",
                List.of(node("conv1", "Conv", List.of("x", "w"), List.of("y"))), weight("w", 16, 3, 5, 5)));
        assertContains(empty.getMessage(), "Conv 'conv1'", "would be 0", "input 4, kernel 5", "float32[1, 3, 4, 4]");
    }

    @Test
    void maxPoolCeilModeAndIndices() throws ModelLoadException {
        Node pool = node("pool", "MaxPool", List.of("x"), List.of("y", "idx"),
                "kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2), "ceil_mode", Attribute.of(1L));
        Model m = ShapeInference.infer(model(12, input("x", "N", 1, 6, 6), "y", List.of(pool)));
        assertEquals(dims("N", 1, 3, 3), shapeOf(m, "y"));
        assertEquals(ValueInfo.of("idx", DataType.INT64, dims("N", 1, 3, 3)), typeOf(m, "idx"));
        assertEquals(dims("N", 1, 2, 2), single(12, input("x", "N", 1, 6, 6), "MaxPool", List.of("x"),
                new Object[] {"kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2)}));
        // The last window would start in the end padding, so ceil mode drops it: 3, not 4.
        assertEquals(dims(1, 1, 3), single(12, input("x", 1, 1, 5), "MaxPool", List.of("x"),
                new Object[] {"kernel_shape", Attribute.ints(2), "strides", Attribute.ints(2),
                        "pads", Attribute.ints(1, 1), "ceil_mode", Attribute.of(1L)}));
    }

    @Test
    void ceilModeBeforeOpset10IsRejected() {
        ModelLoadException e = fails(model(9, input("x", 1, 1, 6, 6), "y", List.of(node("pool", "MaxPool",
                List.of("x"), List.of("y"), "kernel_shape", Attribute.ints(3, 3), "ceil_mode", Attribute.of(1L)))));
        assertContains(e.getMessage(), "MaxPool 'pool'", "'ceil_mode'", "opset 10", "opset 9");
    }

    @Test
    void averageAndGlobalPooling() throws ModelLoadException {
        assertEquals(dims("N", 64, 1, 1), single(13, input("x", "N", 64, 7, 7), "GlobalAveragePool", List.of("x"), NONE));
        assertEquals(dims("N", 64, 3, 3), single(13, input("x", "N", 64, 7, 7), "AveragePool", List.of("x"),
                new Object[] {"kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2)}));
    }

    @Test
    void batchNormOutputs() throws ModelLoadException {
        Node bn = node("bn", "BatchNormalization", List.of("x", "g", "b", "m", "v"), List.of("y"));
        Model m = ShapeInference.infer(model(13, input("x", "N", 8, 4, 4), "y", List.of(bn),
                weight("g", 8), weight("b", 8), weight("m", 8), weight("v", 8)));
        assertEquals(dims("N", 8, 4, 4), shapeOf(m, "y"));
        Node training = node("bn", "BatchNormalization", List.of("x", "g", "b", "m", "v"), List.of("y", "rm", "rv"),
                "training_mode", Attribute.of(1L));
        Model t = ShapeInference.infer(model(15, input("x", "N", 8, 4, 4), "y", List.of(training),
                weight("g", 8), weight("b", 8), weight("m", 8), weight("v", 8)));
        assertEquals(dims(8), shapeOf(t, "rv"));
        ModelLoadException e = fails(model(13, input("x", "N", 8, 4, 4), "y", List.of(bn),
                weight("g", 6), weight("b", 8), weight("m", 8), weight("v", 8)));
        assertContains(e.getMessage(), "BatchNormalization 'bn'", "scale", "float32[6]", "[8]");
    }

    // ---- matrix products ----

    @Test
    void matMulNumpySemantics() throws ModelLoadException {
        assertEquals(dims("N", 5, 3, 7), matMul(input("a", "N", 1, 3, 4), input("b", 5, 4, 7)));
        assertEquals(dims(3), matMul(input("a", 3, 4), input("b", 4)));
        assertEquals(dims(7), matMul(input("a", 4), input("b", 4, 7)));
        assertEquals(dims(), matMul(input("a", 4), input("b", 4)));
        assertEquals(dims(2, 3, 7), matMul(input("a", 4), input("b", 2, 3, 4, 7)));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> matMul(input("a", 3, 4), input("b", 5, 6)));
        assertContains(e.getMessage(), "MatMul 'mm'", "[3, 4]", "[5, 6]", "4 vs 5");
    }

    private static List<Dim> matMul(ValueInfo a, ValueInfo b) throws ModelLoadException {
        Model m = ShapeInference.infer(model(13, List.of(a, b), List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                List.of(node("mm", "MatMul", List.of("a", "b"), List.of("y")))));
        return shapeOf(m, "y");
    }

    @Test
    void gemmChecksInnerDimensions() {
        ModelLoadException e = fails(model(13, input("x", "N", 400), "y",
                List.of(node("fc", "Gemm", List.of("x", "w"), List.of("y"))), weight("w", 120, 400)));
        assertContains(e.getMessage(), "Gemm 'fc'", "[N, 400]", "[120, 400]", "400 vs 120");
    }

    // ---- broadcasting ----

    @Test
    void broadcasting() throws ModelLoadException {
        assertEquals(dims("N", 3, 4, 5), binary("Add", input("a", "N", 3, 1, 5), input("b", 4, 1)));
        assertEquals(dims(3, 4), binary("Mul", input("a", 3, 1), input("b", 1, 4)));
        assertEquals(dims(2, 3), binary("Div", input("a", 2, 3), input("b")));
        assertEquals(dims("N", 7), binary("Sub", input("a", "N", 1), input("b", 7)));
        assertEquals(dims(null, 7), binary("Pow", input("a", "N", 7), input("b", "M", 7)));
        Model cmp = ShapeInference.infer(model(13, List.of(input("a", 3, 1), input("b", 4)),
                List.of(ValueInfo.unknownShape("y", DataType.BOOL)),
                List.of(node("eq", "Equal", List.of("a", "b"), List.of("y")))));
        assertEquals(ValueInfo.of("y", DataType.BOOL, dims(3, 4)), typeOf(cmp, "y"));
    }

    @Test
    void broadcastMismatchQuotesBothShapes() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> binary("Add", input("a", 3, 4), input("b", 5)));
        assertContains(e.getMessage(), "Add 'op'", "float32[3, 4]", "float32[5]", "4 vs 5");
    }

    private static List<Dim> binary(String op, ValueInfo a, ValueInfo b) throws ModelLoadException {
        Model m = ShapeInference.infer(model(13, List.of(a, b), List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                List.of(node("op", op, List.of("a", "b"), List.of("y")))));
        return shapeOf(m, "y");
    }

    // ---- layout ----

    @Test
    void concat() throws ModelLoadException {
        Model m = ShapeInference.infer(model(13, List.of(input("a", "N", 3, 8, 8), input("b", "N", 5, 8, 8)),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT), ValueInfo.unknownShape("z", DataType.FLOAT)),
                List.of(node("c1", "Concat", List.of("a", "b"), List.of("y"), "axis", Attribute.of(1L)),
                        node("c2", "Concat", List.of("a", "a"), List.of("z"), "axis", Attribute.of(0L)))));
        assertEquals(dims("N", 8, 8, 8), shapeOf(m, "y"));
        assertEquals(dims("2*N", 3, 8, 8), shapeOf(m, "z"));
        ModelLoadException e = fails(model(13, List.of(input("a", "N", 3, 8, 8), input("b", "N", 5, 9, 8)),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                List.of(node("c1", "Concat", List.of("a", "b"), List.of("y"), "axis", Attribute.of(1L)))));
        assertContains(e.getMessage(), "Concat 'c1'", "[N, 5, 9, 8]", "[N, 3, 8, 8]", "dimension 2");
    }

    @Test
    void transpose() throws ModelLoadException {
        ValueInfo x = input("x", "N", 3, 224, 200);
        assertEquals(dims("N", 224, 200, 3), single(13, x, "Transpose", List.of("x"),
                new Object[] {"perm", Attribute.ints(0, 2, 3, 1)}));
        assertEquals(dims(200, 224, 3, "N"), single(13, x, "Transpose", List.of("x"), NONE));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> single(13, x, "Transpose", List.of("x"),
                new Object[] {"perm", Attribute.ints(0, 2, 1)}));
        assertContains(e.getMessage(), "Transpose 'n'", "[0, 2, 1]", "rank 4");
    }

    @Test
    void squeezeAndUnsqueezeAtOpset11AndOpset13() throws ModelLoadException {
        ValueInfo x = input("x", "N", 1, 5, 1);
        assertEquals(dims("N", 5, 1), single(11, x, "Squeeze", List.of("x"), new Object[] {"axes", Attribute.ints(1)}));
        assertEquals(dims("N", 5, 1), single(13, x, "Squeeze", List.of("x", "axes"), NONE, Tensor.vector("axes", 1)));
        assertEquals(dims("N", 5), single(13, x, "Squeeze", List.of("x", "axes"), NONE, Tensor.vector("axes", -1, 1)));
        assertEquals(dims(1, "N", 1, 5, 1, 1), single(11, x, "Unsqueeze", List.of("x"),
                new Object[] {"axes", Attribute.ints(0, -2)}));
        assertEquals(dims(1, "N", 1, 5, 1, 1), single(13, x, "Unsqueeze", List.of("x", "axes"), NONE,
                Tensor.vector("axes", 0, -2)));
        // Without axes only dims known to be 1 go; a symbolic one makes the rank unknown.
        assertEquals(dims(3, 5), single(11, input("x", 1, 3, 1, 5), "Squeeze", List.of("x"), NONE));
        Model m = ShapeInference.infer(model(11, x, "y", List.of(node("n", "Squeeze", List.of("x"), List.of("y")))));
        assertEquals(Optional.empty(), typeOf(m, "y").shape());
        // The attribute form is gone at opset 13, and squeezing a size-5 axis is an error.
        ModelLoadException attr = assertThrows(ModelLoadException.class, () -> single(13, x, "Unsqueeze",
                List.of("x"), new Object[] {"axes", Attribute.ints(0)}));
        assertContains(attr.getMessage(), "Unsqueeze 'n'", "'axes'", "opset 13", "input 1");
        ModelLoadException five = assertThrows(ModelLoadException.class, () -> single(11, x, "Squeeze",
                List.of("x"), new Object[] {"axes", Attribute.ints(2)}));
        assertContains(five.getMessage(), "Squeeze 'n'", "axis 2", "[N, 1, 5, 1]", "size is 5");
    }

    @Test
    void slice() throws ModelLoadException {
        ValueInfo x = input("x", "N", 3, 32, 32);
        assertEquals(dims("N", 2, 32, 32), single(13, x, "Slice", List.of("x", "s", "e", "a"), NONE,
                Tensor.vector("s", 1), Tensor.vector("e", Long.MAX_VALUE), Tensor.vector("a", 1)));
        assertEquals(dims("N", 3, 32, 16), single(13, x, "Slice", List.of("x", "s", "e", "a", "st"), NONE,
                Tensor.vector("s", -1), Tensor.vector("e", Long.MIN_VALUE), Tensor.vector("a", 3),
                Tensor.vector("st", -2)));
        assertEquals(dims("N", 3, 10, 0), single(13, x, "Slice", List.of("x", "s", "e", "a"), NONE,
                Tensor.vector("s", 2, 40), Tensor.vector("e", -20, 50), Tensor.vector("a", 2, 3)));
        assertEquals(dims("N", 3, 32, 32), single(13, x, "Slice", List.of("x", "s", "e"), NONE,
                Tensor.vector("s", 0), Tensor.vector("e", Long.MAX_VALUE)));
        assertEquals(dims(null, 3, 32, 32), single(13, x, "Slice", List.of("x", "s", "e"), NONE,
                Tensor.vector("s", 1), Tensor.vector("e", Long.MAX_VALUE)));
        // Opset 9: attributes.
        assertEquals(dims("N", 1, 30, 32), single(9, x, "Slice", List.of("x"), new Object[] {
                "starts", Attribute.ints(0, 1), "ends", Attribute.ints(1, -1), "axes", Attribute.ints(1, 2)}));
        ModelLoadException zero = assertThrows(ModelLoadException.class, () -> single(13, x, "Slice",
                List.of("x", "s", "e", "a", "st"), NONE, Tensor.vector("s", 0), Tensor.vector("e", 2),
                Tensor.vector("a", 1), Tensor.vector("st", 0)));
        assertContains(zero.getMessage(), "Slice 'n'", "step", "is 0");
    }

    @Test
    void padAtOpset7And11() throws ModelLoadException {
        ValueInfo x = input("x", "N", 3, 10, 10);
        assertEquals(dims("N", 3, 12, 13), single(7, x, "Pad", List.of("x"),
                new Object[] {"pads", Attribute.ints(0, 0, 1, 1, 0, 0, 1, 2)}));
        assertEquals(dims("N", 3, 12, 9), single(11, x, "Pad", List.of("x", "p"), NONE,
                Tensor.vector("p", 0, 0, 1, 0, 0, 0, 1, -1)));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> single(11, x, "Pad", List.of("x", "p"),
                NONE, Tensor.vector("p", 1, 1, 1, 1)));
        assertContains(e.getMessage(), "Pad 'n'", "[1, 1, 1, 1]", "needs 8");
    }

    @Test
    void reductionsAcrossOpsets() throws ModelLoadException {
        ValueInfo x = input("x", "N", 8, 4, 4);
        assertEquals(dims("N", 8, 1, 1), single(13, x, "ReduceMean", List.of("x"),
                new Object[] {"axes", Attribute.ints(2, 3)}));
        assertEquals(dims("N", 8), single(18, x, "ReduceMean", List.of("x", "a"),
                new Object[] {"keepdims", Attribute.of(0L)}, Tensor.vector("a", -1, -2)));
        assertEquals(dims(1, 1, 1, 1), single(13, x, "ReduceSum", List.of("x"), NONE));
        assertEquals(dims("N", 1, 4, 4), single(13, x, "ReduceSum", List.of("x", "a"), NONE, Tensor.vector("a", 1)));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> single(18, x, "ReduceMean", List.of("x"),
                new Object[] {"axes", Attribute.ints(1)}));
        assertContains(e.getMessage(), "ReduceMean 'n'", "'axes'", "opset 18");
    }

    @Test
    void splitAcrossOpsets() throws ModelLoadException {
        ValueInfo x = input("x", "N", 6, 4);
        Model old = ShapeInference.infer(model(11, x, "a", List.of(node("s", "Split", List.of("x"),
                List.of("a", "b"), "axis", Attribute.of(1L), "split", Attribute.ints(2, 4)))));
        assertEquals(dims("N", 4, 4), shapeOf(old, "b"));
        Model v13 = ShapeInference.infer(model(13, List.of(x), List.of(ValueInfo.unknownShape("a", DataType.FLOAT)),
                List.of(node("s", "Split", List.of("x", "sizes"), List.of("a", "b"), "axis", Attribute.of(1L))),
                Tensor.vector("sizes", 1, 5)));
        assertEquals(dims("N", 5, 4), shapeOf(v13, "b"));
        Model equal = ShapeInference.infer(model(13, x, "a", List.of(node("s", "Split", List.of("x"),
                List.of("a", "b", "c"), "axis", Attribute.of(1L)))));
        assertEquals(dims("N", 2, 4), shapeOf(equal, "c"));
        Model v18 = ShapeInference.infer(model(18, input("x", 7), "a", List.of(node("s", "Split", List.of("x"),
                List.of("a", "b", "c"), "num_outputs", Attribute.of(3L)))));
        assertEquals(dims(3), shapeOf(v18, "a"));
        assertEquals(dims(1), shapeOf(v18, "c"));
    }

    @Test
    void softmaxClipDropoutPerOpset() throws ModelLoadException {
        ValueInfo x = input("x", "N", 10);
        assertEquals(dims("N", 10), single(11, x, "Softmax", List.of("x"), NONE));
        ModelLoadException axis = assertThrows(ModelLoadException.class,
                () -> single(13, x, "Softmax", List.of("x"), new Object[] {"axis", Attribute.of(2L)}));
        assertContains(axis.getMessage(), "Softmax 'n'", "'axis' is 2", "[-2, 1]");
        assertEquals(dims("N", 10), single(6, x, "Clip", List.of("x"), new Object[] {"min", Attribute.of(0f)}));
        assertEquals(dims("N", 10), single(11, x, "Clip", List.of("x", "lo", "hi"), NONE,
                Tensor.scalar("lo", 0f), Tensor.scalar("hi", 6f)));
        Model d7 = ShapeInference.infer(model(7, x, "y", List.of(node("d", "Dropout", List.of("x"),
                List.of("y", "mask"), "ratio", Attribute.of(0.3f)))));
        assertEquals(ValueInfo.of("mask", DataType.FLOAT, dims("N", 10)), typeOf(d7, "mask"));
        Model d12 = ShapeInference.infer(model(12, x, "y", List.of(node("d", "Dropout", List.of("x"),
                List.of("y", "mask")))));
        assertEquals(ValueInfo.of("mask", DataType.BOOL, dims("N", 10)), typeOf(d12, "mask"));
    }

    @Test
    void resizeAndUpsample() throws ModelLoadException {
        ValueInfo x = input("x", "N", 3, 16, 10);
        assertEquals(dims("N", 3, 32, 15), single(13, x, "Resize", List.of("x", "", "sc"), NONE,
                Tensor.ofFloats("sc", new long[] {4}, 1f, 1f, 2f, 1.5f)));
        assertEquals(dims(4, 3, 7, 9), single(13, x, "Resize", List.of("x", "", "", "sz"), NONE,
                Tensor.vector("sz", 4, 3, 7, 9)));
        assertEquals(dims("2*N", 3, 32, 20), single(7, x, "Upsample", List.of("x"),
                new Object[] {"scales", Attribute.floats(2f, 1f, 2f, 2f)}));
        // Scales that are not constant could change any axis.
        Model computed = ShapeInference.infer(model(13, List.of(x, ValueInfo.of("sc", DataType.FLOAT, dims(4))),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                List.of(node("n", "Resize", List.of("x", "", "sc"), List.of("y")))));
        assertEquals(dims(null, null, null, null), shapeOf(computed, "y"));
    }

    @Test
    void castShapeConstantOfShapeExpandTileRange() throws ModelLoadException {
        ValueInfo x = input("x", "N", 3);
        Model cast = ShapeInference.infer(model(13, List.of(x), List.of(ValueInfo.unknownShape("y", DataType.INT64)),
                List.of(node("c", "Cast", List.of("x"), List.of("y"), "to", Attribute.of((long) DataType.INT64.onnxCode())))));
        assertEquals(ValueInfo.of("y", DataType.INT64, dims("N", 3)), typeOf(cast, "y"));
        assertEquals(dims(2, "N", 3), single(13, x, "Expand", List.of("x", "s"), NONE, Tensor.vector("s", 2, 1, 1)));
        assertEquals(dims(3, 3), single(13, x, "Expand", List.of("x", "s"), NONE, Tensor.vector("s", 3, 1)));
        assertEquals(dims("2*N", 12), single(13, x, "Tile", List.of("x", "r"), NONE, Tensor.vector("r", 2, 4)));
        Model range = ShapeInference.infer(model(13, List.of(x), List.of(ValueInfo.unknownShape("y", DataType.INT64)),
                List.of(node("r", "Range", List.of("a", "b", "d"), List.of("y"))),
                Tensor.ofLongs("a", new long[0], 2), Tensor.ofLongs("b", new long[0], 11), Tensor.ofLongs("d", new long[0], 3)));
        assertEquals(dims(3), shapeOf(range, "y"));
    }

    @Test
    void constantNodesFeedShapeInputs() throws ModelLoadException {
        List<Node> nodes = List.of(
                node("k", "Constant", List.of(), List.of("shape"), "value", Attribute.of(Tensor.vector("v", -1, 12))),
                node("r", "Reshape", List.of("x", "shape"), List.of("y")));
        Model m = ShapeInference.infer(model(13, input("x", "N", 3, 4), "y", nodes));
        assertEquals(ValueInfo.of("shape", DataType.INT64, dims(2)), typeOf(m, "shape"));
        assertEquals(dims("N", 12), shapeOf(m, "y"));
    }

    @Test
    void convTransposeAndPixelShuffle() throws ModelLoadException {
        // 2*(7-1) + 1 + 3 - 2 = 14
        assertEquals(dims("N", 4, 14, 14), single(13, input("x", "N", 8, 7, 7), "ConvTranspose", List.of("x", "w"),
                new Object[] {"strides", Attribute.ints(2, 2), "pads", Attribute.ints(1, 1, 1, 1),
                        "output_padding", Attribute.ints(1, 1)}, weight("w", 8, 4, 3, 3)));
        assertEquals(dims("N", 2, 16, 16), single(13, input("x", "N", 8, 8, 8), "DepthToSpace", List.of("x"),
                new Object[] {"blocksize", Attribute.of(2L), "mode", Attribute.of("CRD")}));
        assertEquals(dims("N", 32, 4, 4), single(13, input("x", "N", 8, 8, 8), "SpaceToDepth", List.of("x"),
                new Object[] {"blocksize", Attribute.of(2L)}));
    }

    @Test
    void quantizedConvAndMatMulTakeTheOutputZeroPointType() throws ModelLoadException {
        ValueInfo x = ValueInfo.of("x", DataType.UINT8, dims("N", 3, 8, 8));
        Tensor w = Tensor.fromLongs("w", DataType.INT8, new long[] {4, 3, 3, 3}, new long[108]);
        Tensor scale = Tensor.scalar("s", 0.1f);
        Tensor zp = Tensor.fromLongs("zp", DataType.UINT8, new long[0], new long[] {128});
        Tensor wzp = Tensor.fromLongs("wzp", DataType.INT8, new long[0], new long[] {0});
        Model conv = ShapeInference.infer(model(13, List.of(x), List.of(ValueInfo.unknownShape("y", DataType.UINT8)),
                List.of(node("qc", "QLinearConv", List.of("x", "s", "zp", "w", "s", "wzp", "s", "zp"), List.of("y"),
                        "pads", Attribute.ints(1, 1, 1, 1))), w, scale, zp, wzp));
        assertEquals(ValueInfo.of("y", DataType.UINT8, dims("N", 4, 8, 8)), typeOf(conv, "y"));
        Model integer = ShapeInference.infer(model(13, List.of(x), List.of(ValueInfo.unknownShape("y", DataType.INT32)),
                List.of(node("ci", "ConvInteger", List.of("x", "w"), List.of("y"))), w));
        assertEquals(ValueInfo.of("y", DataType.INT32, dims("N", 4, 6, 6)), typeOf(integer, "y"));
    }

    @Test
    void topKAndReductionWithComputedAxes() throws ModelLoadException {
        Model topk = ShapeInference.infer(model(13, input("x", "N", 1000), "v", List.of(node("t", "TopK",
                List.of("x", "k"), List.of("v", "i"))), Tensor.vector("k", 5)));
        assertEquals(ValueInfo.of("i", DataType.INT64, dims("N", 5)), typeOf(topk, "i"));
        Model reduce = ShapeInference.infer(model(13, List.of(input("x", "N", 3, 4), ValueInfo.of("a", DataType.INT64,
                dims(1))), List.of(ValueInfo.unknownShape("y", DataType.FLOAT)), List.of(node("r", "ReduceSum",
                List.of("x", "a"), List.of("y"), "keepdims", Attribute.of(0L)))));
        assertEquals(dims(null, null), shapeOf(reduce, "y"));
    }

    // ---- unknown ops and declared types ----

    @Test
    void unknownOpsGetUnknownShapesAndDownstreamCarriesOn() throws ModelLoadException {
        Node custom = new Node("c", "FancyOp", "com.example", List.of("x"), List.of("f"), Map.of());
        Node relu = node("relu", "Relu", List.of("f"), List.of("y"));
        Model m = ShapeInference.infer(model(13, input("x", "N", 3), "y", List.of(custom, relu)));
        assertEquals(ValueInfo.unknownShape("f", DataType.FLOAT), typeOf(m, "f"));
        assertEquals(ValueInfo.unknownShape("y", DataType.FLOAT), typeOf(m, "y"));
        Node unknownDefault = node("u", "NotAnOnnxOp", List.of("x"), List.of("y"));
        Model u = ShapeInference.infer(model(13, input("x", "N", 3), "y", List.of(unknownDefault)));
        assertEquals(ValueInfo.unknownShape("y", DataType.FLOAT), typeOf(u, "y"));
    }

    @Test
    void declaredShapesRefineAndConflictsAreErrors() throws ModelLoadException {
        Node relu = node("relu", "Relu", List.of("x"), List.of("y"));
        Model refined = ShapeInference.infer(model(13, List.of(input("x", "N", null)),
                List.of(input("y", null, 10)), List.of(relu)));
        assertEquals(dims("N", 10), refined.graph().outputs().getFirst().shape().orElseThrow());
        ModelLoadException e = fails(model(13, List.of(input("x", "N", 10)), List.of(input("y", "N", 12)),
                List.of(relu)));
        assertContains(e.getMessage(), "'y'", "[N, 12]", "[N, 10]");
    }

    @Test
    void overflowInPoolingArithmeticIsAnError() {
        long huge = Long.MAX_VALUE - 1;
        ModelLoadException e = fails(model(13, input("x", 1, 1, huge), "y", List.of(node("pool", "MaxPool",
                List.of("x"), List.of("y"), "kernel_shape", Attribute.ints(2), "pads", Attribute.ints(2, 2)))));
        assertContains(e.getMessage(), "MaxPool 'pool'", "64-bit");
    }

    @Test
    void elementCountOverflowOfAnOutputIsAnError() {
        long big = 1L << 40;
        ModelLoadException e = fails(model(13, List.of(input("a", big, 1), input("b", 1, big)),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                List.of(node("mul", "Mul", List.of("a", "b"), List.of("y")))));
        assertContains(e.getMessage(), "Mul 'mul'", "'y'", "64-bit", Arrays.toString(new long[] {big, big}));
    }
}
