// Compiles a model for fixed input shapes into a Plan: fold, infer, fuse activations, bind kernels, place memory.
package dev.condense.runtime.vector;

import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.ops.ClipAttrs;
import dev.condense.ops.LeakyReluAttrs;
import dev.condense.passes.FixInputShape;
import dev.condense.passes.FoldBatchNorm;
import dev.condense.passes.GraphPass;
import dev.condense.passes.Passes;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.vector.ops.OpRegistry;
import dev.condense.shape.ShapeInference;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The importer's passes do the graph work: fixing the input shapes lets constant folding collapse
 * every Shape/Gather/Concat chain a PyTorch export computes reshape targets with, and BatchNorm
 * after a convolution or matrix product is folded into its weights. What remains is float32
 * arithmetic on static shapes, which is what the kernels are written for.
 */
final class PlanCompiler {

    private static final Set<String> FUSES_ACTIVATION = Set.of("Conv", "Gemm", "MatMul");

    /**
     * QDQ convolutions of the shape the float engine runs by Winograd stay float (weights dequantized
     * once) unless the system property {@code condense.int8.winograd} is {@code int8}, which sends
     * them through the int8 kernel too (to measure it).
     */
    static final boolean INT8_WINOGRAD_LAYERS = "int8".equals(System.getProperty("condense.int8.winograd"));

    /** The value types an arena holds: float32, and quantized integers as exact floats (docs/RUNTIME.md). */
    static final Set<DataType> HELD_TYPES = Set.of(DataType.FLOAT, DataType.UINT8, DataType.INT8, DataType.INT32);

    /**
     * Ops whose kernels may read a quantized (uint8, int8, int32) activation: the quantization ops,
     * and ops that only move, select or compare values, which are exact on integers held as floats.
     * Any other op reading one is refused rather than computing in float what ONNX defines in integers.
     */
    static final Set<String> READS_QUANTIZED = Set.of("DequantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger",
            "MatMulInteger", "Clip", "Concat", "Dropout", "Flatten", "GlobalMaxPool", "Identity", "Max", "MaxPool", "Min",
            "Pad", "Reshape", "Slice", "Split", "Squeeze", "Transpose", "Unsqueeze");

    /** Ops whose kernels produce quantized values from float ones. */
    static final Set<String> MAKES_QUANTIZED = Set.of("QuantizeLinear", "DynamicQuantizeLinear");


    private PlanCompiler() {
    }

    /**
     * @param shapes   the shape of every float input for this plan
     * @param constant inputs that are not float32 (shape or index tensors), baked into the plan
     */
    static Plan compile(Model model, Map<String, long[]> shapes, Map<String, Tensor> constant, Parallel parallel)
            throws ModelLoadException, SessionException {
        Model prepared = prepare(model, shapes, constant);
        return new PlanCompiler.Build(prepared, parallel).run();
    }

    /** One compilation: the fusion decisions, then kernels in order, then memory placement. */
    private static final class Build {
        private final Graph g;
        private final int opset;
        private final Map<String, Long> opsets;
        private final Parallel parallel;
        private final Map<String, List<Node>> consumers;
        private final Set<String> graphOutputs = new HashSet<>();
        private final Map<String, Operand> operands = new HashMap<>();
        private final Map<String, Operand> inputs = new LinkedHashMap<>();
        /** Nodes whose work another node's kernel does (a fused activation, a Conv run at its Add). */
        private final Set<Node> absorbed = new HashSet<>();
        private final Map<Node, Activation> fusedActivation = new HashMap<>();
        /** Add nodes that run a Conv with the Add's other input as residual: add -> fusion. */
        private final Map<Node, Residual> residuals = new HashMap<>();
        /** Constants the QDQ fusion made (dequantized biases), by name. */
        private final Map<String, Tensor> synthetic = new HashMap<>();
        /** QDQ convolutions and matrix products, each run as one int8 node: anchor node -> fusion. */
        private final Map<Node, QdqFusion> qdq = new HashMap<>();
        private final Map<String, Node> producers;
        /** QuantizeLinear nodes run together with the DequantizeLinear that alone reads them: Q -> merged node. */
        private final Map<Node, Node> roundTrips = new HashMap<>();
        /** Where a node with a fused quantization writes: the DequantizeLinear's output. */
        private final Map<Node, String> fusedTargets = new HashMap<>();

