// The model the demo runs on: classic LeNet-5 (LeCun 1998, 6-16-120-84-10, tanh, average pooling) with seeded weights.
package dev.condense.cli;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Built in code so the demo needs no file; the model zoo (issue 3) supersedes it with builders for
 * every family, and trained weights (issue 6) replace the seeded ones.
 */
final class DemoModel {

    private static final long SEED = 5;

    private DemoModel() {
    }

    /** Input {@code input: float32[N, 1, 28, 28]}, output {@code logits: float32[N, 10]}, opset 13. */
    static Model lenet5() {
        SplittableRandom rng = new SplittableRandom(SEED);
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        String x = "input";
        x = conv(nodes, weights, rng, "conv1", x, 1, 6, 2);
        x = unary(nodes, "Tanh", "tanh1", x);
        x = avgPool(nodes, "pool1", x);
        x = conv(nodes, weights, rng, "conv2", x, 6, 16, 0);
        x = unary(nodes, "Tanh", "tanh2", x);
        x = avgPool(nodes, "pool2", x);
        nodes.add(Node.of("flatten", "Flatten", List.of(x), List.of("flatten"), Map.of("axis", Attribute.of(1L))));
        x = fc(nodes, weights, rng, "fc1", "flatten", 16 * 5 * 5, 120);
        x = unary(nodes, "Tanh", "tanh3", x);
        x = fc(nodes, weights, rng, "fc2", x, 120, 84);
        x = unary(nodes, "Tanh", "tanh4", x);
        x = fc(nodes, weights, rng, "fc3", x, 84, 10);
        nodes.add(Node.of("logits", "Identity", List.of(x), List.of("logits")));
        List<Dim> inputDims = List.of(Dim.symbol("N"), Dim.of(1), Dim.of(28), Dim.of(28));
        Graph graph = new Graph("lenet5", nodes,
                List.of(ValueInfo.of("input", DataType.FLOAT, inputDims)),
                List.of(ValueInfo.of("logits", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(10)))),
                weights, Map.of());
        return Model.of(graph, 13);
    }

    private static String conv(List<Node> nodes, Map<String, Tensor> weights, SplittableRandom rng, String name,
                               String in, int cin, int cout, int pad) {
        long[] wDims = {cout, cin, 5, 5};
        weights.put(name + ".weight", glorot(name + ".weight", wDims, cin * 25, cout * 25, rng));
        weights.put(name + ".bias", Tensor.ofFloats(name + ".bias", new long[] {cout}, new float[cout]));
        nodes.add(Node.of(name, "Conv", List.of(in, name + ".weight", name + ".bias"), List.of(name), Map.of(
                "kernel_shape", Attribute.ints(5, 5),
                "pads", Attribute.ints(pad, pad, pad, pad),
                "strides", Attribute.ints(1, 1))));
        return name;
    }

    private static String fc(List<Node> nodes, Map<String, Tensor> weights, SplittableRandom rng, String name,
                             String in, int fanIn, int fanOut) {
        weights.put(name + ".weight", glorot(name + ".weight", new long[] {fanOut, fanIn}, fanIn, fanOut, rng));
        weights.put(name + ".bias", Tensor.ofFloats(name + ".bias", new long[] {fanOut}, new float[fanOut]));
        nodes.add(Node.of(name, "Gemm", List.of(in, name + ".weight", name + ".bias"), List.of(name),
                Map.of("transB", Attribute.of(1L))));
        return name;
    }

    private static String avgPool(List<Node> nodes, String name, String in) {
        nodes.add(Node.of(name, "AveragePool", List.of(in), List.of(name), Map.of(
                "kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2))));
        return name;
    }

    private static String unary(List<Node> nodes, String op, String name, String in) {
        nodes.add(Node.of(name, op, List.of(in), List.of(name)));
        return name;
    }

    /** Glorot-uniform weights, which suit tanh. */
    private static Tensor glorot(String name, long[] dims, int fanIn, int fanOut, SplittableRandom rng) {
        int n = Math.toIntExact(Tensor.elementCount(dims));
        float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-limit, limit);
        }
        return Tensor.ofFloats(name, dims, v);
    }
}
