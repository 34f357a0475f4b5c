// A model built of local functions runs the same in ONNX Runtime before and after Condense inlines them.
package dev.condense.tests;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.condense.ir.Model;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

class FunctionInliningTest {

    @BeforeAll
    static void startRuntime() {
        OrtRoundTripTest.startRuntime();
    }

    private static Onnx.TensorProto weights(String name, Random rng, long... dims) {
        int n = 1;
        for (long d : dims) {
            n *= (int) d;
        }
        ByteBuffer buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            buf.putFloat((float) rng.nextGaussian() * 0.3f);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    private static Onnx.ValueInfoProto floatValue(String name, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    /**
     * Block(x, w, b) = Relu(Conv(x, w, b, strides=@stride, pads 1)) + a nested Scale(y) = y * 0.5
     * function, called three times with different strides: nesting, attribute references with and
     * without the call's value, and internal names that collide across calls.
     */
    static Onnx.ModelProto model() {
        Random rng = new Random(11);
        Onnx.AttributeProto strideRef = Onnx.AttributeProto.newBuilder().setName("strides").setRefAttrName("stride")
                .setType(Onnx.AttributeProto.AttributeType.INTS).build();
        Onnx.AttributeProto pads = Onnx.AttributeProto.newBuilder().setName("pads")
                .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(1).addInts(1).addInts(1).addInts(1).build();
        Onnx.OperatorSetIdProto opset = Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17).build();
        Onnx.OperatorSetIdProto local = Onnx.OperatorSetIdProto.newBuilder().setDomain("blocks").setVersion(1).build();
        Onnx.FunctionProto scale = Onnx.FunctionProto.newBuilder().setName("Scale").setDomain("blocks")
                .addInput("v").addOutput("s")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Constant").addOutput("half").addAttribute(
                        Onnx.AttributeProto.newBuilder().setName("value_float").setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(0.5f)))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Mul").addInput("v").addInput("half").addOutput("s"))
                .addOpsetImport(opset).build();
        Onnx.FunctionProto block = Onnx.FunctionProto.newBuilder().setName("Block").setDomain("blocks")
                .addInput("x").addInput("w").addInput("b").addOutput("y")
                .addAttribute("stride")
                .addAttributeProto(Onnx.AttributeProto.newBuilder().setName("stride")
                        .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(1).addInts(1))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Conv").addInput("x").addInput("w").addInput("b")
                        .addOutput("c").addAttribute(strideRef).addAttribute(pads))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("c").addOutput("r"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Scale").setDomain("blocks").addInput("r").addOutput("y"))
                .addOpsetImport(opset).addOpsetImport(local).build();
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName("blocks")
                .addInput(floatValue("input", 1, 3, 16, 16))
                .addOutput(floatValue("output", 1, 8, 4, 4));
        String x = "input";
        long[][] shapes = {{4, 3, 3, 3}, {8, 4, 3, 3}, {8, 8, 3, 3}};
        long[] strides = {2, 2, 1};
        for (int i = 0; i < 3; i++) {
            g.addInitializer(weights("w" + i, rng, shapes[i]));
            g.addInitializer(weights("b" + i, rng, shapes[i][0]));
            Onnx.NodeProto.Builder call = Onnx.NodeProto.newBuilder().setOpType("Block").setDomain("blocks")
                    .setName("block" + i).addInput(x).addInput("w" + i).addInput("b" + i)
                    .addOutput(i == 2 ? "output" : "h" + i);
            if (strides[i] != 1) {
                call.addAttribute(Onnx.AttributeProto.newBuilder().setName("stride")
                        .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(strides[i]).addInts(strides[i]));
            }
            g.addNode(call);
            x = "h" + i;
        }
        return Onnx.ModelProto.newBuilder().setIrVersion(8).addOpsetImport(opset).addOpsetImport(local)
                .addFunctions(block).addFunctions(scale).setGraph(g).build();
    }

    @Test
    void inlinedModelComputesWhatTheFunctionsCompute() throws Exception {
        byte[] original = model().toByteArray();
        Model inlined = OnnxReader.read(original, null, "blocks.onnx");
        assertTrue(inlined.graph().nodes().stream().allMatch(n -> n.domain().isEmpty()),
                "only ONNX operators remain: " + inlined.graph().opHistogram());
        assertTrue(inlined.graph().opHistogram().equals(Map.of("Conv", 3, "Relu", 3, "Mul", 3)),
                inlined.graph().opHistogram().toString());

        float[] input = new float[3 * 16 * 16];
        Random rng = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rng.nextGaussian();
        }
        Map<String, OnnxTensor> feeds = Map.of("input",
                OnnxTensor.createTensor(OrtRoundTripTest.env(), FloatBuffer.wrap(input), new long[] {1, 3, 16, 16}));
        try (OrtSession withFunctions = OrtRoundTripTest.env().createSession(original, OrtRoundTripTest.options());
             OrtSession withoutFunctions = OrtRoundTripTest.env().createSession(OnnxWriter.toBytes(inlined),
                     OrtRoundTripTest.options())) {
            double[] expected = OrtRoundTripTest.run(withFunctions, inlined, feeds).getFirst();
            double[] actual = OrtRoundTripTest.run(withoutFunctions, inlined, feeds).getFirst();
            assertTrue(expected.length == 8 * 4 * 4 && java.util.Arrays.stream(expected).anyMatch(v -> v != 0),
                    "the model computes something");
            OrtRoundTripTest.assertClose(expected, actual, OrtRoundTripTest.SAME_RUNTIME_ATOL, 0, "inlined vs functions");
        } finally {
            OrtRoundTripTest.closeAll(feeds);
        }
    }
}