        /** The QLinearConv or QLinearMatMul node that runs a QDQ chain, and the activation it applies. */
        private record QdqFusion(Node node, Activation act) {
        }
        private final List<Kernel> kernels = new ArrayList<>();
        private final List<String> names = new ArrayList<>();
        private final List<String> ops = new ArrayList<>();
        private final List<MemoryPlanner.Region> regions = new ArrayList<>();
        private final Map<Operand, int[]> lifetime = new HashMap<>(); // operand -> {first, last step}
        private final Map<Operand, Operand> aliasRoot = new HashMap<>();
        private int step;

        /** A Conv run at an Add: {@code out = act(conv + residual)}, written to {@code output}. */
        private record Residual(Node conv, String residual, Activation act, String output) {
        }

        Build(Model prepared, Parallel parallel) {
            this.g = prepared.graph();
            this.opset = prepared.opset();
            this.opsets = prepared.opsets();
            this.parallel = parallel;
            this.consumers = g.consumers();
            this.producers = g.producers();
            g.outputs().forEach(v -> graphOutputs.add(v.name()));
        }

        Plan run() throws SessionException {
            for (ValueInfo v : g.inputs()) {
                if (!g.initializers().containsKey(v.name())) {
                    Operand o = activation(g, v.name());
                    operands.put(v.name(), o);
                    inputs.put(v.name(), o);
                    lifetime.put(o, new int[] {0, 0});
                }
            }
            planQdq();
            planFusions();
            for (Node n : g.nodes()) {
                Residual r = residuals.get(n);
                QdqFusion f = qdq.get(n);
                Node roundTrip = roundTrips.get(n);
                if (f != null) {
                    emit(f.node(), null, f.act(), null);
                } else if (roundTrip != null) {
                    emit(roundTrip, null, Activation.NONE, null);
                } else if (r != null) {
                    emit(r.conv(), r.output(), r.act(), operandOf(r.conv(), r.residual()));
                } else if (!absorbed.contains(n)) {
                    Activation act = fusedActivation.getOrDefault(n, Activation.NONE);
                    String out = fusedTargets.containsKey(n) ? fusedTargets.get(n)
                            : act.isNone() ? null : soleUser(n.outputs().getFirst()).outputs().getFirst();
                    emit(n, out, act, null);
                }
            }
            Map<String, Operand> outputs = new LinkedHashMap<>();
            // Outputs that folded to constants are returned as they are, in their own type (an int64 shape, say).
            Map<String, Tensor> constantOutputs = new LinkedHashMap<>();
            for (ValueInfo v : g.outputs()) {
                Tensor c = g.initializers().get(v.name());
                if (c != null) {
                    constantOutputs.put(v.name(), c);
                }
                Operand o = c != null ? constantOperand(c) : operands.get(v.name());
                if (o == null) {
                    throw new SessionException("graph output '" + v.name() + "' is not produced by any node");
                }
                outputs.put(v.name(), o);
                if (!o.isConstant()) {
                    lifetime.get(aliasRoot.getOrDefault(o, o))[1] = Integer.MAX_VALUE;
                }
            }
            for (Map.Entry<Operand, int[]> e : lifetime.entrySet()) {
                regions.add(new MemoryPlanner.Region(e.getKey(), e.getKey().size(), e.getValue()[0], e.getValue()[1]));
            }
            int arena = MemoryPlanner.place(regions);
            for (Map.Entry<Operand, Operand> e : aliasRoot.entrySet()) {
                e.getKey().place(e.getValue().offset());
            }
            return new Plan(kernels, names, ops, inputs, outputs, constantOutputs, arena);
        }

        /**
         * Decides the fusions. A Relu, Clip or LeakyRelu that alone consumes a Conv, Gemm or MatMul
         * output runs inside it. A Conv whose only consumer is an Add of a tensor of its own shape
         * runs at that Add with the other operand as a residual added in its epilogue, and a
         * following Relu joins too: a ResNet block's last convolution, shortcut sum and ReLU
         * become one pass over memory.
         */
        private void planFusions() {
            for (Node n : g.nodes()) {
                if (!n.isDefaultDomain() || !FUSES_ACTIVATION.contains(n.opType()) || qdq.containsKey(n)) {
                    continue;
                }
                Node user = soleUser(n.outputs().getFirst());
                if (user == null) {
                    continue;
                }
                Activation a = activationOf(user, g, opset);
                if (fakeQuantize(n, a != null && user.inputs().getFirst().equals(n.outputs().getFirst()) ? a : null)) {
                    continue;
                }
                if (a != null && user.inputs().getFirst().equals(n.outputs().getFirst())) {
                    fusedActivation.put(n, a);
                    absorbed.add(user);
                } else if (n.opType().equals("Conv") && user.isDefaultDomain() && user.opType().equals("Add")
                        && !residuals.containsKey(user) && !depthwise(n)) {
                    String out = n.outputs().getFirst();
                    String other = user.inputs().get(0).equals(out) ? user.inputs().get(1) : user.inputs().get(0);
                    if (other.equals(out) || g.initializers().containsKey(other) || rank(out) != 4 || !sameShape(out, other)
                            || !sameShape(out, user.outputs().getFirst())) {
                        continue;
                    }
                    String target = user.outputs().getFirst();
                    Activation act = Activation.NONE;
                    Node next = soleUser(target);
                    Activation nextAct = next == null ? null : activationOf(next, g, opset);
                    if (nextAct != null && next.inputs().getFirst().equals(target)) {
                        act = nextAct;
                        absorbed.add(next);
                        target = next.outputs().getFirst();
                    }
                    absorbed.add(n);
                    residuals.put(user, new Residual(n, other, act, target));
                }
            }
        }

