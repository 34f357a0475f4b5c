// Static quantization as a graph rewrite: decide what runs in int8, then insert QuantizeLinear/DequantizeLinear pairs.
package dev.condense.quantize.int8;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.layers.WeightLayer;
import dev.condense.ops.ClipAttrs;
import dev.condense.ops.GemmAttrs;
import dev.condense.passes.Passes;
import dev.condense.passes.UpgradeToOpset13;
import dev.condense.shape.ShapeInference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The QDQ form ONNX Runtime fuses into its int8 kernels: every activation that enters or leaves a
 * quantized node passes through one QuantizeLinear → DequantizeLinear pair; weights are int8
 * initializers read through a DequantizeLinear (per output channel by default); biases are int32
 * with scale {@code s_x · s_w}. A ReLU or ReLU6 right after a quantized node is removed, its job
 * done by the QuantizeLinear whose range starts at 0 (zero point at the type's minimum), which is
 * how ONNX Runtime's own quantizer writes them. Shape-only ops and max pooling pass their input's
 * scale through, so ONNX Runtime can drop their pairs and stay in int8.
 */
public final class QdqRewriter {

    /** Non-weight ops whose inputs and outputs are quantized, so that int8 flows through them. */
    private static final Set<String> INT8_FRIENDLY = Set.of("Add", "Concat", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Relu", "Clip");
    /** Ops whose output keeps the input's scale and zero point exactly (a selection or a view of it). */
    private static final Set<String> PASS_THROUGH = Set.of("MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze",
            "Unsqueeze");
    /** Producers after which a ReLU is folded into the output's quantization. */
    private static final Set<String> ABSORBS_RELU = Set.of("Conv", "Gemm", "MatMul", "Add", "Concat");

    private QdqRewriter() {
    }

    /**
     * What quantization will do, decided before calibration.
     *
     * @param model              the prepared fp32 model (BatchNorm folded, constants folded, shapes inferred)
     * @param calibrationTensors the activations whose ranges calibration must measure
     */
    public record Plan(Model model, QuantizeOptions options, Map<Node, WeightLayer> weighted, Set<Node> quantizedNodes,
                       Map<Node, Node> removedActivations, Map<String, String> renamed, Set<String> quantizedTensors,
                       Map<String, String> paramSource, List<String> calibrationTensors,
                       Map<String, float[]> activationBounds) {
    }

    /** The rewritten model and what the diagnosis compares. */
    public record Result(Model model, List<QuantizedLayer> layers, Map<String, QuantParams> activationParams) {
    }

    /** Decides the quantized nodes and tensors of {@code prepared} (see {@link ModelPreparation}). */
    public static Plan plan(Model model, QuantizeOptions options) throws QuantizationException {
        Model prepared = model;
        int opset = prepared.opset();
        if (opset < 10) {
            throw new QuantizationException("the model is opset " + opset + "; QuantizeLinear needs opset 10 or newer"
                    + " (condense convert can re-export it)");
        }
        if (options.perChannel() && opset < 13) {
            // DequantizeLinear's axis arrived in opset 13; opsets 11 and 12 are raised to it.
            try {
                prepared = ShapeInference.infer(Passes.run(prepared, List.of(new UpgradeToOpset13())));
            } catch (ModelLoadException e) {
                throw new QuantizationException("per-channel weights need opset 13 (DequantizeLinear's axis) and the"
                        + " opset " + opset + " model cannot be raised to it (" + e.getMessage() + "): use --per-tensor", e);
            }
        }
        Graph g = prepared.graph();
        Map<String, Node> producers = g.producers();
        Map<String, List<Node>> consumers = g.consumers();
        Set<String> graphOutputs = new HashSet<>();
        g.outputs().forEach(v -> graphOutputs.add(v.name()));

        List<WeightLayer> layers = WeightLayer.of(g);
        checkExclusions(layers, options.exclude());
        Map<Node, WeightLayer> weighted = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            if (!excluded(l, options.exclude()) && consumers.getOrDefault(l.weightName(), List.of()).size() == 1) {
                weighted.put(l.node(), l);
            }
        }
        // Other int8-friendly ops join only where int8 flows: after a quantized node, or right before a
        // quantized layer. With every layer excluded the model stays exactly fp32.
        Set<Node> quantized = new LinkedHashSet<>(weighted.keySet());
        Set<Node> friendly = new LinkedHashSet<>();
        for (Node n : g.nodes()) {
            if (!weighted.containsKey(n) && n.isDefaultDomain() && INT8_FRIENDLY.contains(n.opType())
                    && (!n.opType().equals("Clip") || clipFloorIsZero(n, g, opset) != null)) {
                friendly.add(n);
            }
        }
        for (Node n : g.nodes()) {
            if (friendly.contains(n) && n.inputs().stream().anyMatch(i -> quantized.contains(producers.get(i)))) {
                quantized.add(n);
            }
        }
        List<Node> reversed = new ArrayList<>(g.nodes());
        java.util.Collections.reverse(reversed);
        for (Node n : reversed) {
            if (friendly.contains(n) && n.outputs().stream().anyMatch(o -> consumers.getOrDefault(o, List.of()).stream()
                    .anyMatch(quantized::contains))) {
                quantized.add(n);
            }
        }
        Map<Node, Node> removed = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();
        Map<String, float[]> bounds = new HashMap<>();
        for (Node r : g.nodes()) {
            boolean relu = r.isDefaultDomain() && r.opType().equals("Relu");
            boolean relu6 = r.isDefaultDomain() && r.opType().equals("Clip") && Boolean.TRUE.equals(clipFloorIsZero(r, g, opset));
            if (!relu && !relu6) {
                continue;
            }
            String x = r.inputs().getFirst();
            Node p = producers.get(x);
            if (p != null && quantized.contains(p) && ABSORBS_RELU.contains(p.opType()) && p.outputs().size() == 1
                    && consumers.getOrDefault(x, List.of()).size() == 1 && !graphOutputs.contains(x)
                    && !graphOutputs.contains(r.outputs().getFirst())) {
                removed.put(r, p);
                renamed.put(x, r.outputs().getFirst());
                bounds.put(r.outputs().getFirst(), relu ? new float[] {0f, Float.POSITIVE_INFINITY} : clipBounds(r, g, opset));
            }
        }
        Set<String> tensors = new LinkedHashSet<>();
        for (ValueInfo in : g.inputs()) {
            boolean read = consumers.getOrDefault(in.name(), List.of()).stream()
                    .anyMatch(c -> quantized.contains(c) && !removed.containsKey(c));
            if (read && isFloatActivation(g, in.name())) {
                tensors.add(in.name());
            }
        }
        for (Node n : g.nodes()) {
            if (!quantized.contains(n) || removed.containsKey(n)) {
                continue;
            }
            for (int i = 0; i < n.inputs().size(); i++) {
                String t = n.inputs().get(i);
                if (weighted.containsKey(n) && i > 0) {
                    continue;
                }
                if (isFloatActivation(g, t) && !graphOutputs.contains(t)) {
                    tensors.add(t);
                }
            }
            for (String out : n.outputs()) {
                String t = renamed.getOrDefault(out, out);
                if (!out.isEmpty() && isFloatActivation(g, out) && !graphOutputs.contains(t)) {
                    tensors.add(t);
                }
            }
        }
        // The quantized model's producer of each tensor (a removed ReLU's output is made by its producer).
        Map<String, Node> newProducer = new HashMap<>(producers);
        renamed.forEach((x, y) -> newProducer.put(y, producers.get(x)));
        Map<String, String> source = new LinkedHashMap<>();
        List<String> calibrate = new ArrayList<>();
        for (String t : tensors) {
            String s = t;
            Node p = newProducer.get(s);
            while (p != null && p.isDefaultDomain() && PASS_THROUGH.contains(p.opType()) && !removed.containsKey(p)
                    && tensors.contains(p.inputs().getFirst())) {
                s = p.inputs().getFirst();
                p = newProducer.get(s);
            }
            source.put(t, s);
            if (s.equals(t)) {
                calibrate.add(t);
            }
        }
        return new Plan(prepared, options, weighted, quantized, removed, renamed, tensors, source, calibrate, bounds);
    }

    /** Writes the quantized model from the plan and the calibrated range of each of its calibration tensors. */
    public static Result rewrite(Plan plan, Map<String, double[]> ranges) throws QuantizationException {
        Model prepared = plan.model();
        Graph g = prepared.graph();
        QuantizeOptions options = plan.options();
        GraphNames names = new GraphNames(g);
        Map<String, QuantParams> params = new LinkedHashMap<>();
        for (String t : plan.calibrationTensors()) {
            double[] r = ranges.get(t);
            if (r == null) {
                throw new QuantizationException("calibration gave no range for activation '" + t + "'");
            }
            double lo = r[0];
            double hi = r[1];
            float[] bounds = plan.activationBounds().get(t);
            if (bounds != null) {
                // The quantization does the removed activation's clipping, so its range must lie inside the bounds.
                lo = Math.max(lo, bounds[0]);
                hi = Math.max(lo, Math.min(hi, bounds[1]));
            }
            QuantParams p = QuantParams.asymmetric(lo, hi, options.activations());
            params.put(t, p);
        }
        Map<String, QuantParams> tensorParams = new LinkedHashMap<>();
        for (String t : plan.quantizedTensors()) {
            tensorParams.put(t, params.get(plan.paramSource().get(t)));
        }

        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        List<Node> nodes = new ArrayList<>();
        Map<String, String> dequantized = new HashMap<>();
        Emitter emit = new Emitter(names, init, nodes);
        for (ValueInfo in : g.inputs()) {
            if (tensorParams.containsKey(in.name())) {
                dequantized.put(in.name(), emit.quantizePair(in.name(), tensorParams.get(in.name())));
            }
        }
        List<QuantizedLayer> layers = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (plan.removedActivations().containsKey(n)) {
                continue;
            }
            List<String> inputs = new ArrayList<>(n.inputs());
            for (int i = 0; i < inputs.size(); i++) {
                String d = dequantized.get(inputs.get(i));
                if (d != null) {
                    inputs.set(i, d);
                }
            }
            WeightLayer layer = plan.weighted().get(n);
            QuantParams weightParams = null;
            if (layer != null) {
                int axis = weightAxis(n, prepared.opset());
                weightParams = weightParams(layer.weight(), axis, options.perChannel());
                inputs.set(1, emit.constantDequantized(layer.weight(), weightParams, "_quantized"));
                QuantParams xp = tensorParams.get(n.inputs().getFirst());
                String bias = n.inputs().size() > 2 ? n.inputs().get(2) : "";
                if (xp != null && !bias.isEmpty() && biasQuantizable(n, g, prepared.opset(), weightParams)) {
                    String q = emit.bias(g.initializers().get(bias), xp.scale(), weightParams);
                    if (q != null) {
                        inputs.set(2, q);
                    }
                }
            }
            List<String> outputs = new ArrayList<>(n.outputs());
            for (int j = 0; j < outputs.size(); j++) {
                outputs.set(j, plan.renamed().getOrDefault(outputs.get(j), outputs.get(j)));
            }
            nodes.add(n.withInputs(inputs).withOutputs(outputs));
            for (String out : outputs) {
                QuantParams p = tensorParams.get(out);
                if (p != null) {
                    dequantized.put(out, emit.quantizePair(out, p));
                }
            }
            if (layer != null) {
                String out = outputs.getFirst();
                layers.add(new QuantizedLayer(layer.name(), n.opType(), out, dequantized.getOrDefault(out, out),
                        weightParams));
            }
        }
        // Weights and biases now stored as int8/int32 go, unless something else still reads them in fp32.
        Set<String> stillRead = new HashSet<>();
        for (Node n : nodes) {
            stillRead.addAll(n.inputs());
        }
        g.outputs().forEach(v -> stillRead.add(v.name()));
        init.keySet().removeIf(k -> g.initializers().containsKey(k) && !stillRead.contains(k));

        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(g.valueInfo());
        valueInfo.keySet().removeAll(plan.renamed().keySet());
        Graph out = new Graph(g.name(), nodes, g.inputs(), g.outputs(), init, valueInfo);
        try {
            out = GraphValidator.validate(out);
        } catch (ModelLoadException e) {
            throw new IllegalStateException("quantization produced an invalid graph: " + e.getMessage(), e);
        }
        return new Result(prepared.withGraph(out), layers, tensorParams);
    }

    /** Writes the quantization nodes and initializers. */
    private static final class Emitter {
        private final GraphNames names;
        private final Map<String, Tensor> init;
        private final List<Node> nodes;

        Emitter(GraphNames names, Map<String, Tensor> init, List<Node> nodes) {
            this.names = names;
            this.init = init;
            this.nodes = nodes;
        }

        /** {@code t → QuantizeLinear → DequantizeLinear}; returns the dequantized value's name. */
        String quantizePair(String t, QuantParams p) {
            String scale = names.fresh(t, "_scale");
            String zp = names.fresh(t, "_zero_point");
            init.put(scale, Tensor.ofFloats(scale, new long[0], p.scale()));
            init.put(zp, zeroPoints(zp, p, new long[0]));
            String q = names.fresh(t, "_quantized");
            String dq = names.fresh(t, "_dequantized");
            nodes.add(Node.of(names.fresh(t, "_QuantizeLinear"), "QuantizeLinear", List.of(t, scale, zp), List.of(q)));
            nodes.add(Node.of(names.fresh(t, "_DequantizeLinear"), "DequantizeLinear", List.of(q, scale, zp), List.of(dq)));
            return dq;
        }

        /** An int8 initializer of {@code w} quantized with {@code p}, read through a DequantizeLinear. */
        String constantDequantized(Tensor w, QuantParams p, String suffix) {
            byte[] q = quantizeWeights(w, p);
            String qName = names.fresh(w.name(), suffix);
            init.put(qName, Tensor.ofRaw(qName, DataType.INT8, w.dims(), q));
            return dequantizeConstant(w.name(), qName, p);
        }

        private String dequantizeConstant(String base, String qName, QuantParams p) {
            long[] shape = p.perChannel() ? new long[] {p.channels()} : new long[0];
            String scale = names.fresh(base, "_scale");
            String zp = names.fresh(base, "_zero_point");
            init.put(scale, Tensor.ofFloats(scale, shape, p.scales()));
            init.put(zp, zeroPoints(zp, p, shape));
            String dq = names.fresh(base, "_dequantized");
            Map<String, Attribute> attrs = p.perChannel() ? Map.of("axis", new Attribute.IntValue(p.axis())) : Map.of();
            nodes.add(Node.of(names.fresh(base, "_DequantizeLinear"), "DequantizeLinear", List.of(qName, scale, zp),
                    List.of(dq), attrs));
            return dq;
        }

        /**
         * An int32 bias with scale {@code sx · sw[c]} and zero point 0, read through a
         * DequantizeLinear; null when a value would not fit in int32 (the bias then stays fp32).
         */
        String bias(Tensor b, float inputScale, QuantParams w) {
            float[] values = b.toFloatArray();
            int[] q = new int[values.length];
            float[] scales = new float[values.length];
            for (int c = 0; c < values.length; c++) {
                float s = inputScale * w.scales()[w.perChannel() ? c : 0];
                double v = Math.rint(values[c] / (double) s);
                if (!(s > 0) || !Float.isFinite(s) || Math.abs(v) > Integer.MAX_VALUE - 1) {
                    return null;
                }
                q[c] = (int) v;
                scales[c] = s;
            }
            String qName = names.fresh(b.name(), "_quantized");
            init.put(qName, Tensor.ofInts(qName, b.dims(), q));
            boolean perChannel = w.perChannel();
            long[] shape = perChannel ? new long[] {values.length} : new long[0];
            String scale = names.fresh(b.name(), "_scale");
            String zp = names.fresh(b.name(), "_zero_point");
            init.put(scale, Tensor.ofFloats(scale, shape, perChannel ? scales : new float[] {scales[0]}));
            init.put(zp, Tensor.ofInts(zp, shape, new int[perChannel ? values.length : 1]));
            String dq = names.fresh(b.name(), "_dequantized");
            Map<String, Attribute> attrs = perChannel ? Map.of("axis", new Attribute.IntValue(0)) : Map.of();
            nodes.add(Node.of(names.fresh(b.name(), "_DequantizeLinear"), "DequantizeLinear", List.of(qName, scale, zp),
                    List.of(dq), attrs));
            return dq;
        }
    }

    static Tensor zeroPoints(String name, QuantParams p, long[] shape) {
        byte[] raw = new byte[p.channels()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) p.zeroPoints()[i];
        }
        return Tensor.ofRaw(name, p.type().dtype(), shape, raw);
    }

    /** The output-channel axis of a weight: 0 for Conv and Gemm with transB, else 1 ([K, N]). */
    static int weightAxis(Node n, int opset) throws QuantizationException {
        return switch (n.opType()) {
            case "Conv" -> 0;
            case "Gemm" -> {
                try {
                    yield GemmAttrs.of(n, opset).transB() ? 0 : 1;
                } catch (ModelLoadException e) {
                    throw new QuantizationException(e.getMessage(), e);
                }
            }
            default -> 1;
        };
    }

    /** Symmetric int8 parameters of a weight, per slice along {@code axis} or for the whole tensor. */
    public static QuantParams weightParams(Tensor w, int axis, boolean perChannel) throws QuantizationException {
        float[] v = w.toFloatArray();
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new QuantizationException("weight '" + w.name() + "' holds " + x + "; it cannot be quantized");
            }
        }
        if (!perChannel) {
            float m = 0;
            for (float x : v) {
                m = Math.max(m, Math.abs(x));
            }
            return QuantParams.symmetric(new float[] {m}, -1);
        }
        long[] d = w.dims();
        int channels = Math.toIntExact(d[axis]);
        int inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner = Math.multiplyExact(inner, Math.toIntExact(d[i]));
        }
        float[] m = new float[channels];
        for (int i = 0; i < v.length; i++) {
            int c = (i / inner) % channels;
            m[c] = Math.max(m[c], Math.abs(v[i]));
        }
        return QuantParams.symmetric(m, axis);
    }

    /** {@code clamp(rint(w / s[c]), -127, 127)} as int8 bytes. */
    static byte[] quantizeWeights(Tensor w, QuantParams p) {
        float[] v = w.toFloatArray();
        long[] d = w.dims();
        int inner = 1;
        if (p.perChannel()) {
            for (int i = p.axis() + 1; i < d.length; i++) {
                inner *= (int) d[i];
            }
        }
        byte[] q = new byte[v.length];
        int lim = QuantType.INT8.symmetricMax();
        for (int i = 0; i < v.length; i++) {
            int c = p.perChannel() ? (i / inner) % p.channels() : 0;
            q[i] = (byte) Math.clamp((long) Math.rint(v[i] / p.scales()[c]), -lim, lim);
        }
        return q;
    }

    private static boolean biasQuantizable(Node n, Graph g, int opset, QuantParams w) {
        String b = n.inputs().get(2);
        Tensor t = g.initializers().get(b);
        if (t == null || t.dtype() != DataType.FLOAT || t.rank() != 1) {
            return false;
        }
        if (n.opType().equals("Gemm")) {
            try {
                GemmAttrs a = GemmAttrs.of(n, opset);
                if (a.alpha() != 1f || a.beta() != 1f) {
                    return false;
                }
            } catch (ModelLoadException e) {
                return false;
            }
        }
        return !w.perChannel() || t.elementCount() == w.channels();
    }

    private static boolean isFloatActivation(Graph g, String t) {
        return !t.isEmpty() && !g.initializers().containsKey(t)
                && g.typeOf(t).map(v -> v.dtype() == DataType.FLOAT).orElse(false);
    }

    /** A constant-bounded Clip's [min, max]. */
    private static float[] clipBounds(Node clip, Graph g, int opset) {
        try {
            ClipAttrs a = ClipAttrs.of(clip, opset);
            float[] b = {a.min(), a.max()};
            if (a.boundsFromInputs()) {
                for (int i = 1; i <= 2 && i < clip.inputs().size(); i++) {
                    Tensor t = clip.inputs().get(i).isEmpty() ? null : g.initializers().get(clip.inputs().get(i));
                    if (t != null) {
                        b[i - 1] = (float) t.getDouble(0);
                    }
                }
            }
            return b;
        } catch (ModelLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TRUE when the Clip's bounds are constants with floor 0, FALSE for other constant bounds, null when not constant. */
    private static Boolean clipFloorIsZero(Node clip, Graph g, int opset) {
        try {
            ClipAttrs a = ClipAttrs.of(clip, opset);
            float min = a.min();
            if (a.boundsFromInputs()) {
                for (int i = 1; i <= 2 && i < clip.inputs().size(); i++) {
                    String name = clip.inputs().get(i);
                    if (name.isEmpty()) {
                        continue;
                    }
                    Tensor t = g.initializers().get(name);
                    if (t == null || t.elementCount() != 1) {
                        return null;
                    }
                    if (i == 1) {
                        min = (float) t.getDouble(0);
                    }
                }
            }
            return min == 0f;
        } catch (ModelLoadException e) {
            return null;
        }
    }

    static boolean excluded(WeightLayer l, Set<String> exclude) {
        return exclude.contains(l.name()) || exclude.contains(l.shortName()) || exclude.contains(l.weightName());
    }

    private static void checkExclusions(List<WeightLayer> layers, Set<String> exclude) throws QuantizationException {
        for (String e : exclude) {
            boolean found = layers.stream().anyMatch(l -> excluded(l, Set.of(e)));
            if (!found) {
                Set<String> known = new TreeSet<>();
                layers.forEach(l -> known.add(l.name()));
                throw new QuantizationException("--exclude names '" + e + "', which is no Conv, Gemm or MatMul layer"
                        + " with a constant weight; the layers are: " + String.join(", ", known));
            }
        }
    }
}
