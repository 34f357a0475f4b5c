// Raises an opset 11 or 12 model to opset 13, rewriting the few ops whose form changed, so per-axis quantization can be written into it.
package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ops.SoftmaxAttrs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Between opsets 11 and 13 most ops only gained element types. The ones whose form changed:
 * Squeeze, Unsqueeze and ReduceSum take {@code axes}, and Split takes {@code split}, as an input
 * instead of an attribute; Softmax, LogSoftmax and Hardmax stopped flattening their input to 2-D
 * around {@code axis}, which is the same computation only when {@code axis} is the last axis (then
 * written as -1; otherwise the upgrade is refused, since the graph would need a Reshape pair).
 * Needs value types for the Softmax ranks (run after shape inference). Other domains are left alone.
 */
public final class UpgradeToOpset13 implements GraphPass {

    private static final Set<String> AXES_TO_INPUT = Set.of("Squeeze", "Unsqueeze", "ReduceSum");
    private static final Set<String> SOFTMAX = Set.of("Softmax", "LogSoftmax", "Hardmax");

    @Override
    public Model apply(Model model) throws ModelLoadException {
        int opset = model.opset();
        if (opset >= 13) {
            return model;
        }
        if (opset < 11) {
            throw new ModelLoadException("cannot raise an opset " + opset + " model to 13: only opsets 11 and 12 are upgraded");
        }
        Graph g = model.graph();
        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        Set<String> names = ValueNames.allNames(g);
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            nodes.add(n.isDefaultDomain() ? upgrade(n, g, opset, init, names) : n);
        }
        Map<String, Long> opsets = new HashMap<>(model.opsets());
        opsets.put("", 13L);
        opsets.remove("ai.onnx");
        Graph out = new Graph(g.name(), nodes, g.inputs(), g.outputs(), init, g.valueInfo());
        return new Model(Math.max(model.irVersion(), Model.irVersionFor(13)), opsets, model.producerName(),
                model.producerVersion(), model.docString(), model.metadata(), out);
    }

    private static Node upgrade(Node n, Graph g, int opset, Map<String, Tensor> init, Set<String> names)
            throws ModelLoadException {
        String op = n.opType();
        if (AXES_TO_INPUT.contains(op)) {
            return attributeToInput(n, "axes", 1, init, names);
        }
        if (op.equals("Split")) {
            return attributeToInput(n, "split", 1, init, names);
        }
        if (SOFTMAX.contains(op)) {
            long axis = SoftmaxAttrs.of(n, opset).axis();
            int rank = g.typeOf(n.inputs().getFirst()).map(v -> v.shape().isPresent() ? v.rank() : -1).orElse(-1);
            if (rank < 0) {
                throw new ModelLoadException(describe(n) + ": its input's rank is unknown, so whether opset 13's " + op
                        + " computes the same cannot be told");
            }
            long normalized = axis < 0 ? axis + rank : axis;
            if (normalized != rank - 1) {
                throw new ModelLoadException(describe(n) + " normalizes over axes " + normalized + ".." + (rank - 1)
                        + " of a rank-" + rank + " input flattened to 2-D; opset 13's " + op + " takes one axis, so the"
                        + " model cannot be raised to opset 13 as it is");
            }
            Map<String, Attribute> attrs = new LinkedHashMap<>(n.attributes());
            attrs.put("axis", new Attribute.IntValue(-1));
            return n.withAttributes(attrs);
        }
        return n;
    }

    /** Moves an ints attribute to an int64 initializer at input {@code slot}; a node without it is unchanged. */
    private static Node attributeToInput(Node n, String key, int slot, Map<String, Tensor> init, Set<String> names)
            throws ModelLoadException {
        Attribute a = n.attributes().get(key);
        if (a == null) {
            return n;
        }
        if (!(a instanceof Attribute.Ints(long[] values))) {
            throw new ModelLoadException(describe(n) + ": attribute '" + key + "' is " + a.typeName() + ", not INTS");
        }
        String name = ValueNames.fresh((n.name().isEmpty() ? n.outputs().getFirst() : n.name()) + "_" + key, names);
        init.put(name, Tensor.ofLongs(name, new long[] {values.length}, values));
        List<String> inputs = new ArrayList<>(n.inputs());
        while (inputs.size() < slot) {
            inputs.add("");
        }
        if (inputs.size() == slot) {
            inputs.add(name);
        } else {
            inputs.set(slot, name);
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>(n.attributes());
        attrs.remove(key);
        return n.withInputs(inputs).withAttributes(attrs);
    }

    private static String describe(Node n) {
        return n.name().isEmpty() ? n.describe() : "node '" + n.name() + "' (" + n.opType() + ")";
    }

    @Override
    public String name() {
        return "upgrade-to-opset-13";
    }
}