        /**
         * Finds the QDQ patterns ONNX Runtime's QDQ transformers run in integers: a Conv, Gemm or
         * MatMul whose input is DequantizeLinear of a uint8/int8 activation with a constant
         * per-tensor scale, whose weight is DequantizeLinear of a constant int8/uint8 tensor (per
         * tensor, or per output channel: axis 0 for Conv and Gemm with transB = 1, axis 1 for
         * MatMul's [K, N]), whose bias (if any) is a float constant or DequantizeLinear of a
         * constant, optionally followed by a Relu or Clip, then by a QuantizeLinear with constant
         * per-tensor parameters as the sole consumer. Each becomes one QLinearConv or QLinearMatMul
         * node (float output when no QuantizeLinear follows). The DequantizeLinear nodes are
         * dropped when every reader of their output was fused.
         */
        private void planQdq() throws SessionException {
            Set<Node> fusedDq = new HashSet<>();
            for (Node n : g.nodes()) {
                if (n.isDefaultDomain() && FUSES_ACTIVATION.contains(n.opType())) {
                    QdqFusion f = qdqFusion(n);
                    if (f != null) {
                        qdq.put(n, f);
                        fusedDq.add(producers.get(n.inputs().get(0)));
                        fusedDq.add(producers.get(n.inputs().get(1)));
                        if (n.inputs().size() > 2 && !n.inputs().get(2).isEmpty()
                                && producers.get(n.inputs().get(2)) != null) {
                            fusedDq.add(producers.get(n.inputs().get(2)));
                        }
                    }
                }
            }
            for (Node dq : fusedDq) {
                String out = dq.outputs().getFirst();
                if (!graphOutputs.contains(out) && consumers.getOrDefault(out, List.of()).stream().allMatch(qdq::containsKey)) {
                    absorbed.add(dq);
                }
            }
            // A QuantizeLinear whose only reader is a DequantizeLinear with the same parameters (the QDQ pair
            // around a value the float kernels compute) runs as one pass that rounds and dequantizes.
            for (Node n : g.nodes()) {
                if (!n.isDefaultDomain() || !n.opType().equals("QuantizeLinear") || absorbed.contains(n)
                        || !constantParams(n, true)) {
                    continue;
                }
                Node dq = soleUser(n.outputs().getFirst());
                if (dq != null && dq.isDefaultDomain() && dq.opType().equals("DequantizeLinear") && !absorbed.contains(dq)
                        && dq.inputs().getFirst().equals(n.outputs().getFirst()) && dq.inputs().get(1).equals(n.inputs().get(1))
                        && paramInput(dq, 2).equals(paramInput(n, 2)) && !qdqConsumers(dq)) {
                    Map<String, dev.condense.ir.Attribute> attrs = new LinkedHashMap<>(n.attributes());
                    attrs.put("condense_dequantize", new dev.condense.ir.Attribute.IntValue(1));
                    roundTrips.put(n, new Node(n.name(), n.opType(), "", n.inputs(), List.of(dq.outputs().getFirst()), attrs));
                    absorbed.add(dq);
                }
            }
            // The other DequantizeLinear nodes of constants (weights of layers left to the float kernels) are
            // computed once here, so those layers see constant float weights and pack them at build time.
            for (Node n : g.nodes()) {
                if (n.isDefaultDomain() && n.opType().equals("DequantizeLinear") && !absorbed.contains(n)
                        && g.initializers().containsKey(n.inputs().getFirst()) && constantParams(n, false)) {
                    Tensor folded = dequantized(n);
                    if (folded != null) {
                        synthetic.put(n.outputs().getFirst(), folded);
                        absorbed.add(n);
                    }
                }
            }
        }

