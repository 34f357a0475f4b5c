// Tests of the ONNX reader: every data layout it accepts, and the message for each thing it rejects.
package dev.condense.onnx;

import com.google.protobuf.ByteString;
import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxReaderTest {

    private static Model read(Onnx.ModelProto.Builder m) throws ModelLoadException {
        return OnnxReader.read(m.build().toByteArray(), null, "test.onnx");
    }

    private static String error(Onnx.ModelProto.Builder m) {
        return assertThrows(ModelLoadException.class, () -> read(m)).getMessage();
    }

    /** A model whose graph adds initializer {@code w} to input x. */
    private static Onnx.ModelProto.Builder withInitializer(Onnx.TensorProto w) {
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Protos.floatInput("x", 2))
                .addOutput(Protos.floatInput("y", 2))
                .addInitializer(w)
                .addNode(Protos.node("Add", new String[] {"x", w.getName()}, "y"))
                .build();
        return Protos.model(g, 13);
    }

    @Test
    void readsAGraphWithTypesAndSymbolicDims() throws Exception {
        Onnx.ValueInfoProto x = Onnx.ValueInfoProto.newBuilder().setName("x")
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1)
                        .setShape(Onnx.TensorShapeProto.newBuilder()
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(3))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder()))))
                .build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g").addInput(x)
                .addOutput(Protos.floatInput("y", 2, 3, 4))
                .addNode(Protos.node("Relu", new String[] {"x"}, "y")).build();
        Model m = read(Protos.model(g, 13));
        assertEquals(13, m.opset());
        assertEquals(List.of(Dim.symbol("batch"), Dim.of(3), Dim.UNKNOWN), m.graph().inputs().getFirst().shape().get());
        assertEquals("Relu", m.graph().nodes().getFirst().opType());
    }

    @Test
    void readsRawAndTypedInitializersOfEveryHeldType() throws Exception {
        assertArrayEquals(new float[] {1.5f, -2f}, read(withInitializer(Protos.rawFloats("w", new long[] {2}, 1.5f, -2f)))
                .graph().initializer("w").orElseThrow().toFloatArray());

        Onnx.TensorProto floats = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(2)
                .addFloatData(3f).addFloatData(4f).build();
        assertArrayEquals(new float[] {3f, 4f}, read(withInitializer(floats)).graph().initializer("w").orElseThrow().toFloatArray());

        int[][] cases = { // onnx code, value 0, value 1 (as int32_data)
            {3, -5, 7}, {2, 200, 3}, {5, -300, 12}, {4, 60000, 1}, {6, -70000, 9}, {9, 1, 0}};
        for (int[] c : cases) {
            Onnx.TensorProto t = Onnx.TensorProto.newBuilder().setName("w").setDataType(c[0]).addDims(2)
                    .addInt32Data(c[1]).addInt32Data(c[2]).build();
            Tensor w = read(withInitializer(t)).graph().initializer("w").orElseThrow();
            assertEquals(DataType.fromOnnx(c[0]).orElseThrow(), w.dtype());
            assertEquals(c[1], w.getLong(0), "type " + w.dtype());
            assertEquals(c[2], w.getLong(1), "type " + w.dtype());
        }
        Onnx.TensorProto half = Onnx.TensorProto.newBuilder().setName("w").setDataType(10).addDims(2)
                .addInt32Data(Float.floatToFloat16(0.5f)).addInt32Data(Float.floatToFloat16(-3f)).build();
        assertArrayEquals(new float[] {0.5f, -3f}, read(withInitializer(half)).graph().initializer("w").orElseThrow().toFloatArray());

        Onnx.TensorProto longs = Onnx.TensorProto.newBuilder().setName("w").setDataType(7).addDims(2)
                .addInt64Data(Long.MAX_VALUE).addInt64Data(-1).build();
        assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, read(withInitializer(longs)).graph().initializer("w").orElseThrow().toLongArray());

        Onnx.TensorProto doubles = Onnx.TensorProto.newBuilder().setName("w").setDataType(11).addDims(2)
                .addDoubleData(0.25).addDoubleData(1e300).build();
        Tensor d = read(withInitializer(doubles)).graph().initializer("w").orElseThrow();
        assertEquals(0.25, d.getDouble(0));
        assertEquals(1e300, d.getDouble(1));
    }

    @Test
    void rejectsDataThatDoesNotMatchTheDims() {
        Onnx.TensorProto shortRaw = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(3)
                .setRawData(ByteString.copyFrom(new byte[8])).build();
        String msg = error(withInitializer(shortRaw));
        assertTrue(msg.contains("tensor 'w'") && msg.contains("needs 12 bytes") && msg.contains("has 8"), msg);

        Onnx.TensorProto fewTyped = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(3)
                .addFloatData(1f).build();
        msg = error(withInitializer(fewTyped));
        assertTrue(msg.contains("3 elements but 1 values in float_data"), msg);

        Onnx.TensorProto overflow = Onnx.TensorProto.newBuilder().setName("w").setDataType(1)
                .addDims(1L << 40).addDims(1L << 40).build();
        msg = error(withInitializer(overflow));
        assertTrue(msg.contains("tensor 'w'") && msg.contains("overflows"), msg);

        Onnx.TensorProto negative = Onnx.TensorProto.newBuilder().setName("w").setDataType(1).addDims(-2).build();
        assertTrue(error(withInitializer(negative)).contains("negative dimension -2"));

        Onnx.TensorProto strings = Onnx.TensorProto.newBuilder().setName("w").setDataType(8).addDims(1)
                .addStringData(ByteString.copyFromUtf8("a")).build();
        msg = error(withInitializer(strings));
        assertTrue(msg.contains("STRING") && msg.contains("float32"), msg);
    }

    @Test
    void constantNodesBecomeInitializers() throws Exception {
        Onnx.NodeProto constant = Onnx.NodeProto.newBuilder().setOpType("Constant").addOutput("c")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                        .setT(Protos.rawFloats("", new long[] {2}, 7f, 8f)))
                .build();
        Onnx.NodeProto ints = Onnx.NodeProto.newBuilder().setOpType("Constant").addOutput("axes")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("value_ints").setType(Onnx.AttributeProto.AttributeType.INTS)
                        .addInts(0).addInts(2))
                .build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Protos.floatInput("x", 2))
                .addOutput(Protos.floatInput("y", 2))
                .addNode(constant).addNode(ints)
                .addNode(Protos.node("Add", new String[] {"x", "c"}, "y")).build();
        Model m = read(Protos.model(g, 13));
        assertEquals(1, m.graph().nodes().size());
        assertArrayEquals(new float[] {7f, 8f}, m.graph().initializer("c").orElseThrow().toFloatArray());
        assertArrayEquals(new long[] {0, 2}, m.graph().initializer("axes").orElseThrow().toLongArray());
    }

    @Test
    void attributesAreTyped() throws Exception {
        Onnx.NodeProto conv = Onnx.NodeProto.newBuilder().setOpType("LeakyRelu").addInput("x").addOutput("y")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("alpha").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(0.2f))
                .build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g").addInput(Protos.floatInput("x", 2))
                .addOutput(Protos.floatInput("y", 2)).addNode(conv).build();
        Model m = read(Protos.model(g, 13));
        assertEquals(new Attribute.FloatValue(0.2f), m.graph().nodes().getFirst().attribute("alpha").orElseThrow());
    }

    @Test
    void opsetsOutsideTheRangeAreRejectedNamingTheRange() {
        String msg = error(Protos.reluModel(0));
        assertTrue(msg.contains("opset 0") && msg.contains("1 to 22"), msg);
        msg = error(Protos.reluModel(23));
        assertTrue(msg.contains("opset 23") && msg.contains("1 to 22"), msg);
        msg = error(Protos.reluModel(13).clearOpsetImport());
        assertTrue(msg.contains("no opset_import"), msg);
    }

    @Test
    void unknownOpsAndOpsNewerThanTheOpsetAreRejected() {
        Onnx.ModelProto.Builder unknown = Protos.reluModel(13);
        unknown.getGraphBuilder().getNodeBuilder(0).setOpType("FooBar");
        String msg = error(unknown);
        assertTrue(msg.contains("'FooBar' is not an ONNX operator") && msg.contains("relu_node") && msg.contains("opset 13"), msg);

        Onnx.ModelProto.Builder tooNew = Protos.reluModel(11);
        tooNew.getGraphBuilder().getNodeBuilder(0).setOpType("HardSwish");
        msg = error(tooNew);
        assertTrue(msg.contains("HardSwish exists from opset 14") && msg.contains("imports opset 11"), msg);

        Onnx.ModelProto.Builder undeclared = Protos.reluModel(13);
        undeclared.getGraphBuilder().getNodeBuilder(0).setDomain("com.example");
        msg = error(undeclared);
        assertTrue(msg.contains("domain 'com.example'") && msg.contains("does not import"), msg);
    }

    @Test
    void wiringErrorsNameTheValue() {
        Onnx.ModelProto.Builder undefined = Protos.reluModel(13);
        undefined.getGraphBuilder().getNodeBuilder(0).setInput(0, "ghost");
        String msg = error(undefined);
        assertTrue(msg.contains("reads 'ghost'") && msg.contains("Relu 'relu_node'"), msg);

        Onnx.GraphProto cycle = Onnx.GraphProto.newBuilder().setName("g").addInput(Protos.floatInput("x", 2))
                .addOutput(Protos.floatInput("b", 2))
                .addNode(Protos.node("Add", new String[] {"x", "b"}, "a"))
                .addNode(Protos.node("Relu", new String[] {"a"}, "b")).build();
        msg = error(Protos.model(cycle, 13));
        assertTrue(msg.contains("cycle") && msg.contains("2 nodes"), msg);

        Onnx.GraphProto twice = Onnx.GraphProto.newBuilder().setName("g").addInput(Protos.floatInput("x", 2))
                .addOutput(Protos.floatInput("y", 2))
                .addNode(Protos.node("Relu", new String[] {"x"}, "y"))
                .addNode(Protos.node("Sigmoid", new String[] {"x"}, "y")).build();
        msg = error(Protos.model(twice, 13));
        assertTrue(msg.contains("'y' is defined twice"), msg);

        Onnx.ModelProto.Builder noOutput = Protos.reluModel(13);
        noOutput.getGraphBuilder().getOutputBuilder(0).setName("z");
        assertTrue(error(noOutput).contains("graph output 'z' is produced by no node"));
    }

    @Test
    void garbageAndTruncatedFilesGiveOneClearError(@TempDir Path dir) throws Exception {
        byte[] good = Protos.reluModel(13).build().toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        String msg = assertThrows(ModelLoadException.class, () -> OnnxReader.read(truncated, null, "t.onnx")).getMessage();
        assertTrue(msg.startsWith("t.onnx") && msg.contains("not a valid ONNX"), msg);

        Path text = dir.resolve("notes.onnx");
        Files.writeString(text, "this is not a model\n");
        msg = assertThrows(ModelLoadException.class, () -> OnnxReader.read(text)).getMessage();
        assertTrue(msg.contains("notes.onnx"), msg);

        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        assertTrue(assertThrows(ModelLoadException.class, () -> OnnxReader.read(empty)).getMessage().contains("is empty"));
        assertTrue(assertThrows(ModelLoadException.class, () -> OnnxReader.read(dir.resolve("missing.onnx")))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(ModelLoadException.class, () -> OnnxReader.read(dir)).getMessage().contains("is a folder"));
    }

    @Test
    void deepNestingHitsTheRecursionLimit() {
        // If nodes nested 100 deep: the protobuf recursion limit ends the parse with a clear error.
        Onnx.GraphProto inner = Onnx.GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < 100; i++) {
            Onnx.NodeProto ifNode = Onnx.NodeProto.newBuilder().setOpType("If").addInput("c").addOutput("o" + i)
                    .addAttribute(Onnx.AttributeProto.newBuilder().setName("then_branch")
                            .setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(inner))
                    .build();
            inner = Onnx.GraphProto.newBuilder().setName("g" + i).addNode(ifNode).build();
        }
        String msg = error(Protos.model(inner, 13));
        assertTrue(msg.contains("not a valid ONNX protobuf") || msg.contains("nested deeper"), msg);
    }

    @Test
    void opset6LegacyBroadcastingIsUpgraded() throws Exception {
        Onnx.NodeProto add = Onnx.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("b").addOutput("y")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("broadcast").setType(Onnx.AttributeProto.AttributeType.INT).setI(1))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.INT).setI(1))
                .build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Protos.floatInput("x", 2, 3, 4, 5))
                .addOutput(Protos.floatInput("y", 2, 3, 4, 5))
                .addInitializer(Protos.rawFloats("b", new long[] {3}, 1, 2, 3))
                .addNode(add).build();
        Model m = read(Protos.model(g, 6));
        assertEquals(7, m.opset());
        var node = m.graph().nodes().getFirst();
        assertTrue(node.attributes().isEmpty(), "broadcast/axis dropped: " + node.attributes());
        Tensor aligned = m.graph().initializer(node.inputs().get(1)).orElseThrow();
        assertArrayEquals(new long[] {3, 1, 1}, aligned.dims());
    }

    @Test
    void opset1FormsAreUpgraded() throws Exception {
        Onnx.AttributeProto consumed = Onnx.AttributeProto.newBuilder().setName("consumed_inputs")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(0).build();
        Onnx.NodeProto relu = Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("r")
                .addAttribute(consumed).build();
        Onnx.NodeProto reshape = Onnx.NodeProto.newBuilder().setOpType("Reshape").addInput("r").addOutput("flat")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("shape").setType(Onnx.AttributeProto.AttributeType.INTS)
                        .addInts(2).addInts(-1))
                .build();
        Onnx.NodeProto concat = Onnx.NodeProto.newBuilder().setOpType("Concat").addInput("flat").addInput("flat")
                .addOutput("y").build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Protos.floatInput("x", 2, 3, 4))
                .addOutput(Protos.floatInput("y", 2, 24))
                .addNode(relu).addNode(reshape).addNode(concat).build();
        Model m = read(Protos.model(g, 1));
        assertEquals(7, m.opset());
        var nodes = m.graph().nodes();
        assertTrue(nodes.get(0).attributes().isEmpty(), "consumed_inputs dropped");
        assertEquals(2, nodes.get(1).inputs().size(), "Reshape-1's shape attribute became an input");
        assertArrayEquals(new long[] {2, -1}, m.graph().initializer(nodes.get(1).inputs().get(1)).orElseThrow().toLongArray());
        assertEquals(new Attribute.IntValue(1), nodes.get(2).attribute("axis").orElseThrow(), "Concat-1's default axis");
    }
}
