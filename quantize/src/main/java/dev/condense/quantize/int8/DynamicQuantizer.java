// Dynamic quantization of fully connected layers: int8 weights ahead of time, activations quantized per run.
package dev.condense.quantize.int8;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.layers.WeightLayer;
import dev.condense.ops.GemmAttrs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each Gemm (transA off) and MatMul with a constant weight becomes, in standard ONNX ops:
 * {@code DynamicQuantizeLinear(x) → MatMulInteger(x_q, W_q, x_zp, 0) → Cast(float) → Mul(x_s · s_w)
 * [→ Add(bias)]}, with W_q int8 laid out [K, N] and one scale per output column (or one). No
 * calibration is needed: the activation's range is measured on every run.
 */
public final class DynamicQuantizer {

    private DynamicQuantizer() {
    }

    /** The dynamically quantized model and the layers it quantized (by name). */
    public record Result(Model model, List<String> layers) {
    }

    public static Result quantize(Model prepared, QuantizeOptions options) throws QuantizationException {
        if (prepared.opset() < 11) {
            throw new QuantizationException("dynamic quantization needs opset 11 (DynamicQuantizeLinear); the model is opset "
                    + prepared.opset());
        }
        Graph g = prepared.graph();
        List<WeightLayer> layers = WeightLayer.of(g);
        Map<String, List<Node>> consumers = g.consumers();
        Map<Node, WeightLayer> fc = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            if (l.kind() == WeightLayer.Kind.FC && !QdqRewriter.excluded(l, options.exclude())
                    && consumers.getOrDefault(l.weightName(), List.of()).size() == 1 && plain(l.node(), g, prepared.opset())) {
                fc.put(l.node(), l);
            }
        }
        for (String e : options.exclude()) {
            if (layers.stream().noneMatch(l -> QdqRewriter.excluded(l, Set.of(e)))) {
                throw new QuantizationException("--exclude names '" + e + "', which is no layer with a constant weight");
            }
        }
        GraphNames names = new GraphNames(g);
        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        List<Node> nodes = new ArrayList<>();
        List<String> done = new ArrayList<>();
        for (Node n : g.nodes()) {
            WeightLayer l = fc.get(n);
            if (l == null) {
                nodes.add(n);
                continue;
            }
            boolean gemm = n.opType().equals("Gemm");
            float alpha = 1f;
            float beta = 1f;
            boolean transB = false;
            if (gemm) {
                GemmAttrs a = attrs(n, prepared.opset());
                alpha = a.alpha();
                beta = a.beta();
                transB = a.transB();
            }
            Tensor w = transB ? Matrices.transpose(l.weight(), l.weight().name()) : l.weight();
            QuantParams wp = QdqRewriter.weightParams(w, 1, options.perChannel());
            String base = l.name();
            String wq = names.fresh(l.weightName(), "_quantized");
            init.put(wq, Tensor.ofRaw(wq, DataType.INT8, w.dims(), QdqRewriter.quantizeWeights(w, wp)));
            long[] colShape = wp.perChannel() ? new long[] {wp.channels()} : new long[0];
            String wzp = names.fresh(l.weightName(), "_zero_point");
            init.put(wzp, QdqRewriter.zeroPoints(wzp, wp, colShape));
            float[] ws = wp.scales().clone();
            for (int i = 0; i < ws.length; i++) {
                ws[i] *= alpha;
            }
            String wscale = names.fresh(l.weightName(), "_scale");
            init.put(wscale, Tensor.ofFloats(wscale, colShape, ws));

            String x = n.inputs().getFirst();
            String xq = names.fresh(x, "_quantized");
            String xs = names.fresh(x, "_scale");
            String xzp = names.fresh(x, "_zero_point");
            nodes.add(Node.of(names.fresh(base, "_DynamicQuantizeLinear"), "DynamicQuantizeLinear", List.of(x),
                    List.of(xq, xs, xzp)));
            String acc = names.fresh(base, "_int32");
            nodes.add(Node.of(names.fresh(base, "_MatMulInteger"), "MatMulInteger", List.of(xq, wq, xzp, wzp), List.of(acc)));
            String accF = names.fresh(base, "_int32_float");
            nodes.add(Node.of(names.fresh(base, "_Cast"), "Cast", List.of(acc), List.of(accF),
                    Map.of("to", new Attribute.IntValue(DataType.FLOAT.onnxCode()))));
            String scale = names.fresh(base, "_output_scale");
            nodes.add(Node.of(names.fresh(base, "_ScaleMul"), "Mul", List.of(xs, wscale), List.of(scale)));
            String bias = n.inputs().size() > 2 ? n.inputs().get(2) : "";
            String y = n.outputs().getFirst();
            String scaled = bias.isEmpty() ? y : names.fresh(base, "_scaled");
            nodes.add(Node.of(names.fresh(base, "_OutputMul"), "Mul", List.of(accF, scale), List.of(scaled)));
            if (!bias.isEmpty()) {
                String b = bias;
                if (beta != 1f) {
                    Tensor c = g.initializers().get(bias);
                    float[] v = c.toFloatArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] *= beta;
                    }
                    b = names.fresh(bias, "_beta");
                    init.put(b, Tensor.ofFloats(b, c.dims(), v));
                }
                nodes.add(Node.of(names.fresh(base, "_BiasAdd"), "Add", List.of(scaled, b), List.of(y)));
            }
            done.add(l.name());
        }
        Set<String> read = new HashSet<>();
        nodes.forEach(n -> read.addAll(n.inputs()));
        g.outputs().forEach(v -> read.add(v.name()));
        init.keySet().removeIf(k -> !read.contains(k));
        try {
            Graph out = GraphValidator.validate(new Graph(g.name(), nodes, g.inputs(), g.outputs(), init, g.valueInfo()));
            return new Result(prepared.withGraph(out), done);
        } catch (ModelLoadException e) {
            throw new IllegalStateException("dynamic quantization produced an invalid graph: " + e.getMessage(), e);
        }
    }

    /** A Gemm without transA whose bias, when beta scales it, is a constant (MatMul always qualifies). */
    private static boolean plain(Node n, Graph g, int opset) {
        if (n.opType().equals("MatMul")) {
            return true;
        }
        try {
            GemmAttrs a = GemmAttrs.of(n, opset);
            boolean constantBias = n.inputs().size() < 3 || n.inputs().get(2).isEmpty()
                    || g.initializers().containsKey(n.inputs().get(2));
            return !a.transA() && (a.beta() == 1f || constantBias);
        } catch (ModelLoadException e) {
            return false;
        }
    }

    private static GemmAttrs attrs(Node n, int opset) throws QuantizationException {
        try {
            return GemmAttrs.of(n, opset);
        } catch (ModelLoadException e) {
            throw new QuantizationException(e.getMessage(), e);
        }
    }
}
