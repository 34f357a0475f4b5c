// Builders for hand-made ONNX protos in tests: tiny models whose every field the test controls.
package dev.condense.onnx;

import com.google.protobuf.ByteString;
import dev.condense.onnx.proto.Onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

final class Protos {

    private Protos() {
    }

    static Onnx.ValueInfoProto floatInput(String name, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(
                        Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)))
                .build();
    }

    static Onnx.NodeProto node(String op, String[] inputs, String... outputs) {
        Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder().setOpType(op).setName(op.toLowerCase() + "_node");
        for (String i : inputs) {
            b.addInput(i);
        }
        for (String o : outputs) {
            b.addOutput(o);
        }
        return b.build();
    }

    static Onnx.TensorProto rawFloats(String name, long[] dims, float... values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    /** A model: y = Relu(x) at the given opset, with x: float[2, 3]. */
    static Onnx.ModelProto.Builder reluModel(int opset) {
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("g")
                .addInput(floatInput("x", 2, 3))
                .addOutput(floatInput("y", 2, 3))
                .addNode(node("Relu", new String[] {"x"}, "y"))
                .build();
        return model(graph, opset);
    }

    static Onnx.ModelProto.Builder model(Onnx.GraphProto graph, int opset) {
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("test")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph);
    }
}