        /**
         * A DequantizeLinear of constants computed now, when its scale and zero point are well formed
         * (else null: its kernel then refuses them by name). Per tensor or along its axis.
         */
        private Tensor dequantized(Node dq) {
            Tensor x = g.initializers().get(dq.inputs().getFirst());
            Tensor s = g.initializers().get(dq.inputs().get(1));
            String zpName = paramInput(dq, 2);
            Tensor z = zpName.isEmpty() ? null : g.initializers().get(zpName);
            if (z != null && (z.dtype() != x.dtype() || z.elementCount() != s.elementCount())) {
                return null;
            }
            for (long i = 0; i < s.elementCount(); i++) {
                if (!(s.getFloat(i) > 0) || Float.isInfinite(s.getFloat(i))) {
                    return null;
                }
            }
            int inner = 1;
            int channels = 1;
            if (s.elementCount() > 1) {
                long axis = dq.attribute("axis").map(v -> v instanceof dev.condense.ir.Attribute.IntValue(long a) ? a : 1L)
                        .orElse(1L);
                axis = axis < 0 ? axis + x.rank() : axis;
                if (axis < 0 || axis >= x.rank() || x.dim((int) axis) != s.elementCount() || s.rank() != 1) {
                    return null;
                }
                channels = Math.toIntExact(s.elementCount());
                for (int d = (int) axis + 1; d < x.rank(); d++) {
                    inner = Math.multiplyExact(inner, Math.toIntExact(x.dim(d)));
                }
            }
            float[] v = new float[Math.toIntExact(x.elementCount())];
            for (int i = 0; i < v.length; i++) {
                int c = channels == 1 ? 0 : (i / inner) % channels;
                float zero = z == null ? 0f : (float) z.getDouble(c);
                v[i] = ((float) x.getDouble(i) - zero) * s.getFloat(c);
            }
            return Tensor.ofFloats(dq.outputs().getFirst(), x.dims(), v);
        }

        /**
         * True for a convolution the float engine runs by Winograd's F(2x2, 3x3) (the rule of
         * {@code WinogradConv.applies}): 2.25x fewer multiplies than any direct int8 product, and
         * measured 1.3-2x faster than the int8 kernel on VGG-16's 3x3 layers (docs/RUNTIME.md).
         */
        private boolean winogradShape(Node conv, Tensor w) {
            var x = g.typeOf(conv.inputs().getFirst());
            var y = g.typeOf(conv.outputs().getFirst());
            if (w.rank() != 4 || w.dim(2) != 3 || w.dim(3) != 3 || x.isEmpty() || y.isEmpty() || !y.get().isStatic()
                    || !x.get().isStatic()) {
                return false;
            }
            long[] ys = dev.condense.ir.Dim.sizes(y.get().shape().orElseThrow());
            long[] xs = dev.condense.ir.Dim.sizes(x.get().shape().orElseThrow());
            return allOnes(conv, "strides") && allOnes(conv, "dilations") && longAttr(conv, "group", 1) == 1
                    && xs[1] >= 16 && w.dim(0) >= 16 && ys[2] >= 6 && ys[3] >= 6;
        }

        private static boolean allOnes(Node n, String name) {
            return n.attribute(name).map(a -> a instanceof dev.condense.ir.Attribute.Ints(long[] v)
                    && java.util.Arrays.stream(v).allMatch(e -> e == 1)).orElse(true);
        }

        private static long longAttr(Node n, String name, long dflt) {
            return n.attribute(name).map(a -> a instanceof dev.condense.ir.Attribute.IntValue(long v) ? v : dflt).orElse(dflt);
        }

        /** True when a fused int8 node reads {@code dq}'s output (then its input must stay quantized). */
        private boolean qdqConsumers(Node dq) {
            return consumers.getOrDefault(dq.outputs().getFirst(), List.of()).stream().anyMatch(qdq::containsKey);
        }

