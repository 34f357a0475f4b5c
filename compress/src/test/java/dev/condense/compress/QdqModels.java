// Small QDQ models for the int8 tests: int8 weights read through DequantizeLinear, as Condense's quantizer writes them.
package dev.condense.compress;

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
import java.util.Random;

/** Builders of seeded QDQ models. */
public final class QdqModels {

    public static final long[] CONV_DIMS = {8, 4, 3, 3};
    public static final long[] FC_DIMS = {10, 288};

    private QdqModels() {
    }

    /**
     * x [N, 4, 8, 8] → QuantizeLinear/DequantizeLinear (uint8, per tensor) → Conv (weight int8
     * [8, 4, 3, 3] per output channel, symmetric, {@code convDensity} of it non-zero; bias int32
     * through DequantizeLinear) → Relu → Reshape → Gemm (weight uint8 [10, 288] per tensor, zero
     * point 128; fp32 bias) → y.
     */
    public static Model qdq(long seed, double convDensity) {
        Random random = new Random(seed);
        Map<String, Tensor> init = new LinkedHashMap<>();
        init.put("x_scale", Tensor.scalar("x_scale", 0.02f));
        init.put("x_zp", Tensor.ofRaw("x_zp", DataType.UINT8, new long[0], new byte[] {(byte) 128}));

        int out = (int) CONV_DIMS[0];
        int perChannel = (int) (CONV_DIMS[1] * CONV_DIMS[2] * CONV_DIMS[3]);
        byte[] w = new byte[out * perChannel];
        float[] scales = new float[out];
        for (int c = 0; c < out; c++) {
            scales[c] = 0.001f * (c + 1);
            for (int i = 0; i < perChannel; i++) {
                if (random.nextDouble() < convDensity) {
                    int v = (int) Math.max(-127, Math.min(127, Math.round(random.nextGaussian() * 20)));
                    w[c * perChannel + i] = (byte) (v == 0 ? 1 : v);
                }
            }
        }
        init.put("conv.weight", Tensor.ofRaw("conv.weight", DataType.INT8, CONV_DIMS, w));
        init.put("conv.weight_scale", Tensor.ofFloats("conv.weight_scale", new long[] {out}, scales));
        init.put("conv.weight_zero_point", Tensor.ofRaw("conv.weight_zero_point", DataType.INT8, new long[] {out}, new byte[out]));
        int[] bias = new int[out];
        float[] biasScales = new float[out];
        for (int c = 0; c < out; c++) {
            bias[c] = random.nextInt(2001) - 1000;
            biasScales[c] = 0.02f * scales[c];
        }
        init.put("conv.bias", Tensor.ofInts("conv.bias", new long[] {out}, bias));
        init.put("conv.bias_scale", Tensor.ofFloats("conv.bias_scale", new long[] {out}, biasScales));
        init.put("shape", Tensor.vector("shape", -1, 288));

        byte[] fc = new byte[(int) (FC_DIMS[0] * FC_DIMS[1])];
        for (int i = 0; i < fc.length; i++) {
            fc[i] = (byte) (128 + Math.max(-127, Math.min(127, Math.round(random.nextGaussian() * 6))));
        }
        init.put("fc.weight", Tensor.ofRaw("fc.weight", DataType.UINT8, FC_DIMS, fc));
        init.put("fc.weight_scale", Tensor.scalar("fc.weight_scale", 0.004f));
        init.put("fc.weight_zero_point", Tensor.ofRaw("fc.weight_zero_point", DataType.UINT8, new long[0], new byte[] {(byte) 128}));
        float[] fcBias = new float[10];
        for (int i = 0; i < 10; i++) {
            fcBias[i] = (float) random.nextGaussian();
        }
        init.put("fc.bias", Tensor.ofFloats("fc.bias", new long[] {10}, fcBias));

        List<Node> nodes = new ArrayList<>();
        nodes.add(Node.of("x_q", "QuantizeLinear", List.of("x", "x_scale", "x_zp"), List.of("xq")));
        nodes.add(Node.of("x_dq", "DequantizeLinear", List.of("xq", "x_scale", "x_zp"), List.of("xdq")));
        nodes.add(Node.of("conv.weight_dq", "DequantizeLinear",
                List.of("conv.weight", "conv.weight_scale", "conv.weight_zero_point"), List.of("conv.weight_f"),
                Map.of("axis", Attribute.of(0L))));
        nodes.add(Node.of("conv.bias_dq", "DequantizeLinear", List.of("conv.bias", "conv.bias_scale"), List.of("conv.bias_f"),
                Map.of("axis", Attribute.of(0L))));
        nodes.add(Node.of("conv", "Conv", List.of("xdq", "conv.weight_f", "conv.bias_f"), List.of("c"),
                Map.of("kernel_shape", Attribute.ints(3, 3))));
        nodes.add(Node.of("act", "Relu", List.of("c"), List.of("r")));
        nodes.add(Node.of("flat", "Reshape", List.of("r", "shape"), List.of("f")));
        nodes.add(Node.of("fc.weight_dq", "DequantizeLinear", List.of("fc.weight", "fc.weight_scale", "fc.weight_zero_point"),
                List.of("fc.weight_f")));
        nodes.add(Node.of("gemm", "Gemm", List.of("f", "fc.weight_f", "fc.bias"), List.of("y"), Map.of("transB", Attribute.of(1L))));
        Graph g = new Graph("qdq", nodes,
                List.of(ValueInfo.of("x", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(4), Dim.of(8), Dim.of(8)))),
                List.of(ValueInfo.of("y", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(10)))), init, Map.of());
        return Model.of(g, 13);
    }

    /** {@code model} with initializer {@code name} replaced by {@code tensor}. */
    public static Model withInitializer(Model model, Tensor tensor) {
        Map<String, Tensor> init = new LinkedHashMap<>(model.graph().initializers());
        init.put(tensor.name(), tensor);
        return model.withGraph(model.graph().withInitializers(init));
    }
}
