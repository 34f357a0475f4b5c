// Builds small seeded graphs (convolutions, BatchNorm, pooling, fully connected layers) for the pruning tests.
package dev.condense.prune;

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

/** A graph under construction: add nodes and seeded initializers, then {@link #model}. */
final class TestNets {

    static final int OPSET = 13;

    private final SplittableRandom rng;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Tensor> initializers = new LinkedHashMap<>();
    private final List<ValueInfo> inputs = new ArrayList<>();

    TestNets(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    static float[] gaussian(SplittableRandom rng, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller keeps the draw reproducible from the seed alone.
            double u = 1 - rng.nextDouble();
            double w = rng.nextDouble();
            v[i] = (float) (std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w));
        }
        return v;
    }

    TestNets input(String name, List<Dim> dims) {
        inputs.add(ValueInfo.of(name, DataType.FLOAT, dims));
        return this;
    }

    Tensor weight(String name, long... dims) {
        Tensor t = Tensor.ofFloats(name, dims, gaussian(rng, Math.toIntExact(Tensor.elementCount(dims)), 0.5));
        initializers.put(name, t);
        return t;
    }

    void initializer(Tensor t) {
        initializers.put(t.name(), t);
    }

    /** Conv with a seeded weight [out, in, k, k] and bias, stride 1, padding k / 2. */
    String conv(String name, String x, int in, int out, int k) {
        weight(name + ".w", out, in, k, k);
        weight(name + ".b", out);
        nodes.add(Node.of(name, "Conv", List.of(x, name + ".w", name + ".b"), List.of(name + ".y"),
                Map.of("pads", Attribute.ints(k / 2, k / 2, k / 2, k / 2), "kernel_shape", Attribute.ints(k, k))));
        return name + ".y";
    }

    /** Inference BatchNormalization with seeded scale, shift, mean and a positive variance. */
    String batchNorm(String name, String x, int channels) {
        weight(name + ".scale", channels);
        weight(name + ".bias", channels);
        weight(name + ".mean", channels);
        float[] var = new float[channels];
        for (int c = 0; c < channels; c++) {
            var[c] = (float) (0.5 + rng.nextDouble());
        }
        initializer(Tensor.ofFloats(name + ".var", new long[] {channels}, var));
        nodes.add(Node.of(name, "BatchNormalization",
                List.of(x, name + ".scale", name + ".bias", name + ".mean", name + ".var"), List.of(name + ".y"),
                Map.of("epsilon", Attribute.of(1e-5f))));
        return name + ".y";
    }

    String unary(String name, String op, String x) {
        nodes.add(Node.of(name, op, List.of(x), List.of(name + ".y")));
        return name + ".y";
    }

    String maxPool(String name, String x) {
        nodes.add(Node.of(name, "MaxPool", List.of(x), List.of(name + ".y"),
                Map.of("kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2))));
        return name + ".y";
    }

    String flatten(String name, String x) {
        nodes.add(Node.of(name, "Flatten", List.of(x), List.of(name + ".y")));
        return name + ".y";
    }

    /** Gemm as PyTorch's Linear exports it: weight [out, in], transB = 1, bias [out]. */
    String gemm(String name, String x, int in, int out) {
        weight(name + ".w", out, in);
        weight(name + ".b", out);
        nodes.add(Node.of(name, "Gemm", List.of(x, name + ".w", name + ".b"), List.of(name + ".y"),
                Map.of("transB", Attribute.of(1L))));
        return name + ".y";
    }

    /** MatMul with weight [in, out]. */
    String matMul(String name, String x, int in, int out) {
        weight(name + ".w", in, out);
        nodes.add(Node.of(name, "MatMul", List.of(x, name + ".w"), List.of(name + ".y")));
        return name + ".y";
    }

    void node(Node node) {
        nodes.add(node);
    }

    Model model(String... outputs) {
        List<ValueInfo> declared = new ArrayList<>();
        for (String o : outputs) {
            declared.add(ValueInfo.unknownShape(o, DataType.FLOAT));
        }
        return Model.of(new Graph("test", nodes, inputs, declared, initializers, Map.of()), OPSET);
    }
}
