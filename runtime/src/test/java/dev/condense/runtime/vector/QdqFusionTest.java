// QDQ convolutions and matrix products run as one int8 kernel agree with the float QDQ semantics and with the plain twin.
package dev.condense.runtime.vector;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import dev.condense.runtime.Backend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each case builds {@code x -> QuantizeLinear -> DequantizeLinear -> Conv|Gemm|MatMul (weights
 * DequantizeLinear(int8), bias DequantizeLinear(int32)) -> [Relu] -> QuantizeLinear -> DequantizeLinear}
 * and checks that the plan fused it (fewer kernels than nodes) and that every output is within
 * {@link #STEPS} quantization steps of the same graph computed in double from its definition.
 */
class QdqFusionTest {

    /** Output quantization steps the int8 path may differ from the float semantics by: one rounding. */
    static final double STEPS = 1.0;

    /** One random QDQ layer. */
    record Layer(String op, int batch, int channels, int size, int outChannels, int kernel, int stride, int pad,
                 int dilation, int group, boolean perChannel, DataType xType, boolean relu, boolean quantizedOutput,
                 boolean transB) {
    }

    @Test
    void fusedConvolutionsAgreeWithFloatSemantics() throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 40; trial++) {
            int group = rng.nextInt(4) == 0 ? 2 : 1;
            int kernel = rng.nextBoolean() ? 3 : 1 + 2 * rng.nextInt(2);
            Layer l = new Layer("Conv", 1 + rng.nextInt(2), group * (1 + rng.nextInt(9)), 3 + rng.nextInt(12),
                    group * (1 + rng.nextInt(13)), kernel, 1 + rng.nextInt(2), rng.nextInt(kernel / 2 + 1),
                    rng.nextInt(5) == 0 ? 2 : 1, group, rng.nextBoolean(), rng.nextBoolean() ? DataType.UINT8 : DataType.INT8,
                    rng.nextBoolean(), rng.nextInt(4) != 0, false);
            if ((l.size() + 2 * l.pad() - (l.kernel() - 1) * l.dilation() - 1) < 0) {
                continue;
            }
            check(l, rng);
        }
    }

    @Test
    void fusedMatrixProductsAgreeWithFloatSemantics() throws Exception {
        SplittableRandom rng = new SplittableRandom(12);
        for (int trial = 0; trial < 30; trial++) {
            String op = rng.nextBoolean() ? "Gemm" : "MatMul";
            // batch 1 to 4 runs the rows layout, more the pairs layout
            int batch = rng.nextBoolean() ? 1 + rng.nextInt(4) : 5 + rng.nextInt(40);
            Layer l = new Layer(op, batch, 1 + rng.nextInt(300), 0, 1 + rng.nextInt(40), 0, 0, 0, 0, 1,
                    rng.nextBoolean(), rng.nextBoolean() ? DataType.UINT8 : DataType.INT8, rng.nextBoolean(),
                    rng.nextInt(4) != 0, op.equals("Gemm") && rng.nextBoolean());
            check(l, rng);
        }
    }

    private static void check(Layer l, SplittableRandom rng) throws Exception {
        QdqCase c = QdqCase.build(l, rng);
        try (VectorEngine engine = VectorEngine.open(c.model, SessionOptions.of(Backend.VECTOR).withThreads(2))) {
            Map<String, Tensor> feeds = Map.of("x", Tensor.ofFloats("x", c.xShape, c.x));
            // An Identity before the graph output may or may not survive the importer's passes: not the point here.
            List<String> ops = engine.kernelOps(feeds).stream().filter(op -> !op.equals("Identity")).toList();
            String fused = l.op().equals("Conv") ? "QLinearConv" : "QLinearMatMul";
            if (winogradShape(l, c)) {
                // Left to the float Winograd kernel, weights dequantized when the plan is built.
                // The output's QuantizeLinear/DequantizeLinear pair runs inside the convolution's epilogue.
                assertEquals(List.of("QuantizeLinear", "Conv"), ops, l.toString());
            } else {
                assertEquals(List.of("QuantizeLinear", fused, l.quantizedOutput() ? "DequantizeLinear" : fused).subList(0, l.quantizedOutput() ? 3 : 2), ops,
                        l.toString());
            }
            float[] got = engine.run(feeds).get("y").toFloatArray();
            float[] expected = c.expected();
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertTrue(Math.abs(got[i] - expected[i]) <= STEPS * c.yScale * 1.0001,
                        l + ": output " + i + " is " + got[i] + ", the float QDQ semantics give " + expected[i]
                                + " (step " + c.yScale + ")");
            }
        }
    }

    /** The plan compiler's rule for convolutions it leaves to float Winograd (PlanCompiler.winogradShape). */
    private static boolean winogradShape(Layer l, QdqCase c) {
        return l.op().equals("Conv") && l.kernel() == 3 && l.stride() == 1 && l.dilation() == 1 && l.group() == 1
                && l.channels() >= 16 && l.outChannels() >= 16 && c.yShape[2] >= 6 && c.yShape[3] >= 6
                && !PlanCompiler.INT8_WINOGRAD_LAYERS;
    }

    @Test
    void winogradShapedConvolutionsRunInFloatWithTheSameSemantics() throws Exception {
        SplittableRandom rng = new SplittableRandom(13);
        for (int trial = 0; trial < 4; trial++) {
            check(new Layer("Conv", 1, 16 + rng.nextInt(8), 6 + rng.nextInt(6), 16 + rng.nextInt(8), 3, 1, 1, 1, 1,
                    rng.nextBoolean(), rng.nextBoolean() ? DataType.UINT8 : DataType.INT8, rng.nextBoolean(), true, false), rng);
        }
    }

    /** A QDQ graph of one layer with its values, and the definition computed in double. */
    static final class QdqCase {
        Model model;
        long[] xShape;
        float[] x;
        float xScale;
        int xZero;
        int[] w;
        long[] wShape;
        float[] wScale;
        int[] bias;
        float yScale;
        int yZero;
        Layer layer;
        long[] yShape;

        static QdqCase build(Layer l, SplittableRandom rng) {
            QdqCase c = new QdqCase();
            c.layer = l;
            boolean conv = l.op().equals("Conv");
            int k = conv ? l.channels() / l.group() * l.kernel() * l.kernel() : l.channels();
            int n = l.outChannels();
            c.xShape = conv ? new long[] {l.batch(), l.channels(), l.size(), l.size()} : new long[] {l.batch(), k};
            c.x = new float[(int) Tensor.elementCount(c.xShape)];
            for (int i = 0; i < c.x.length; i++) {
                c.x[i] = (float) (rng.nextDouble() * 4 - 1.5);
            }
            c.xScale = 4f / 255;
            c.xZero = l.xType() == DataType.UINT8 ? 90 + rng.nextInt(20) : -40 + rng.nextInt(20);
            c.wShape = conv ? new long[] {n, l.channels() / l.group(), l.kernel(), l.kernel()}
                    : new long[] {k, n};
            if (l.op().equals("Gemm") && l.transB()) {
                c.wShape = new long[] {n, k};
            }
            c.w = new int[(int) Tensor.elementCount(c.wShape)];
            for (int i = 0; i < c.w.length; i++) {
                c.w[i] = rng.nextInt(255) - 127;
            }
            c.wScale = new float[l.perChannel() ? n : 1];
            for (int i = 0; i < c.wScale.length; i++) {
                c.wScale[i] = (float) (0.002 + rng.nextDouble() * 0.01);
            }
            c.bias = new int[n];
            for (int i = 0; i < n; i++) {
                c.bias[i] = rng.nextInt(2001) - 1000;
            }
            c.yScale = (float) (0.05 + rng.nextDouble() * 0.2);
            c.yZero = rng.nextInt(60) + 60;
            boolean hasBias = !l.op().equals("MatMul");
            Map<String, Tensor> init = new LinkedHashMap<>();
            init.put("sx", Tensor.ofFloats("sx", new long[0], c.xScale));
            init.put("zx", Tensor.fromLongs("zx", l.xType(), new long[0], new long[] {c.xZero}));
            init.put("wq", Tensor.fromLongs("wq", DataType.INT8, c.wShape, toLongs(c.w)));
            init.put("sw", Tensor.ofFloats("sw", l.perChannel() ? new long[] {n} : new long[0], c.wScale));
            init.put("zw", Tensor.fromLongs("zw", DataType.INT8, l.perChannel() ? new long[] {n} : new long[0],
                    new long[l.perChannel() ? n : 1]));
            float[] sb = new float[c.wScale.length];
            for (int i = 0; i < sb.length; i++) {
                sb[i] = c.xScale * c.wScale[i];
            }
            init.put("bq", Tensor.fromLongs("bq", DataType.INT32, new long[] {n}, toLongs(c.bias)));
            init.put("sb", Tensor.ofFloats("sb", l.perChannel() ? new long[] {n} : new long[0], sb));
            init.put("sy", Tensor.ofFloats("sy", new long[0], c.yScale));
            init.put("zy", Tensor.fromLongs("zy", DataType.UINT8, new long[0], new long[] {c.yZero}));
            List<Node> nodes = new ArrayList<>();
            nodes.add(Node.of("qx", "QuantizeLinear", List.of("x", "sx", "zx"), List.of("xq")));
            nodes.add(Node.of("dqx", "DequantizeLinear", List.of("xq", "sx", "zx"), List.of("xd")));
            int wAxis = conv || l.op().equals("Gemm") && l.transB() ? 0 : 1;
            nodes.add(Node.of("dqw", "DequantizeLinear", List.of("wq", "sw", "zw"), List.of("wd"),
                    Map.of("axis", Attribute.of(wAxis))));
            if (hasBias) {
                nodes.add(Node.of("dqb", "DequantizeLinear", List.of("bq", "sb"), List.of("bd"),
                        Map.of("axis", Attribute.of(0))));
            }
            List<String> ins = hasBias ? List.of("xd", "wd", "bd") : List.of("xd", "wd");
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            if (conv) {
                int p = l.pad();
                attrs.put("kernel_shape", Attribute.ints(l.kernel(), l.kernel()));
                attrs.put("strides", Attribute.ints(l.stride(), l.stride()));
                attrs.put("pads", Attribute.ints(p, p, p, p));
                attrs.put("dilations", Attribute.ints(l.dilation(), l.dilation()));
                attrs.put("group", Attribute.of(l.group()));
            } else if (l.op().equals("Gemm")) {
                attrs.put("transB", Attribute.of(l.transB() ? 1 : 0));
            }
            nodes.add(Node.of("layer", l.op(), ins, List.of("z"), attrs));
            String last = "z";
            if (l.relu()) {
                nodes.add(Node.of("relu", "Relu", List.of("z"), List.of("r")));
                last = "r";
            }
            if (l.quantizedOutput()) {
                nodes.add(Node.of("qy", "QuantizeLinear", List.of(last, "sy", "zy"), List.of("yq")));
                nodes.add(Node.of("dqy", "DequantizeLinear", List.of("yq", "sy", "zy"), List.of("y")));
            } else {
                nodes.add(Node.of("out", "Identity", List.of(last), List.of("y")));
            }
            if (conv) {
                int out = (l.size() + 2 * l.pad() - (l.kernel() - 1) * l.dilation() - 1) / l.stride() + 1;
                c.yShape = new long[] {l.batch(), n, out, out};
            } else {
                c.yShape = new long[] {l.batch(), n};
            }
            Graph g = new Graph("qdq", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(c.xShape))),
                    List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(c.yShape))), init, Map.of());
            c.model = Model.of(g, 13);
            return c;
        }

        private static long[] toLongs(int[] v) {
            long[] r = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = v[i];
            }
            return r;
        }

        /** The graph from its definition: quantize x, dequantize everything, compute in double, quantize y. */
        float[] expected() {
            Layer l = layer;
            float lo = l.xType() == DataType.UINT8 ? 0 : -128;
            float hi = l.xType() == DataType.UINT8 ? 255 : 127;
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double q = Math.min(hi, Math.max(lo, Math.rint(x[i] / xScale) + xZero));
                xd[i] = (q - xZero) * xScale;
            }
            int n = l.outChannels();
            int total = (int) Tensor.elementCount(yShape);
            float[] y = new float[total];
            boolean conv = l.op().equals("Conv");
            for (int i = 0; i < total; i++) {
                int ch;
                double acc;
                if (conv) {
                    int out = (int) yShape[2];
                    int pix = i % (out * out);
                    ch = (i / (out * out)) % n;
                    int b = i / (out * out * n);
                    int oh = pix / out;
                    int ow = pix % out;
                    int cg = l.channels() / l.group();
                    int gi = ch / (n / l.group());
                    acc = 0;
                    for (int c = 0; c < cg; c++) {
                        for (int kh = 0; kh < l.kernel(); kh++) {
                            for (int kw = 0; kw < l.kernel(); kw++) {
                                int ih = oh * l.stride() - l.pad() + kh * l.dilation();
                                int iw = ow * l.stride() - l.pad() + kw * l.dilation();
                                if (ih < 0 || iw < 0 || ih >= l.size() || iw >= l.size()) {
                                    continue;
                                }
                                double xv = xd[((b * l.channels() + gi * cg + c) * l.size() + ih) * l.size() + iw];
                                double wv = w[((ch * cg + c) * l.kernel() + kh) * l.kernel() + kw]
                                        * (double) wScale[l.perChannel() ? ch : 0];
                                acc += xv * wv;
                            }
                        }
                    }
                } else {
                    int k = l.channels();
                    ch = i % n;
                    int row = i / n;
                    acc = 0;
                    for (int p = 0; p < k; p++) {
                        int wi = l.op().equals("Gemm") && l.transB() ? ch * k + p : p * n + ch;
                        acc += xd[row * k + p] * w[wi] * (double) wScale[l.perChannel() ? ch : 0];
                    }
                }
                if (!l.op().equals("MatMul")) {
                    acc += bias[ch] * (double) (xScale * wScale[l.perChannel() ? ch : 0]);
                }
                if (l.relu()) {
                    acc = Math.max(0, acc);
                }
                if (l.quantizedOutput()) {
                    double q = Math.min(255, Math.max(0, Math.rint(acc / yScale) + yZero));
                    acc = (q - yZero) * yScale;
                }
                y[i] = (float) acc;
            }
            return y;
        }
    }

    @Test
    void quantizedKernelAgreesExactlyWithItsPlainTwin() throws Exception {
        // The same QLinearConv with constant parameters (packed int8 path) and with x_scale fed at run time (the twin).
        SplittableRandom rng = new SplittableRandom(21);
        for (int trial = 0; trial < 12; trial++) {
            int c = 1 + rng.nextInt(20);
            int m = 1 + rng.nextInt(20);
            int size = 4 + rng.nextInt(10);
            int kernel = 1 + 2 * rng.nextInt(2);
            int stride = 1 + rng.nextInt(2);
            boolean signed = rng.nextBoolean();
            DataType xt = signed ? DataType.INT8 : DataType.UINT8;
            long[] xShape = {1, c, size, size};
            long[] xv = new long[c * size * size];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = signed ? rng.nextInt(256) - 128 : rng.nextInt(256);
            }
            long[] wv = new long[m * c * kernel * kernel];
            for (int i = 0; i < wv.length; i++) {
                wv[i] = rng.nextInt(256) - 128;
            }
            float[] sw = new float[m];
            long[] zw = new long[m];
            for (int i = 0; i < m; i++) {
                sw[i] = (float) (0.001 + rng.nextDouble() * 0.01);
            }
            long[] bias = new long[m];
            for (int i = 0; i < m; i++) {
                bias[i] = rng.nextInt(20001) - 10000;
            }
            int out = (size + 2 * (kernel / 2) - kernel) / stride + 1;
            float[][] results = new float[2][];
            for (int variant = 0; variant < 2; variant++) {
                Map<String, Tensor> init = new LinkedHashMap<>();
                init.put("xq", Tensor.fromLongs("xq", xt, xShape, xv));
                init.put("zx", Tensor.fromLongs("zx", xt, new long[0], new long[] {signed ? -7 : 121}));
                init.put("wq", Tensor.fromLongs("wq", DataType.INT8, new long[] {m, c, kernel, kernel}, wv));
                init.put("sw", Tensor.ofFloats("sw", new long[] {m}, sw));
                init.put("zw", Tensor.fromLongs("zw", DataType.INT8, new long[] {m}, zw));
                init.put("sy", Tensor.ofFloats("sy", new long[0], 0.37f));
                init.put("zy", Tensor.fromLongs("zy", DataType.UINT8, new long[0], new long[] {100}));
                init.put("b", Tensor.fromLongs("b", DataType.INT32, new long[] {m}, bias));
                List<ValueInfo> inputs = new ArrayList<>();
                inputs.add(ValueInfo.of("dummy", DataType.FLOAT, Dim.fixed(1)));
                if (variant == 0) {
                    init.put("sx", Tensor.ofFloats("sx", new long[0], 0.02f));
                } else {
                    inputs.add(ValueInfo.of("sx", DataType.FLOAT, Dim.fixed()));
                }
                int p = kernel / 2;
                Node conv = Node.of("qconv", "QLinearConv", List.of("xq", "sx", "zx", "wq", "sw", "zw", "sy", "zy", "b"),
                        List.of("y"), Map.of("pads", Attribute.ints(p, p, p, p), "strides", Attribute.ints(stride, stride),
                                "kernel_shape", Attribute.ints(kernel, kernel)));
                Node keep = Node.of("keep", "Identity", List.of("dummy"), List.of("d"));
                Graph g = new Graph("q", List.of(conv, keep), inputs,
                        List.of(ValueInfo.of("y", DataType.UINT8, Dim.fixed(1, m, out, out)),
                                ValueInfo.of("d", DataType.FLOAT, Dim.fixed(1))), init, Map.of());
                Map<String, Tensor> feeds = new LinkedHashMap<>();
                feeds.put("dummy", Tensor.ofFloats("dummy", new long[] {1}, 0f));
                if (variant == 1) {
                    feeds.put("sx", Tensor.ofFloats("sx", new long[0], 0.02f));
                }
                try (VectorEngine e = VectorEngine.open(Model.of(g, 13), SessionOptions.of(Backend.VECTOR).withThreads(2))) {
                    Tensor y = e.run(feeds).get("y");
                    assertEquals(DataType.UINT8, y.dtype());
                    results[variant] = y.toFloatArray();
                }
            }
            for (int i = 0; i < results[0].length; i++) {
                assertEquals(results[1][i], results[0][i], "trial " + trial + " output " + i);
            }
        }
    }

    @Test
    void malformedScalesAndZeroPointsAreRefusedNamingNodeOpAndValue() {
        for (float bad : new float[] {0f, -0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
            SessionException e = assertThrows(SessionException.class, () -> open(dequantize(
                    Tensor.ofFloats("s", new long[0], bad), Tensor.fromLongs("z", DataType.UINT8, new long[0], new long[] {3}),
                    new long[] {2, 3}, 1)));
            assertTrue(e.getMessage().contains("node 'dq' (DequantizeLinear)") && e.getMessage().contains(String.valueOf(bad)),
                    e.getMessage());
        }
        SessionException type = assertThrows(SessionException.class, () -> open(dequantize(
                Tensor.ofFloats("s", new long[0], 0.1f), Tensor.fromLongs("z", DataType.INT8, new long[0], new long[] {3}),
                new long[] {2, 3}, 1)));
        assertTrue(type.getMessage().contains("node 'dq' (DequantizeLinear)") && type.getMessage().contains("int8"),
                type.getMessage());
        SessionException axis = assertThrows(SessionException.class, () -> open(dequantize(
                Tensor.ofFloats("s", new long[] {2}, 0.1f, 0.2f),
                Tensor.fromLongs("z", DataType.UINT8, new long[] {2}, new long[] {3, 4}), new long[] {2, 3}, 1)));
        assertTrue(axis.getMessage().contains("node 'dq' (DequantizeLinear)") && axis.getMessage().contains("[2]")
                && axis.getMessage().contains("axis 1"), axis.getMessage());
    }

    private static Model dequantize(Tensor scale, Tensor zero, long[] shape, long axis) {
        long[] data = new long[(int) Tensor.elementCount(shape)];
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("xq", Tensor.fromLongs("xq", DataType.UINT8, shape, data));
        init.put("s", scale);
        init.put("z", zero);
        Node dq = Node.of("dq", "DequantizeLinear", List.of("xq", "s", "z"), List.of("xd"), Map.of("axis", Attribute.of(axis)));
        Node add = Node.of("add", "Add", List.of("xd", "x"), List.of("y"));
        Graph g = new Graph("dq", List.of(dq, add), List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(shape))),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(shape))), init, Map.of());
        return Model.of(g, 13);
    }

    private static void open(Model m) throws Exception {
        try (VectorEngine e = VectorEngine.open(m, SessionOptions.of(Backend.VECTOR).withThreads(1))) {
            // opening compiles the plan, which checks the parameters
        }
    }
}
