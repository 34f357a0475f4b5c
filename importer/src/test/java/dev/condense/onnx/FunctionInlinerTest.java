// Tests of local-function inlining: calls expand into renamed bodies with attributes resolved; bad functions are refused.
package dev.condense.onnx;

import dev.condense.ir.Attribute;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionInlinerTest {

    static Onnx.AttributeProto ref(String name, String refersTo, Onnx.AttributeProto.AttributeType type) {
        return Onnx.AttributeProto.newBuilder().setName(name).setRefAttrName(refersTo).setType(type).build();
    }

    static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder b = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    /** ConvRelu(x, w) = Relu(Conv(x, w, strides = @stride)), with @stride defaulting to [1, 1]. */
    static Onnx.FunctionProto convRelu() {
        return Onnx.FunctionProto.newBuilder().setName("ConvRelu").setDomain("local")
                .addInput("x").addInput("w").addOutput("y")
                .addAttribute("stride")
                .addAttributeProto(ints("stride", 1, 1))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Conv").setName("conv").addInput("x").addInput("w")
                        .addOutput("c").addAttribute(ref("strides", "stride", Onnx.AttributeProto.AttributeType.INTS)))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").setName("relu").addInput("c").addOutput("y"))
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .build();
    }

    /** x -> ConvRelu(stride 2) -> ConvRelu(default stride) -> y. */
    static Onnx.ModelProto.Builder model(Onnx.FunctionProto function) {
        Onnx.NodeProto first = Onnx.NodeProto.newBuilder().setOpType("ConvRelu").setDomain("local").setName("block1")
                .addInput("x").addInput("w1").addOutput("h").addAttribute(ints("stride", 2, 2)).build();
        Onnx.NodeProto second = Onnx.NodeProto.newBuilder().setOpType("ConvRelu").setDomain("local").setName("block2")
                .addInput("h").addInput("w2").addOutput("y").build();
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(Protos.floatInput("x", 1, 2, 8, 8))
                .addOutput(Protos.floatInput("y", 1, 2, 2, 2))
                .addInitializer(Protos.rawFloats("w1", new long[] {2, 2, 3, 3}, new float[36]))
                .addInitializer(Protos.rawFloats("w2", new long[] {2, 2, 2, 2}, new float[16]))
                .addNode(first).addNode(second).build();
        return Protos.model(g, 13)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
                .addFunctions(function);
    }

    @Test
    void callsExpandWithRenamedValuesAndResolvedAttributes() throws Exception {
        Model m = OnnxReader.read(model(convRelu()).build().toByteArray(), null, "functions.onnx");
        List<Node> nodes = m.graph().nodes();
        assertEquals(List.of("Conv", "Relu", "Conv", "Relu"), nodes.stream().map(Node::opType).toList());
        assertEquals(Attribute.ints(2, 2), nodes.get(0).attribute("strides").orElseThrow(), "the call's value");
        assertEquals(Attribute.ints(1, 1), nodes.get(2).attribute("strides").orElseThrow(), "the function's default");
        assertEquals(List.of("x", "w1"), nodes.get(0).inputs());
        assertEquals("h", nodes.get(1).output());
        assertEquals("y", nodes.get(3).output());
        Set<String> internal = new HashSet<>(List.of(nodes.get(0).output(), nodes.get(2).output()));
        assertEquals(2, internal.size(), "each call's internal value has its own name: " + internal);
        assertTrue(nodes.get(0).name().startsWith("block1/"), nodes.get(0).name());
    }

    @Test
    void recursionAndForeignOpsetsAreRefused() {
        Onnx.FunctionProto selfCalling = convRelu().toBuilder()
                .addNode(Onnx.NodeProto.newBuilder().setOpType("ConvRelu").setDomain("local").addInput("y")
                        .addInput("w").addOutput("z"))
                .build();
        String msg = assertThrows(ModelLoadException.class,
                () -> OnnxReader.read(model(selfCalling).build().toByteArray(), null, "f.onnx")).getMessage();
        assertTrue(msg.contains("local.ConvRelu calls itself"), msg);

        Onnx.FunctionProto otherOpset = convRelu().toBuilder().setOpsetImport(0,
                Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(11)).build();
        msg = assertThrows(ModelLoadException.class,
                () -> OnnxReader.read(model(otherOpset).build().toByteArray(), null, "f.onnx")).getMessage();
        assertTrue(msg.contains("opset 11") && msg.contains("opset 13"), msg);
    }
}
