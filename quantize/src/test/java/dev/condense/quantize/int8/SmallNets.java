// A small convolutional net built in code for the quantization tests: Conv, ReLU, MaxPool, Flatten, Gemm.
package dev.condense.quantize.int8;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

final class SmallNets {

    private SmallNets() {
    }

    static float[] gaussian(int n, long seed, float std) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * std;
        }
        return v;
    }

    /** x[N,1,8,8] → Conv 3x3 (4 ch) → ReLU → MaxPool 2 → Flatten → Gemm (transB) → logits[N,10]. */
    static Model convNet(int opset) {
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w1", Tensor.ofFloats("w1", new long[] {4, 1, 3, 3}, gaussian(36, 1, 0.5f)));
        init.put("b1", Tensor.ofFloats("b1", new long[] {4}, gaussian(4, 2, 0.1f)));
        init.put("w2", Tensor.ofFloats("w2", new long[] {10, 36}, gaussian(360, 3, 0.2f)));
        init.put("b2", Tensor.ofFloats("b2", new long[] {10}, gaussian(10, 4, 0.1f)));
        List<Node> nodes = List.of(
                Node.of("conv1", "Conv", List.of("x", "w1", "b1"), List.of("c1"),
                        Map.of("kernel_shape", new Attribute.Ints(new long[] {3, 3}))),
                Node.of("relu1", "Relu", List.of("c1"), List.of("r1")),
                Node.of("pool1", "MaxPool", List.of("r1"), List.of("p1"),
                        Map.of("kernel_shape", new Attribute.Ints(new long[] {2, 2}),
                                "strides", new Attribute.Ints(new long[] {2, 2}))),
                Node.of("flat", "Flatten", List.of("p1"), List.of("f1")),
                Node.of("fc", "Gemm", List.of("f1", "w2", "b2"), List.of("logits"),
                        Map.of("transB", new Attribute.IntValue(1))));
        ValueInfo x = ValueInfo.of("x", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(1), Dim.of(8), Dim.of(8)));
        ValueInfo y = ValueInfo.of("logits", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(10)));
        return Model.of(new Graph("small", nodes, List.of(x), List.of(y), init, Map.of()), opset);
    }
}
