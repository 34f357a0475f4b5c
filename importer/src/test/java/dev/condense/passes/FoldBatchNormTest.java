// Checks BatchNorm folding numerically against a naive Conv/Gemm followed by BatchNorm, and where it must not fold.
package dev.condense.passes;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FoldBatchNormTest {

    private static final double TOLERANCE = 1e-5;
    private static final int OPSET = 13;
    private static final float EPSILON = 1e-3f;

    // x [1, 4, 5, 5], W [6, 2, 3, 3] (group 2), pads 1, stride 1 -> [1, 6, 5, 5]
    private static final int N = 1;
    private static final int C = 4;
    private static final int H = 5;
    private static final int W = 5;
    private static final int M = 6;
    private static final int GROUP = 2;
    private static final int K = 3;

    private static float[] random(Random rng, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        }
        return v;
    }

    /** Direct convolution, stride 1, zero padding {@code pad}, groups; bias may be null. */
    private static double[] conv(float[] x, float[] w, float[] bias, int pad) {
        int cPerGroup = C / GROUP;
        int mPerGroup = M / GROUP;
        double[] y = new double[N * M * H * W];
        for (int n = 0; n < N; n++) {
            for (int m = 0; m < M; m++) {
                int g = m / mPerGroup;
                for (int i = 0; i < H; i++) {
                    for (int j = 0; j < W; j++) {
                        double sum = bias == null ? 0 : bias[m];
                        for (int c = 0; c < cPerGroup; c++) {
                            for (int ki = 0; ki < K; ki++) {
                                for (int kj = 0; kj < K; kj++) {
                                    int si = i + ki - pad;
                                    int sj = j + kj - pad;
                                    if (si < 0 || sj < 0 || si >= H || sj >= W) {
                                        continue;
                                    }
                                    int ci = g * cPerGroup + c;
                                    sum += x[((n * C + ci) * H + si) * W + sj]
                                            * w[((m * cPerGroup + c) * K + ki) * K + kj];
                                }
                            }
                        }
                        y[((n * M + m) * H + i) * W + j] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** Inference BatchNorm over axis 1 of a [batch, channels, spatial] tensor. */
    private static double[] batchNorm(double[] x, int channels, int spatial, float[] gamma, float[] beta,
                                      float[] mean, float[] var) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / spatial) % channels;
            y[i] = gamma[c] * (x[i] - mean[c]) / Math.sqrt(var[c] + EPSILON) + beta[c];
        }
        return y;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private record BnCase(Graph graph, float[] x, double[] expected) {
    }

    private static BnCase convBn(long seed, boolean withBias) {
        Random rng = new Random(seed);
        float[] x = random(rng, N * C * H * W, -1, 1);
        float[] w = random(rng, M * (C / GROUP) * K * K, -0.5, 0.5);
        float[] b = random(rng, M, -0.2, 0.2);
        float[] gamma = random(rng, M, 0.5, 1.5);
        float[] beta = random(rng, M, -0.3, 0.3);
        float[] mean = random(rng, M, -0.2, 0.2);
        float[] var = random(rng, M, 0.1, 2.0);
        Map<String, Tensor> inits = new HashMap<>();
        inits.put("w", Tensor.ofFloats("w", new long[] {M, C / GROUP, K, K}, w));
        if (withBias) {
            inits.put("b", Tensor.ofFloats("b", new long[] {M}, b));
        }
        inits.put("gamma", Tensor.ofFloats("gamma", new long[] {M}, gamma));
        inits.put("beta", Tensor.ofFloats("beta", new long[] {M}, beta));
        inits.put("mean", Tensor.ofFloats("mean", new long[] {M}, mean));
        inits.put("var", Tensor.ofFloats("var", new long[] {M}, var));
        Map<String, Attribute> convAttrs = Map.of("group", Attribute.of((long) GROUP), "pads", Attribute.ints(1, 1, 1, 1),
                "kernel_shape", Attribute.ints(K, K));
        List<Node> nodes = List.of(
                Node.of("conv1", "Conv", withBias ? List.of("x", "w", "b") : List.of("x", "w"), List.of("c"), convAttrs),
                Node.of("bn1", "BatchNormalization", List.of("c", "gamma", "beta", "mean", "var"), List.of("y"),
                        Map.of("epsilon", Attribute.of(EPSILON))));
        Graph graph = new Graph("g", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(N, C, H, W))),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(N, M, H, W))), inits,
                Map.of("c", ValueInfo.of("c", DataType.FLOAT, Dim.fixed(N, M, H, W))));
        double[] expected = batchNorm(conv(x, w, withBias ? b : null, 1), M, H * W, gamma, beta, mean, var);
        return new BnCase(graph, x, expected);
    }

    private static Graph fold(Graph graph) throws ModelLoadException {
        return Passes.run(Model.of(graph, OPSET), List.of(new FoldBatchNorm())).graph();
    }

    @Test
    void convWithBiasFoldsToTheSameNumbers() throws ModelLoadException {
        BnCase c = convBn(42, true);
        Graph g = fold(c.graph());
        assertEquals(1, g.nodes().size());
        Node conv = g.nodes().getFirst();
        assertEquals("Conv", conv.opType());
        assertEquals(List.of("y"), conv.outputs());
        assertEquals(c.graph().nodes().getFirst().attributes(), conv.attributes());
        assertEquals(3, conv.inputs().size());
        // The old weight, bias and BN parameters are read by nothing now.
        assertEquals(List.of(conv.inputs().get(1), conv.inputs().get(2)).stream().sorted().toList(),
                g.initializers().keySet().stream().sorted().toList());
        assertFalse(g.valueInfo().containsKey("c"));
        double[] folded = conv(c.x(), g.initializer(conv.inputs().get(1)).orElseThrow().toFloatArray(),
                g.initializer(conv.inputs().get(2)).orElseThrow().toFloatArray(), 1);
        assertTrue(maxAbsDiff(c.expected(), folded) < TOLERANCE, "max abs diff " + maxAbsDiff(c.expected(), folded));
    }

    @Test
    void convWithoutBiasGetsOne() throws ModelLoadException {
        BnCase c = convBn(7, false);
        Graph g = fold(c.graph());
        Node conv = g.nodes().getFirst();
        assertEquals(1, g.nodes().size());
        assertEquals(3, conv.inputs().size());
        double[] folded = conv(c.x(), g.initializer(conv.inputs().get(1)).orElseThrow().toFloatArray(),
                g.initializer(conv.inputs().get(2)).orElseThrow().toFloatArray(), 1);
        assertTrue(maxAbsDiff(c.expected(), folded) < TOLERANCE, "max abs diff " + maxAbsDiff(c.expected(), folded));
    }

    @Test
    void newInitializerNamesAvoidExistingValues() throws ModelLoadException {
        BnCase c = convBn(3, true);
        Map<String, Tensor> inits = new HashMap<>(c.graph().initializers());
        List<Node> nodes = new ArrayList<>(c.graph().nodes());
        // A value already called like the folded weight, read by a second output.
        nodes.add(Node.of("taken", "Relu", List.of("x"), List.of("w_bn_folded")));
        List<ValueInfo> outputs = new ArrayList<>(c.graph().outputs());
        outputs.add(ValueInfo.unknownShape("w_bn_folded", DataType.FLOAT));
        Graph graph = new Graph("g", nodes, c.graph().inputs(), outputs, inits, c.graph().valueInfo());
        Graph g = fold(graph);
        Node conv = g.nodes().stream().filter(n -> n.opType().equals("Conv")).findFirst().orElseThrow();
        assertEquals("w_bn_folded_1", conv.inputs().get(1));
        assertEquals("conv1_bias_bn_folded", conv.inputs().get(2));
    }

    @Test
    void convOutputReadElsewhereOrNonConstantParametersAreLeftAlone() throws ModelLoadException {
        BnCase c = convBn(5, true);
        List<Node> nodes = new ArrayList<>(c.graph().nodes());
        nodes.add(Node.of("peek", "Relu", List.of("c"), List.of("p")));
        List<ValueInfo> outputs = List.of(c.graph().outputs().getFirst(), ValueInfo.unknownShape("p", DataType.FLOAT));
        Model shared = Model.of(new Graph("g", nodes, c.graph().inputs(), outputs, c.graph().initializers(),
                Map.of()), OPSET);
        assertSame(shared, new FoldBatchNorm().apply(shared));

        Map<String, Tensor> inits = new HashMap<>(c.graph().initializers());
        inits.remove("mean");
        List<ValueInfo> inputs = List.of(c.graph().inputs().getFirst(), ValueInfo.of("mean", DataType.FLOAT, Dim.fixed(M)));
        Model fedMean = Model.of(new Graph("g", c.graph().nodes(), inputs, c.graph().outputs(), inits, Map.of()), OPSET);
        assertSame(fedMean, new FoldBatchNorm().apply(fedMean));

        Node trainingBn = c.graph().nodes().get(1).withAttributes(Map.of("training_mode", Attribute.of(1L)));
        Model training = Model.of(c.graph().withNodes(List.of(c.graph().nodes().get(0), trainingBn)), 14);
        assertSame(training, new FoldBatchNorm().apply(training));
    }

    /** Y = alpha * A * op(B) + beta * C for A [rows, k]; B [n, k] when transB, else [k, n]. */
    private static double[] gemm(float[] a, float[] b, float[] c, int rows, int k, int n, boolean transB,
                                 float alpha, float beta) {
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    sum += a[r * k + i] * (transB ? b[j * k + i] : b[i * n + j]);
                }
                y[r * n + j] = alpha * sum + (c == null ? 0 : beta * c[c.length == 1 ? 0 : j]);
            }
        }
        return y;
    }

    @Test
    void gemmFoldsPerOutputColumnWithAndWithoutTransB() throws ModelLoadException {
        int rows = 3;
        int k = 5;
        int n = 4;
        for (boolean transB : new boolean[] {true, false}) {
            Random rng = new Random(transB ? 11 : 12);
            float[] a = random(rng, rows * k, -1, 1);
            float[] b = random(rng, n * k, -1, 1);
            float[] bias = random(rng, n, -1, 1);
            float[] gamma = random(rng, n, 0.5, 1.5);
            float[] beta = random(rng, n, -0.3, 0.3);
            float[] mean = random(rng, n, -0.2, 0.2);
            float[] var = random(rng, n, 0.1, 2.0);
            float alpha = 0.7f;
            float gemmBeta = 1.3f;
            Map<String, Tensor> inits = Map.of(
                    "B", Tensor.ofFloats("B", transB ? new long[] {n, k} : new long[] {k, n}, b),
                    "C", Tensor.ofFloats("C", new long[] {1, n}, bias),
                    "gamma", Tensor.ofFloats("gamma", new long[] {n}, gamma),
                    "beta", Tensor.ofFloats("beta", new long[] {n}, beta),
                    "mean", Tensor.ofFloats("mean", new long[] {n}, mean),
                    "var", Tensor.ofFloats("var", new long[] {n}, var));
            List<Node> nodes = List.of(
                    Node.of("fc", "Gemm", List.of("a", "B", "C"), List.of("h"), Map.of("transB",
                            Attribute.of(transB ? 1L : 0L), "alpha", Attribute.of(alpha), "beta", Attribute.of(gemmBeta))),
                    Node.of("bn", "BatchNormalization", List.of("h", "gamma", "beta", "mean", "var"), List.of("y"),
                            Map.of("epsilon", Attribute.of(EPSILON))));
            Graph graph = new Graph("g", nodes, List.of(ValueInfo.of("a", DataType.FLOAT, Dim.fixed(rows, k))),
                    List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(rows, n))), inits, Map.of());
            Graph g = fold(graph);
            assertEquals(1, g.nodes().size());
            Node fc = g.nodes().getFirst();
            assertEquals(List.of("y"), fc.outputs());
            assertEquals(Attribute.of(1f), fc.attributes().get("beta"));
            double[] expected = batchNorm(gemm(a, b, bias, rows, k, n, transB, alpha, gemmBeta), n, 1, gamma, beta,
                    mean, var);
            double[] folded = gemm(a, g.initializer(fc.inputs().get(1)).orElseThrow().toFloatArray(),
                    g.initializer(fc.inputs().get(2)).orElseThrow().toFloatArray(), rows, k, n, transB, alpha, 1f);
            assertTrue(maxAbsDiff(expected, folded) < TOLERANCE, "transB " + transB + ": max abs diff "
                    + maxAbsDiff(expected, folded));
        }
    }
}