        /** The fusion of {@code n} when its inputs and output follow the QDQ pattern; else null. */
        private QdqFusion qdqFusion(Node n) throws SessionException {
            Node dx = producerOf(n, 0, "DequantizeLinear");
            Node dw = producerOf(n, 1, "DequantizeLinear");
            if (dx == null || dw == null || g.initializers().containsKey(dx.inputs().getFirst())
                    || !isQuantized(dx.inputs().getFirst()) || !constantParams(dx, true)
                    || !g.initializers().containsKey(dw.inputs().getFirst()) || !isQuantized(dw.inputs().getFirst())
                    || !constantParams(dw, false)) {
                return null;
            }
            boolean conv = n.opType().equals("Conv");
            boolean gemm = n.opType().equals("Gemm");
            boolean weightsNK = conv;
            if (gemm) {
                try {
                    dev.condense.ops.GemmAttrs a = dev.condense.ops.GemmAttrs.of(n, opset);
                    if (a.alpha() != 1f || a.beta() != 1f || a.transA()) {
                        return null;
                    }
                    weightsNK = a.transB();
                } catch (ModelLoadException e) {
                    return null;
                }
            }
            Tensor wq = g.initializers().get(dw.inputs().getFirst());
            if (conv ? wq.rank() < 3 : wq.rank() != 2) {
                return null;
            }
            if (conv && !INT8_WINOGRAD_LAYERS && winogradShape(n, wq)) {
                return null; // dequantized at compile time and run by the float Winograd kernel, which is faster
            }
            if (conv && depthwise(n) && wq.dim(0) == rank4Channels(n)) {
                return null; // no int8 depthwise kernel yet: the float one, weights dequantized at compile time
            }
            Tensor sw = g.initializers().get(dw.inputs().get(1));
            if (sw.elementCount() > 1) {
                long axis = dw.attribute("axis").map(v -> v instanceof dev.condense.ir.Attribute.IntValue(long x) ? x : 1L)
                        .orElse(1L);
                axis = axis < 0 ? axis + wq.rank() : axis;
                if (axis != (weightsNK ? 0 : 1)) {
                    return null;
                }
            }
            // The bias, dequantized now: a float constant the kernel divides by x_scale * w_scale[c].
            String bias = "";
            int biasInput = conv || gemm ? 2 : -1;
            if (biasInput > 0 && n.inputs().size() > biasInput && !n.inputs().get(biasInput).isEmpty()) {
                Tensor b = biasTensor(n.inputs().get(biasInput));
                long outputs = weightsNK ? wq.dim(0) : wq.dim(1);
                if (b == null || b.elementCount() != outputs || b.rank() > 2 || (b.rank() == 2 && b.dim(0) != 1)) {
                    return null;
                }
                bias = n.name() + "#bias" + synthetic.size();
                synthetic.put(bias, b.withName(bias));
            }
            if (!conv && rank(n.inputs().getFirst()) < 2) {
                return null;
            }
            // The output: through an optional Relu or Clip, into a QuantizeLinear when one follows.
            String target = n.outputs().getFirst();
            Activation act = Activation.NONE;
            Node user = soleUser(target);
            Activation a = user == null ? null : activationOf(user, g, opset);
            if (a != null && user.inputs().getFirst().equals(target)) {
                act = a;
                target = user.outputs().getFirst();
                user = soleUser(target);
            }
            Node q = user != null && user.isDefaultDomain() && user.opType().equals("QuantizeLinear")
                    && user.inputs().getFirst().equals(target) && constantParams(user, true)
                    && act.kind() != Activation.Kind.LEAKY_RELU ? user : null;
            Node fusedAct = act.isNone() ? null : soleUser(n.outputs().getFirst());
            if (fusedAct != null) {
                absorbed.add(fusedAct);
            }
            List<String> inputs = new ArrayList<>(List.of(dx.inputs().get(0), dx.inputs().get(1), paramInput(dx, 2),
                    dw.inputs().get(0), dw.inputs().get(1), paramInput(dw, 2),
                    q == null ? "" : q.inputs().get(1), q == null ? "" : paramInput(q, 2), bias));
            Map<String, dev.condense.ir.Attribute> attrs = new LinkedHashMap<>();
            if (conv) {
                attrs.putAll(n.attributes());
            } else if (weightsNK) {
                attrs.put("condense_weights_nk", new dev.condense.ir.Attribute.IntValue(1));
            }
            if (q != null) {
                absorbed.add(q);
                target = q.outputs().getFirst();
            }
            Node fused = new Node(n.name(), conv ? "QLinearConv" : "QLinearMatMul", "", inputs, List.of(target), attrs);
            return new QdqFusion(fused, act);
        }

        /** The node producing input {@code i} of {@code n} when it is an {@code op}; else null. */
        private Node producerOf(Node n, int i, String op) {
            if (n.inputs().size() <= i) {
                return null;
            }
            Node p = producers.get(n.inputs().get(i));
            return p != null && p.isDefaultDomain() && p.opType().equals(op) ? p : null;
        }

        private boolean isQuantized(String value) {
            return g.typeOf(value).map(v -> v.dtype() == DataType.UINT8 || v.dtype() == DataType.INT8).orElse(false);
        }

        /** True when a Q/DQ node's scale and zero point are constants ({@code scalar}: one value each). */
        private boolean constantParams(Node n, boolean scalar) {
            Tensor s = n.inputs().size() > 1 ? g.initializers().get(n.inputs().get(1)) : null;
            String zp = paramInput(n, 2);
            Tensor z = zp.isEmpty() ? null : g.initializers().get(zp);
            return s != null && (zp.isEmpty() || z != null) && (!scalar || s.elementCount() == 1);
        }

