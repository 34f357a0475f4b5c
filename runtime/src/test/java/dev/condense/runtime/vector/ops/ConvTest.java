// The Conv kernel's three paths (pointwise, im2col GEMM, depthwise) against the reference twin on edge geometries.
package dev.condense.runtime.vector.ops;

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
import dev.condense.runtime.vector.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvTest {

    static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "N{0} C{1} {2}x{3} M{4} g{5} k{6}x{7} s{8} pad{9},{10},{11},{12} d{13} {14}")
    @CsvSource({
        // batch, C, H, W, M, group, kH, kW, stride, padTop, padLeft, padBottom, padRight, dilation, fused
        "2, 5, 9, 11, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, none",   // pointwise: input plane is B
        "1, 3, 17, 17, 13, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu", // im2col, borders
        "1, 4, 16, 15, 8, 1, 3, 3, 2, 1, 1, 1, 1, 1, relu6",
        "1, 3, 23, 23, 16, 1, 7, 7, 2, 3, 3, 3, 3, 1, none", // ResNet stem shape
        "2, 6, 12, 12, 6, 1, 5, 5, 1, 4, 4, 4, 4, 2, none",  // dilation
        "1, 4, 10, 9, 6, 1, 3, 2, 1, 0, 1, 1, 0, 1, none",   // asymmetric pads, non-square kernel
        "1, 8, 13, 13, 12, 4, 3, 3, 1, 1, 1, 1, 1, 1, relu", // grouped
        "1, 6, 9, 9, 4, 2, 1, 1, 2, 0, 0, 0, 0, 1, none",    // strided pointwise
        "1, 70, 9, 9, 33, 1, 3, 3, 1, 1, 1, 1, 1, 1, none",  // K = 630 spans three K-blocks
        "1, 16, 28, 28, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu", // rows of 28 start mid-panel; several column blocks
        "1, 8, 30, 29, 12, 1, 3, 3, 2, 1, 1, 1, 1, 1, none",  // stride 2 over parity planes, odd rows
        "1, 8, 7, 7, 300, 1, 1, 7, 1, 0, 3, 0, 3, 1, none",  // 1x7 (Inception), many row panels
        "2, 16, 6, 6, 64, 2, 3, 3, 1, 1, 1, 1, 1, 1, relu",  // few positions: the transposed GEMM, grouped
        "1, 40, 7, 7, 100, 1, 3, 3, 1, 1, 1, 1, 1, 1, none", // transposed, channels not a multiple of 16
        "1, 16, 12, 12, 16, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu",   // Winograd F(2x2, 3x3)
        "2, 17, 13, 11, 19, 1, 3, 3, 1, 1, 1, 1, 1, 1, none",   // Winograd: odd map, channels off the panels
        "1, 20, 14, 15, 24, 1, 3, 3, 1, 0, 0, 0, 0, 1, relu6",  // Winograd without padding
        "1, 16, 12, 13, 16, 1, 3, 3, 1, 2, 1, 0, 2, 1, none",   // Winograd, asymmetric pads
        "1, 16, 70, 69, 18, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu",   // Winograd: 1,225 tiles in three column blocks
        "1, 16, 20, 20, 24, 1, 3, 3, 1, 1, 1, 1, 1, 1, none",   // Winograd, 100 tiles: the GEMMs as they are
        "1, 32, 7, 7, 40, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu",     // Winograd on 7x7, transposed GEMMs
        "2, 24, 6, 6, 20, 1, 3, 3, 1, 1, 1, 1, 1, 1, relu6",    // transposed, last channel block half full
        "2, 16, 14, 14, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1, relu6", // depthwise
        "1, 12, 15, 15, 12, 12, 3, 3, 2, 1, 1, 1, 1, 1, none",  // depthwise strided
        "1, 9, 20, 21, 9, 9, 5, 5, 1, 2, 2, 2, 2, 1, none",     // depthwise 5x5 (EfficientNet)
        "1, 4, 11, 11, 4, 4, 3, 3, 1, 2, 2, 2, 2, 2, none",     // depthwise dilated
    })
    void matchesTheReference(int batch, int c, int h, int w, int m, int group, int kh, int kw, int stride,
                             int padTop, int padLeft, int padBottom, int padRight, int dilation, String fused)
            throws Exception {
        int outH = (h + padTop + padBottom - dilation * (kh - 1) - 1) / stride + 1;
        int outW = (w + padLeft + padRight - dilation * (kw - 1) - 1) / stride + 1;
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        attrs.put("kernel_shape", Attribute.ints(kh, kw));
        attrs.put("strides", Attribute.ints(stride, stride));
        attrs.put("pads", Attribute.ints(padTop, padLeft, padBottom, padRight));
        attrs.put("dilations", Attribute.ints(dilation, dilation));
        attrs.put("group", Attribute.of((long) group));
        SplittableRandom rng = new SplittableRandom(c * 131L + h * 17L + m);
        float[] x = random(rng, batch * c * h * w);
        float[] weights = random(rng, m * (c / group) * kh * kw);
        float[] bias = random(rng, m);
        Activation act = switch (fused) {
            case "relu" -> Activation.RELU;
            case "relu6" -> Activation.clip(0, 6);
            default -> Activation.NONE;
        };
        Model model = convModel(new long[] {batch, c, h, w}, new long[] {m, c / group, kh, kw}, weights, bias, attrs,
                fused, new long[] {batch, m, outH, outW});
        Conv.Geometry g = new Conv.Geometry(batch, c, h, w, m, group, kh, kw, stride, stride, padTop, padLeft,
                dilation, dilation, outH, outW);
        float[] expected = new float[batch * m * outH * outW];
        Conv.reference(x, weights, bias, expected, g, act);
        for (int threads : new int[] {1, 3}) {
            float[] got = run(model, x, new long[] {batch, c, h, w}, threads);
            assertEquals(expected.length, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected[i], got[i], TOLERANCE * (1 + Math.abs(expected[i])),
                        "output " + i + " with " + threads + " threads");
            }
        }
    }

    @Test
    void depthwiseFastPathMatchesItsTwin() {
        SplittableRandom rng = new SplittableRandom(11);
        // {_, h, w, k, stride, pad}: maps narrower than a vector, odd sizes, 5x5 and 7x7 (several passes
        // of nine taps), pads wider than the filter reaches, one pixel.
        int[][] shapes = {{1, 7, 7, 3, 1, 1}, {1, 33, 17, 3, 1, 1}, {1, 32, 32, 5, 2, 2}, {1, 9, 8, 3, 2, 0},
            {1, 14, 14, 3, 2, 1}, {1, 15, 13, 3, 2, 1}, {1, 7, 7, 5, 1, 2}, {1, 12, 11, 7, 1, 3}, {1, 11, 9, 7, 2, 3},
            {1, 1, 1, 3, 1, 1}, {1, 2, 3, 3, 2, 1}, {1, 5, 5, 3, 1, 4}, {1, 112, 112, 3, 1, 1}, {1, 112, 112, 3, 2, 1}};
        for (int[] s : shapes) {
            int h = s[1];
            int w = s[2];
            int k = s[3];
            int stride = s[4];
            int pad = s[5];
            int outH = (h + 2 * pad - k) / stride + 1;
            int outW = (w + 2 * pad - k) / stride + 1;
            Conv.Geometry g = new Conv.Geometry(1, 1, h, w, 1, 1, k, k, stride, stride, pad, pad, 1, 1, outH, outW);
            // Twice per geometry: the second plane reuses the first one's zeroed border.
            for (int repeat = 0; repeat < 2; repeat++) {
                float[] x = random(rng, h * w);
                float[] wt = random(rng, k * k);
                float[] fast = new float[outH * outW];
                float[] ref = new float[outH * outW];
                DepthwiseConv.plane(x, 0, fast, 0, g, wt, 0, 0.25f, Activation.RELU);
                DepthwiseConv.reference(x, 0, ref, 0, g, wt, 0, 0.25f, Activation.RELU);
                for (int i = 0; i < ref.length; i++) {
                    assertEquals(ref[i], fast[i], TOLERANCE,
                            "output " + i + " of " + java.util.Arrays.toString(s) + ", plane " + repeat);
                }
            }
        }
    }

    @Test
    void winogradTakesTheDenseThreeByThreeStrideOneLayers() {
        // ResNet and VGG 3x3 layers take it, down to 7x7 maps; strided, grouped, dilated, thin or tiny ones do not.
        assertTrue(WinogradConv.applies(geometry(64, 56, 64, 3, 1, 1, 1), true));
        assertTrue(WinogradConv.applies(geometry(512, 14, 512, 3, 1, 1, 1), true));
        assertFalse(WinogradConv.applies(geometry(64, 56, 64, 3, 1, 1, 1), false));
        assertFalse(WinogradConv.applies(geometry(128, 56, 128, 3, 2, 1, 1), true));
        assertFalse(WinogradConv.applies(geometry(64, 56, 64, 3, 1, 2, 1), true));
        assertFalse(WinogradConv.applies(geometry(64, 56, 64, 3, 1, 1, 2), true));
        assertFalse(WinogradConv.applies(geometry(3, 224, 64, 3, 1, 1, 1), true));
        assertTrue(WinogradConv.applies(geometry(512, 7, 512, 3, 1, 1, 1), true));
        assertFalse(WinogradConv.applies(geometry(512, 4, 512, 3, 1, 1, 1), true));
        assertFalse(WinogradConv.applies(geometry(64, 56, 64, 5, 1, 1, 1), true));
    }

    /** A square convolution with "same" padding. */
    private static Conv.Geometry geometry(int c, int h, int m, int k, int stride, int group, int dilation) {
        int pad = dilation * (k - 1) / 2;
        int out = (h + 2 * pad - dilation * (k - 1) - 1) / stride + 1;
        return new Conv.Geometry(1, c, h, h, m, group, k, k, stride, stride, pad, pad, dilation, dilation, out, out);
    }

    @ParameterizedTest
    @CsvSource({"8, 10", "16, 12"}) // the im2col GEMM, and Winograd (16 channels, 12x12)
    void convAddReluRunAsOneKernelWithTheShortcutAsResidual(int c, int h) throws Exception {
        // y = relu(conv(x) + x): a ResNet block's tail, which the plan compiler fuses into the Conv.
        SplittableRandom rng = new SplittableRandom(5);
        float[] x = random(rng, 2 * c * h * h);
        float[] weights = random(rng, c * c * 9);
        float[] bias = random(rng, c);
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w", Tensor.ofFloats("w", new long[] {c, c, 3, 3}, weights));
        init.put("b", Tensor.ofFloats("b", new long[] {c}, bias));
        List<Node> nodes = List.of(
                Node.of("conv", "Conv", List.of("x", "w", "b"), List.of("conv"), Map.of(
                        "kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(1, 1, 1, 1))),
                Node.of("add", "Add", List.of("x", "conv"), List.of("sum")),
                Node.of("relu", "Relu", List.of("sum"), List.of("y")));
        long[] shape = {2, c, h, h};
        Graph g = new Graph("block", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(shape))),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(shape))), init, Map.of());
        float[] expected = new float[x.length];
        Conv.reference(x, weights, bias, expected, new Conv.Geometry(2, c, h, h, c, 1, 3, 3, 1, 1, 1, 1, 1, 1, h, h),
                Activation.NONE);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(0f, expected[i] + x[i]);
        }
        float[] got = run(Model.of(g, 13), x, shape, 2);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE * (1 + Math.abs(expected[i])), "output " + i);
        }
    }

    @Test
    void weightsFedAtRunTimeArePackedEachRun() throws Exception {
        // ONNX's node tests feed W and B as inputs; two runs with different weights must both be right.
        Node conv = Node.of("c", "Conv", List.of("x", "w", "b"), List.of("y"), Map.of("pads", Attribute.ints(1, 1, 1, 1)));
        Graph g = new Graph("g", List.of(conv),
                List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(1, 4, 6, 6)),
                        ValueInfo.of("w", DataType.FLOAT, Dim.fixed(5, 4, 3, 3)),
                        ValueInfo.of("b", DataType.FLOAT, Dim.fixed(5))),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(1, 5, 6, 6))), Map.of(), Map.of());
        SplittableRandom rng = new SplittableRandom(8);
        float[] x = random(rng, 4 * 36);
        try (Session s = Session.open(Model.of(g, 13), SessionOptions.of(Backend.VECTOR).withThreads(2))) {
            for (int run = 0; run < 2; run++) {
                float[] w = random(rng, 5 * 4 * 9);
                float[] b = random(rng, 5);
                float[] expected = new float[5 * 36];
                Conv.reference(x, w, b, expected, new Conv.Geometry(1, 4, 6, 6, 5, 1, 3, 3, 1, 1, 1, 1, 1, 1, 6, 6),
                        Activation.NONE);
                try (Result r = s.run(Map.of("x", Tensor.ofFloats("x", new long[] {1, 4, 6, 6}, x),
                        "w", Tensor.ofFloats("w", new long[] {5, 4, 3, 3}, w), "b", Tensor.ofFloats("b", new long[] {5}, b)))) {
                    float[] got = r.first().toFloatArray();
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(expected[i], got[i], TOLERANCE * (1 + Math.abs(expected[i])), "run " + run + " output " + i);
                    }
                }
            }
        }
    }

    static Model convModel(long[] xShape, long[] wShape, float[] weights, float[] bias, Map<String, Attribute> attrs,
                           String fused, long[] yShape) {
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("w", Tensor.ofFloats("w", wShape, weights));
        init.put("b", Tensor.ofFloats("b", new long[] {bias.length}, bias));
        List<Node> nodes = new ArrayList<>();
        String out = fused.equals("none") ? "y" : "conv";
        nodes.add(Node.of("conv", "Conv", List.of("x", "w", "b"), List.of(out), attrs));
        if (fused.equals("relu")) {
            nodes.add(Node.of("act", "Relu", List.of("conv"), List.of("y")));
        } else if (fused.equals("relu6")) {
            init.put("lo", Tensor.scalar("lo", 0f));
            init.put("hi", Tensor.scalar("hi", 6f));
            nodes.add(Node.of("act", "Clip", List.of("conv", "lo", "hi"), List.of("y")));
        }
        Graph g = new Graph("conv", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(xShape))),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(yShape))), init, Map.of());
        return Model.of(g, 13);
    }

    static float[] run(Model model, float[] x, long[] shape, int threads) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(threads));
             Result r = s.run(Map.of("x", Tensor.ofFloats("x", shape, x)))) {
            return r.first().toFloatArray();
        }
    }

    static float[] random(SplittableRandom rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextDouble(-1, 1);
        }
        return v;
    }
}
