// Small multi-op graphs run on the vector engine and on ONNX Runtime: plan, memory reuse, aliases and threads together.
package dev.condense.runtime.vector;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each graph chains kernels of several families so that values die and their memory is reused,
 * Reshape and Flatten alias, pooling takes scratch, and the threads split work. The vector engine
 * must agree with ONNX Runtime to {@link #RTOL}/{@link #ATOL} (the two sum and exponentiate in
 * different orders), with one thread and with three.
 */
class VectorVsOrtTest {

    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;

    private final Random random = new Random(71);

    /** A graph under construction: nodes, constants, one float input and one output. */
    private final class Builder {
        final List<Node> nodes = new ArrayList<>();
        final Map<String, Tensor> constants = new LinkedHashMap<>();
        int next;

        String node(String op, List<String> inputs, Map<String, Attribute> attrs) {
            String out = op.toLowerCase() + "_" + next++;
            nodes.add(Node.of("n" + next, op, inputs, List.of(out), attrs));
            return out;
        }

        String node(String op, String input, Object... attrs) {
            return node(op, List.of(input), KernelHarness.attrs(attrs));
        }

        String constant(long[] shape, float lo, float hi) {
            String name = "c" + next++;
            float[] v = new float[(int) Tensor.elementCount(shape)];
            for (int i = 0; i < v.length; i++) {
                v[i] = lo + (hi - lo) * random.nextFloat();
            }
            constants.put(name, Tensor.ofFloats(name, shape, v));
            return name;
        }

        String ints(long... values) {
            String name = "i" + next++;
            constants.put(name, Tensor.vector(name, values));
            return name;
        }

        Model model(long[] inputShape, String output, int opset) {
            Graph g = new Graph("g", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(inputShape))),
                    List.of(ValueInfo.unknownShape(output, DataType.FLOAT)), constants, Map.of());
            return Model.of(g, opset);
        }
    }

    @Test
    void preActivationBlock() throws Exception {
        Builder b = new Builder();
        long c = 8;
        String bn = b.node("BatchNormalization", List.of("x", b.constant(new long[] {c}, 0.5f, 2),
                b.constant(new long[] {c}, -1, 1), b.constant(new long[] {c}, -1, 1),
                b.constant(new long[] {c}, 0.5f, 2)), Map.of());
        String relu = b.node("Relu", bn);
        String pool = b.node("MaxPool", relu, "kernel_shape", new long[] {3, 3}, "strides", new long[] {2, 2},
                "pads", new long[] {1, 1, 1, 1});
        String avg = b.node("AveragePool", pool, "kernel_shape", new long[] {2, 3}, "pads", new long[] {0, 1, 1, 1});
        String lrn = b.node("LRN", avg, "size", 3);
        String prelu = b.node("PRelu", List.of(lrn, b.constant(new long[] {c, 1, 1}, 0, 0.3f)), Map.of());
        compare(b.model(new long[] {2, c, 29, 33}, prelu, 13), new long[] {2, c, 29, 33});
    }

    @Test
    void squeezeExcitationSplitAndConcat() throws Exception {
        Builder b = new Builder();
        String gate = b.node("Sigmoid", b.node("GlobalAveragePool", "x"));
        String scaled = b.node("Mul", List.of("x", gate), Map.of());
        b.nodes.add(Node.of("split", "Split", List.of(scaled, b.ints(6, 10)), List.of("left", "right"),
                KernelHarness.attrs("axis", 1)));
        String l = b.node("HardSwish", "left");
        String r = b.node("LeakyRelu", "right", "alpha", 0.2f);
        String cat = b.node("Concat", List.of(r, l, "x"), KernelHarness.attrs("axis", 1));
        String t = b.node("Transpose", cat, "perm", new long[] {0, 2, 3, 1});
        String flat = b.node("Reshape", List.of(t, b.ints(1, -1, 32)), Map.of());
        String soft = b.node("Softmax", flat, "axis", -1);
        compare(b.model(new long[] {1, 16, 9, 11}, soft, 14), new long[] {1, 16, 9, 11});
    }

    @Test
    void normalizationHead() throws Exception {
        Builder b = new Builder();
        String padded = b.node("Pad", List.of("x", b.ints(0, 0, 1, 2, 0, 0, 2, 1)), KernelHarness.attrs("mode",
                "reflect"));
        String inorm = b.node("InstanceNormalization", List.of(padded, b.constant(new long[] {5}, 0.5f, 2),
                b.constant(new long[] {5}, -1, 1)), Map.of());
        String sliced = b.node("Slice", List.of(inorm, b.ints(1, 0), b.ints(-1, 100), b.ints(2, 3), b.ints(1, 2)),
                Map.of());
        String mean = b.node("ReduceMean", sliced, "axes", new long[] {2, 3}, "keepdims", 0);
        String flat = b.node("Flatten", b.node("Unsqueeze", List.of(mean, b.ints(2)), Map.of()));
        String centred = b.node("Sub", List.of(flat, b.constant(new long[] {5}, -1, 1)), Map.of());
        String squared = b.node("Pow", List.of(centred, b.constant(new long[] {}, 2, 2)), Map.of());
        String root = b.node("Sqrt", b.node("Add", List.of(squared, b.constant(new long[] {1, 1}, 1, 1)), Map.of()));
        String clipped = b.node("Clip", List.of(root, b.constant(new long[] {}, 0, 0), b.constant(new long[] {}, 1.2f,
                1.2f)), Map.of());
        String mx = b.node("Max", List.of(clipped, flat, b.constant(new long[] {5}, 0, 1)), Map.of());
        compare(b.model(new long[] {3, 5, 12, 10}, mx, 13), new long[] {3, 5, 12, 10});
    }

    private void compare(Model model, long[] inputShape) throws Exception {
        float[] x = new float[(int) Tensor.elementCount(inputShape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * 2;
        }
        Map<String, Tensor> feeds = Map.of("x", Tensor.ofFloats("x", inputShape, x));
        float[] expected;
        long[] shape;
        try (Session ort = Session.open(model, SessionOptions.of(Backend.ORT_CPU).withThreads(1));
             Result r = ort.run(feeds)) {
            expected = r.first().toFloatArray();
            shape = r.first().dims();
        }
        for (int threads : new int[] {1, 3}) {
            try (Session vector = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(threads))) {
                for (int run = 0; run < 2; run++) {
                    try (Result r = vector.run(feeds)) {
                        assertArrayEquals(shape, r.first().dims(), "output shape");
                        float[] actual = r.first().toFloatArray();
                        for (int i = 0; i < expected.length; i++) {
                            double e = expected[i];
                            assertTrue(Math.abs(actual[i] - e) <= ATOL + RTOL * Math.abs(e), "element " + i + " of "
                                    + Arrays.toString(shape) + " is " + actual[i] + ", ONNX Runtime gives " + e
                                    + " (" + threads + " threads, run " + run + ")");
                        }
                    }
                }
            }
        }
    }
}