        private static String paramInput(Node n, int i) {
            return n.inputs().size() > i ? n.inputs().get(i) : "";
        }

        /** A bias as float32: a float constant, or DequantizeLinear of a constant (dequantized here); else null. */
        private Tensor biasTensor(String value) {
            Tensor c = g.initializers().get(value);
            if (c != null) {
                return c.dtype() == DataType.FLOAT ? c : null;
            }
            Node dq = producers.get(value);
            if (dq == null || !dq.isDefaultDomain() || !dq.opType().equals("DequantizeLinear") || !constantParams(dq, false)
                    || !g.initializers().containsKey(dq.inputs().getFirst())) {
                return null;
            }
            Tensor b = g.initializers().get(dq.inputs().getFirst());
            Tensor s = g.initializers().get(dq.inputs().get(1));
            String zpName = paramInput(dq, 2);
            Tensor z = zpName.isEmpty() ? null : g.initializers().get(zpName);
            if (s.elementCount() != 1 && s.elementCount() != b.elementCount() || b.rank() > 1 && b.elementCount() != s.elementCount() && s.elementCount() != 1) {
                return null;
            }
            for (long i = 0; i < s.elementCount(); i++) {
                if (!(s.getFloat(i) > 0) || Float.isInfinite(s.getFloat(i))) {
                    return null; // left to DequantizeLinear's kernel, which refuses it by name
                }
            }
            float[] v = new float[Math.toIntExact(b.elementCount())];
            for (int i = 0; i < v.length; i++) {
                int c2 = s.elementCount() == 1 ? 0 : i;
                double zero = z == null ? 0 : z.getDouble(c2);
                v[i] = (float) ((b.getDouble(i) - zero) * s.getFloat(c2));
            }
            return Tensor.ofFloats(value, b.dims(), v);
        }

        /** The channel count of a convolution's input, or -1 when unknown. */
        private long rank4Channels(Node conv) {
            var x = g.typeOf(conv.inputs().getFirst());
            return x.isPresent() && x.get().isStatic() && x.get().rank() > 1
                    ? dev.condense.ir.Dim.sizes(x.get().shape().orElseThrow())[1] : -1;
        }

        /**
         * Fuses into a float Conv, Gemm or MatMul the QuantizeLinear and DequantizeLinear pair that
         * follows it (after {@code act}, a Relu or Clip, when not null): the QDQ pair around a layer
         * left to the float kernels then costs no pass of its own. True when it did.
         */
        private boolean fakeQuantize(Node n, Activation act) {
            if (n.opType().equals("Conv") && depthwise(n)) {
                return false;
            }
            if (act != null && act.kind() != Activation.Kind.RELU && act.kind() != Activation.Kind.CLIP) {
                return false;
            }
            String value = n.outputs().getFirst();
            Node actNode = null;
            if (act != null) {
                actNode = soleUser(value);
                value = actNode.outputs().getFirst();
            }
            Node q = soleUser(value);
            Node merged = q == null ? null : roundTrips.get(q);
            if (merged == null || !q.inputs().getFirst().equals(value)) {
                return false;
            }
            Tensor scale = g.initializers().get(q.inputs().get(1));
            String zpName = paramInput(q, 2);
            Tensor zp = zpName.isEmpty() ? null : g.initializers().get(zpName);
            DataType type = zp == null ? DataType.UINT8 : zp.dtype();
            float s = scale.getFloat(0);
            if (!(s > 0) || Float.isInfinite(s) || (type != DataType.UINT8 && type != DataType.INT8)) {
                return false; // left to QuantizeLinear's kernel, which refuses it by name
            }
            int zero = zp == null ? 0 : (int) zp.getLong(0);
            float lo = type == DataType.UINT8 ? 0 : -128;
            float hi = type == DataType.UINT8 ? 255 : 127;
            fusedActivation.put(n, Activation.fakeQuant(act == null ? Activation.NONE : act, s, zero, lo, hi));
            fusedTargets.put(n, merged.outputs().getFirst());
            roundTrips.remove(q);
            absorbed.add(q);
            if (actNode != null) {
                absorbed.add(actNode);
            }
            return true;
        }

        /** True for a Conv with one input channel per group, which runs outside the GEMM epilogue. */
        private boolean depthwise(Node conv) {
            long group = conv.attribute("group").map(a -> a instanceof dev.condense.ir.Attribute.IntValue(long v) ? v : 1L)
                    .orElse(1L);
            var x = g.typeOf(conv.inputs().getFirst());
            return group > 1 && x.isPresent() && x.get().isStatic() && x.get().shape().orElseThrow().size() > 1
                    && x.get().shape().orElseThrow().get(1).equals(dev.condense.ir.Dim.of(group));
        }

