// Drops Identity nodes and inference-mode Dropout, wiring their readers to the value they pass through.
package dev.condense.passes;

import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.ops.Attrs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Removes pass-through nodes: Identity, and Dropout in inference mode whose mask nobody reads
 * (before opset 7 with {@code is_test}=1; opsets 7 to 11 always; from opset 12 on when the
 * {@code training_mode} input is absent or a false initializer). Graph input and output names are
 * the model's interface and never change: when the removed node's output is a graph output, the
 * value it passes through takes that name instead, and when that value is itself a graph input or
 * output (or read by a subgraph), the node stays.
 */
public final class RemoveIdentity implements GraphPass {

    @Override
    public String name() {
        return "remove-identity";
    }

    @Override
    public Model apply(Model model) throws ModelLoadException {
        Graph graph = model.graph();
        int opset = model.opset();
        Set<String> graphInputs = ValueNames.inputNames(graph);
        Set<String> graphOutputs = ValueNames.outputNames(graph);
        Set<String> subgraphReads = ValueNames.readBySubgraphs(graph);
        Map<String, List<Node>> consumers = graph.consumers();

        // Each removed value maps to the value that replaces it; each value that takes over a
        // graph output's name maps to that name. Chains resolve through both.
        Map<String, String> renamed = new HashMap<>();
        List<Node> nodes = graph.nodes();
        boolean[] removed = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (!isPassThrough(node, graph, opset, consumers, graphOutputs, subgraphReads)) {
                continue;
            }
            String source = resolve(renamed, node.inputs().getFirst());
            String out = node.output();
            if (subgraphReads.contains(out)) {
                continue;
            }
            if (!graphOutputs.contains(out)) {
                renamed.put(out, source);
                removed[i] = true;
            } else if (!graphInputs.contains(source) && !graphOutputs.contains(source)
                    && !subgraphReads.contains(source)) {
                renamed.put(source, out);
                removed[i] = true;
            }
        }
        if (renamed.isEmpty()) {
            return model;
        }

        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (!removed[i]) {
                Node n = nodes.get(i);
                kept.add(n.withInputs(resolveAll(renamed, n.inputs())).withOutputs(resolveAll(renamed, n.outputs())));
            }
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            String name = resolve(renamed, e.getKey());
            initializers.put(name, name.equals(e.getKey()) ? e.getValue() : e.getValue().withName(name));
        }
        // Value infos of removed or renamed values go: the graph output's own declaration covers
        // the renamed ones, and shape inference restores the rest.
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        valueInfo.keySet().removeAll(renamed.keySet());
        for (int i = 0; i < nodes.size(); i++) {
            if (removed[i]) {
                valueInfo.keySet().removeAll(nodes.get(i).outputs());
            }
        }
        return model.withGraph(new Graph(graph.name(), kept, graph.inputs(), graph.outputs(), initializers, valueInfo));
    }

    private static boolean isPassThrough(Node node, Graph graph, int opset, Map<String, List<Node>> consumers,
                                         Set<String> graphOutputs, Set<String> subgraphReads)
            throws ModelLoadException {
        if (!node.isDefaultDomain() || node.input(0).isEmpty() || node.outputs().isEmpty() || node.output().isEmpty()) {
            return false;
        }
        return switch (node.opType()) {
            case "Identity" -> node.inputs().size() == 1 && node.outputs().size() == 1;
            case "Dropout" -> maskUnused(node, consumers, graphOutputs, subgraphReads) && isInference(node, graph, opset);
            default -> false;
        };
    }

    private static boolean maskUnused(Node dropout, Map<String, List<Node>> consumers, Set<String> graphOutputs,
                                      Set<String> subgraphReads) {
        for (int i = 1; i < dropout.outputs().size(); i++) {
            String mask = dropout.outputs().get(i);
            if (!mask.isEmpty() && (consumers.containsKey(mask) || graphOutputs.contains(mask)
                    || subgraphReads.contains(mask))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isInference(Node dropout, Graph graph, int opset) throws ModelLoadException {
        if (opset < 7) {
            return Attrs.getInt(dropout, "is_test", 0) != 0;
        }
        if (opset < 12) {
            return true;
        }
        Optional<String> trainingMode = dropout.input(2);
        if (trainingMode.isEmpty()) {
            return true;
        }
        Optional<Tensor> flag = graph.initializer(trainingMode.get());
        if (flag.isEmpty() || flag.get().elementCount() != 1) {
            return false;
        }
        return flag.get().getLong(0) == 0;
    }

    private static String resolve(Map<String, String> renamed, String name) {
        String current = name;
        for (String next = renamed.get(current); next != null; next = renamed.get(current)) {
            current = next;
        }
        return current;
    }

    private static List<String> resolveAll(Map<String, String> renamed, List<String> names) {
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(n.isEmpty() ? n : resolve(renamed, n));
        }
        return out;
    }
}
