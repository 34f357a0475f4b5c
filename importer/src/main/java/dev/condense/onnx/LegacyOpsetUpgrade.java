// Rewrites a graph of opsets 1 to 6 (the early PyTorch conversions) into its opset-7 equivalent at import.
package dev.condense.onnx;

import dev.condense.ir.Attribute;
import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;

/**
 * Opset 7 replaced the per-op {@code broadcast}/{@code axis} attributes by NumPy broadcasting and
 * dropped {@code is_test}; the opsets before 6 also carried {@code consumed_inputs}, Reshape's
 * shape as an attribute, Concat's default axis and Pad's {@code paddings}. Everything downstream of the importer (shape inference, runtimes, ONNX
 * Runtime itself, which has no kernels for several opset-6 ops) then sees opsets 7 to 22 only.
 * Legacy broadcasting of B into A from {@code axis} becomes NumPy broadcasting by giving B
 * trailing dimensions of size 1; PRelu's per-channel slope {@code [C]} likewise becomes
 * {@code [C, 1, ...]}.
 */
final class LegacyOpsetUpgrade {

    private static final Set<String> LEGACY_BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "And", "Or",
            "Xor", "Equal", "Greater", "Less");

    private LegacyOpsetUpgrade() {
    }

    static Model apply(Model model) throws ModelLoadException {
        if (model.opset() >= 7) {
            return model;
        }
        Graph g = model.graph();
        Map<String, Integer> ranks = new HashMap<>();
        for (ValueInfo v : g.inputs()) {
            ranks.put(v.name(), v.rank());
        }
        for (ValueInfo v : g.valueInfo().values()) {
            ranks.put(v.name(), v.rank());
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>(g.initializers());
        initializers.values().forEach(t -> ranks.put(t.name(), t.rank()));
        Map<String, Integer> uses = new HashMap<>();
        Set<String> taken = new HashSet<>(initializers.keySet());
        g.inputs().forEach(v -> taken.add(v.name()));
        for (Node n : g.nodes()) {
            n.inputs().forEach(i -> uses.merge(i, 1, Integer::sum));
            taken.addAll(n.outputs());
        }

        List<Node> nodes = new ArrayList<>();
        for (Node original : g.nodes()) {
            Node n = original;
            Node out = n;
            if (!n.isDefaultDomain()) {
                nodes.add(n);
                continue;
            }
            Map<String, Attribute> attrs = new LinkedHashMap<>(n.attributes());
            if (attrs.remove("consumed_inputs") != null) {
                // an in-place hint of opsets 1 to 5 that no runtime needs
                out = n = n.withAttributes(attrs);
            }
            if (n.opType().equals("Reshape") && attrs.containsKey("shape")) {
                // Reshape-1 took the shape as an attribute; from Reshape-5 on it is an input
                long[] shape = ((Attribute.Ints) requireType(n, "shape", Attribute.Ints.class)).values();
                attrs.remove("shape");
                String shapeName = freshName(n.output() + "_shape", taken);
                initializers.put(shapeName, Tensor.vector(shapeName, shape));
                out = n = new Node(n.name(), n.opType(), n.domain(), List.of(n.inputs().getFirst(), shapeName),
                        n.outputs(), attrs);
            } else if (n.opType().equals("Concat") && !attrs.containsKey("axis")) {
                attrs.put("axis", Attribute.of(1L)); // Concat-1's default; Concat-4 made axis required
                out = n = n.withAttributes(attrs);
            } else if (n.opType().equals("Pad") && attrs.containsKey("paddings")) {
                attrs.put("pads", attrs.remove("paddings")); // renamed in Pad-2
                out = n = n.withAttributes(attrs);
            }
            if (LEGACY_BROADCAST.contains(n.opType()) && attrs.containsKey("broadcast")) {
                long broadcast = intAttr(n, "broadcast", 0);
                boolean hasAxis = attrs.remove("axis") != null;
                attrs.remove("broadcast");
                if (broadcast != 0 && hasAxis && n.inputs().size() == 2) {
                    out = alignTrailing(n, intAttr(n, "axis", 0), ranks, initializers, taken, uses, nodes);
                }
                out = out.withAttributes(attrs);
            } else if (n.opType().equals("Gemm")) {
                attrs.remove("broadcast"); // Gemm-7 broadcasts C unidirectionally, which covers Gemm-6's cases
                out = n.withAttributes(attrs);
            } else if (n.opType().equals("BatchNormalization") || n.opType().equals("Dropout")) {
                attrs.remove("is_test"); // inference is the only mode Condense runs
                out = n.withAttributes(attrs);
            } else if (n.opType().equals("PRelu") && n.inputs().size() == 2) {
                out = channelSlope(n, ranks, initializers, taken, uses);
            }
            nodes.add(out);
            Integer r = ranks.get(out.inputs().isEmpty() ? "" : out.inputs().getFirst());
            if (r != null && isElementwise(out.opType())) {
                out.outputs().forEach(o -> ranks.put(o, r));
            }
        }
        Map<String, Long> opsets = new LinkedHashMap<>(model.opsets());
        opsets.put("", 7L);
        Graph upgraded = GraphValidator.validate(
                new Graph(g.name(), nodes, g.inputs(), g.outputs(), initializers, g.valueInfo()));
        return new Model(Math.max(model.irVersion(), Model.irVersionFor(7)), opsets, model.producerName(),
                model.producerVersion(), model.docString(), model.metadata(), upgraded);
    }

    private static boolean isElementwise(String op) {
        return switch (op) {
            case "Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Elu", "Selu", "LeakyRelu", "Softsign",
                 "Softplus", "Dropout", "BatchNormalization", "PRelu", "Clip" -> true;
            default -> false;
        };
    }

    private static Attribute requireType(Node n, String key, Class<? extends Attribute> type) throws ModelLoadException {
        Attribute a = n.attributes().get(key);
        if (!type.isInstance(a)) {
            throw new ModelLoadException(n.describe() + ": attribute '" + key + "' must be of type "
                    + type.getSimpleName() + ", got " + (a == null ? "nothing" : a.typeName()));
        }
        return a;
    }

    private static long intAttr(Node n, String key, long dflt) throws ModelLoadException {
        Attribute a = n.attributes().get(key);
        if (a == null) {
            return dflt;
        }
        if (a instanceof Attribute.IntValue(long v)) {
            return v;
        }
        throw new ModelLoadException(n.describe() + ": attribute '" + key + "' must be an INT, got " + a.typeName());
    }

    /** B broadcast into A from {@code axis}: append size-1 dims to B so NumPy rules align it the same way. */
    private static Node alignTrailing(Node n, long axis, Map<String, Integer> ranks, Map<String, Tensor> initializers,
                                      Set<String> taken, Map<String, Integer> uses, List<Node> nodes)
            throws ModelLoadException {
        String a = n.inputs().get(0);
        String b = n.inputs().get(1);
        Integer rankA = ranks.get(a);
        Integer rankB = ranks.get(b);
        if (rankA == null || rankA < 0 || rankB == null || rankB < 0) {
            throw new ModelLoadException(n.describe() + " uses opset-6 broadcasting with axis=" + axis
                    + ", which needs the ranks of '" + a + "' and '" + b + "'; they are not declared");
        }
        long ax = axis < 0 ? axis + rankA : axis;
        long trailing = rankA - ax - rankB;
        if (ax < 0 || trailing < 0) {
            throw new ModelLoadException(n.describe() + ": broadcast axis " + axis + " does not fit B of rank " + rankB
                    + " into A of rank " + rankA);
        }
        if (trailing == 0) {
            return n;
        }
        long[] axes = new long[(int) trailing];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = rankB + i;
        }
        Tensor t = initializers.get(b);
        String aligned = freshName(b + "_aligned", taken);
        if (t != null && uses.getOrDefault(b, 0) == 1) {
            initializers.put(aligned, reshapedWithOnes(t, aligned, (int) trailing));
        } else {
            nodes.add(Node.of(aligned + "_unsqueeze", "Unsqueeze", List.of(b), List.of(aligned),
                    Map.of("axes", Attribute.ints(axes))));
        }
        ranks.put(aligned, rankA - (int) ax);
        return n.withInputs(List.of(a, aligned));
    }

    /** PRelu-6 applied a slope of shape [C] per channel; PRelu-7 needs it as [C, 1, ...]. */
    private static Node channelSlope(Node n, Map<String, Integer> ranks, Map<String, Tensor> initializers,
                                     Set<String> taken, Map<String, Integer> uses) {
        String x = n.inputs().get(0);
        String slope = n.inputs().get(1);
        Tensor t = initializers.get(slope);
        Integer rankX = ranks.get(x);
        if (t == null || t.rank() != 1 || t.dim(0) == 1 || rankX == null || rankX < 3) {
            return n;
        }
        String aligned = uses.getOrDefault(slope, 0) == 1 ? slope : freshName(slope + "_per_channel", taken);
        initializers.put(aligned, reshapedWithOnes(t, aligned, rankX - 2));
        if (!aligned.equals(slope)) {
            return n.withInputs(List.of(x, aligned));
        }
        return n;
    }

    private static Tensor reshapedWithOnes(Tensor t, String name, int ones) {
        long[] dims = new long[t.rank() + ones];
        System.arraycopy(t.dims(), 0, dims, 0, t.rank());
        for (int i = t.rank(); i < dims.length; i++) {
            dims[i] = 1;
        }
        return t.reshaped(dims).withName(name);
    }

    /** A value name no input, initializer or node output uses yet; it is reserved on return. */
    private static String freshName(String base, Set<String> taken) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        taken.add(name);
        return name;
    }
}