        /** The one node reading {@code value}, when exactly one does and it is not a graph output; else null. */
        private Node soleUser(String value) {
            List<Node> users = consumers.getOrDefault(value, List.of());
            return users.size() == 1 && !graphOutputs.contains(value) ? users.getFirst() : null;
        }

        private int rank(String value) {
            return g.typeOf(value).map(ValueInfo::rank).orElse(-1);
        }

        private boolean sameShape(String a, String b) {
            var ta = g.typeOf(a);
            var tb = g.typeOf(b);
            return ta.isPresent() && tb.isPresent() && ta.get().isStatic() && tb.get().isStatic()
                    && ta.get().shape().equals(tb.get().shape());
        }

        private Operand operandOf(Node n, String name) throws SessionException {
            Tensor c = g.initializers().get(name);
            c = c != null ? c : synthetic.get(name);
            Operand o = c != null ? constantOperand(c) : operands.get(name);
            if (o == null) {
                throw new SessionException(KernelContext.label(n) + " reads '" + name
                        + "', which nothing before it produces");
            }
            return o;
        }

        /**
         * Builds the kernel of {@code n} at the current step; its first output is written to
         * {@code fusedOutput} when a fused node takes over the result.
         */
        private void emit(Node n, String fusedOutput, Activation act, Operand residual) throws SessionException {
            // Before the operands: an op the engine lacks often has outputs shape inference cannot type
            // either, and the missing kernel is the error worth reporting.
            int version = n.isDefaultDomain() ? opset : opsets.getOrDefault(n.domain(), 1L).intValue();
            var found = OpRegistry.find(n.domain(), n.opType(), version);
            if (found.isEmpty()) {
                String versions = OpRegistry.versions(n.domain(), n.opType());
                throw new SessionException((n.name().isEmpty() ? n.describe() : "node '" + n.name() + "'")
                        + ": the vector engine has no kernel for "
                        + (n.isDefaultDomain() ? "" : n.domain() + ".") + n.opType() + " at opset " + version
                        + (versions.isEmpty() ? "; it has kernels for " + String.join(", ", OpRegistry.ops())
                        : "; it has versions " + versions));
            }
            List<Operand> ins = new ArrayList<>();
            List<Tensor> consts = new ArrayList<>();
            for (String name : n.inputs()) {
                if (name.isEmpty()) {
                    ins.add(null);
                    consts.add(null);
                } else {
                    Tensor c = g.initializers().get(name);
                    c = c != null ? c : synthetic.get(name);
                    consts.add(c);
                    Operand o = operandOf(n, name);
                    if (o.dtype() != DataType.FLOAT && !o.isConstant() && !READS_QUANTIZED.contains(n.opType())) {
                        throw new SessionException(KernelContext.label(n) + " reads '" + name + "', a "
                                + o.dtype().displayName() + " value; the vector engine computes " + n.opType()
                                + " in float32 only, and quantized values may flow only into "
                                + String.join(", ", new java.util.TreeSet<>(READS_QUANTIZED)));
                    }
                    ins.add(o);
                }
            }
            List<Operand> outs = new ArrayList<>();
            for (int j = 0; j < n.outputs().size(); j++) {
                String name = n.outputs().get(j);
                String target = j == 0 && fusedOutput != null ? fusedOutput : name;
                Operand o = name.isEmpty() ? new Operand(n.name() + "#unused" + j, new long[] {0}, null)
                        : activation(g, target);
                operands.put(name, o);
                operands.put(target, o);
                outs.add(o);
            }
            for (Operand o : outs) {
                if (o.dtype() != DataType.FLOAT && !READS_QUANTIZED.contains(n.opType())
                        && !MAKES_QUANTIZED.contains(n.opType())) {
                    throw new SessionException(KernelContext.label(n) + " computes '" + o.name() + "', a "
                            + o.dtype().displayName() + " value; the vector engine computes " + n.opType()
                            + " in float32 only (integer values come only from the quantization ops and ops that"
                            + " move or compare them exactly)");
                }
            }
            KernelContext ctx = new KernelContext(n, opset, ins, consts, outs, parallel, act, residual);
            kernels.add(found.get().factory().create(ctx));
            names.add(n.name());
            ops.add(n.opType());
            List<Operand> reads = new ArrayList<>(ins);
            reads.add(residual);
            for (Operand in : reads) {
                if (in != null && !in.isConstant()) {
                    lifetime.get(aliasRoot.getOrDefault(in, in))[1] = step;
                }
            }
            for (int j = 0; j < outs.size(); j++) {
                Operand o = outs.get(j);
                if (ctx.aliasOf[j] >= 0) {
                    Operand root = aliasRoot.getOrDefault(ins.get(ctx.aliasOf[j]), ins.get(ctx.aliasOf[j]));
                    aliasRoot.put(o, root);
                    lifetime.get(root)[1] = step;
                } else {
                    lifetime.put(o, new int[] {step, step});
                }
            }
            for (Operand sc : ctx.scratch) {
                regions.add(new MemoryPlanner.Region(sc, sc.size(), step, step));
            }
            if (residual != null && !ctx.residualTaken) {
                throw new SessionException(KernelContext.label(n) + ": kernel " + n.opType()
                        + " was given a residual it does not add");
            }
            step++;
        }
    }

    /** Fixes input shapes, bakes non-float inputs in, folds constants and BatchNorm, infers every shape. */
    static Model prepare(Model model, Map<String, long[]> shapes, Map<String, Tensor> constant)
            throws ModelLoadException {
        Model m = model;
        if (!constant.isEmpty()) {
            Graph g = m.graph();
            Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
            for (Map.Entry<String, Tensor> e : constant.entrySet()) {
                init.put(e.getKey(), e.getValue().withName(e.getKey()));
            }
            List<ValueInfo> ins = g.inputs().stream().filter(v -> !constant.containsKey(v.name())).toList();
            m = m.withGraph(g.withInputs(ins).withInitializers(init));
        }
        List<GraphPass> passes = new ArrayList<>();
        passes.add(new FixInputShape(shapes));
        passes.addAll(Passes.simplify());
        passes.add(new FoldBatchNorm());
        m = ShapeInference.infer(Passes.run(m, passes));
        return m;
    }

    private static Operand activation(Graph g, String name) throws SessionException {
        ValueInfo v = g.typeOf(name).orElseThrow(() -> new SessionException("value '" + name + "' has no known type"));
        if (!HELD_TYPES.contains(v.dtype())) {
            throw new SessionException("value '" + name + "' is " + v.typeString() + " at run time; the vector engine"
                    + " computes float32 and holds uint8, int8 and int32 quantized values (shape and index values must"
                    + " fold to constants once input shapes are fixed)");
        }
        if (!v.isStatic()) {
            throw new SessionException("value '" + name + "' has shape " + v.typeString()
                    + " even with the input shapes fixed; the vector engine needs static shapes");
        }
        return new Operand(name, dev.condense.ir.Dim.sizes(v.shape().orElseThrow()), null, v.dtype());
    }

    private static Operand constantOperand(Tensor t) {
        float[] values;
        if (t.dtype() == DataType.FLOAT) {
            values = t.toFloatArray();
        } else {
            long n = t.elementCount();
            values = new float[Math.toIntExact(n)];
            for (int i = 0; i < n; i++) {
                values[i] = (float) t.getDouble(i);
            }
        }
        return new Operand(t.name(), t.dims(), values, HELD_TYPES.contains(t.dtype()) ? t.dtype() : DataType.FLOAT);
    }

    /** The activation {@code user} applies, when it is one the producer's kernel can fuse; else null. */
    private static Activation activationOf(Node user, Graph g, int opset) {
        if (!user.isDefaultDomain()) {
            return null;
        }
        return switch (user.opType()) {
            case "Relu" -> Activation.RELU;
            case "LeakyRelu" -> {
                try {
                    yield Activation.leakyRelu(LeakyReluAttrs.of(user, opset).alpha());
                } catch (ModelLoadException e) {
                    yield null;
                }
            }
            case "Clip" -> clipBounds(user, g, opset);
            default -> null;
        };
    }

    /** Clip's bounds when they are constants (attributes before opset 11, initializer inputs after); else null. */
    private static Activation clipBounds(Node clip, Graph g, int opset) {
        try {
            ClipAttrs attrs = ClipAttrs.of(clip, opset);
            float[] bounds = {attrs.min(), attrs.max()};
            if (attrs.boundsFromInputs()) {
                for (int i = 1; i <= 2; i++) {
                    if (i < clip.inputs().size() && !clip.inputs().get(i).isEmpty()) {
                        Tensor t = g.initializers().get(clip.inputs().get(i));
                        if (t == null || t.elementCount() != 1) {
                            return null;
                        }
                        bounds[i - 1] = (float) t.getDouble(0);
                    }
                }
            }
            return Activation.clip(bounds[0], bounds[1]);
        } catch (ModelLoadException e) {
            return null;
        }
    }
}
