// An immutable computation graph: nodes in topological order, inputs, outputs, constant tensors, value types.
package dev.condense.ir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A graph. {@code inputs} are the values a caller feeds (initializers are not among them);
 * {@code initializers} are the constants by name, in file order; {@code valueInfo} holds the known
 * types of intermediate values (filled by shape inference). The importer only hands out graphs
 * that {@link GraphValidator} accepted: every value has one producer and nodes are topologically
 * sorted. Passes return new graphs.
 */
public record Graph(String name, List<Node> nodes, List<ValueInfo> inputs, List<ValueInfo> outputs,
                    Map<String, Tensor> initializers, Map<String, ValueInfo> valueInfo) {

    public Graph {
        Objects.requireNonNull(name, "name");
        nodes = List.copyOf(nodes);
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        initializers = Collections.unmodifiableMap(new LinkedHashMap<>(initializers));
        valueInfo = Collections.unmodifiableMap(new LinkedHashMap<>(valueInfo));
    }

    public Graph withNodes(List<Node> newNodes) {
        return new Graph(name, newNodes, inputs, outputs, initializers, valueInfo);
    }

    public Graph withInputs(List<ValueInfo> newInputs) {
        return new Graph(name, nodes, newInputs, outputs, initializers, valueInfo);
    }

    public Graph withOutputs(List<ValueInfo> newOutputs) {
        return new Graph(name, nodes, inputs, newOutputs, initializers, valueInfo);
    }

    public Graph withInitializers(Map<String, Tensor> newInitializers) {
        return new Graph(name, nodes, inputs, outputs, newInitializers, valueInfo);
    }

    public Graph withValueInfo(Map<String, ValueInfo> newValueInfo) {
        return new Graph(name, nodes, inputs, outputs, initializers, newValueInfo);
    }

    /** The initializer of that name, if any. */
    public Optional<Tensor> initializer(String valueName) {
        return Optional.ofNullable(initializers.get(valueName));
    }

    /** The type of a value: a graph input or output, an initializer, or an inferred intermediate. */
    public Optional<ValueInfo> typeOf(String valueName) {
        Tensor t = initializers.get(valueName);
        if (t != null) {
            return Optional.of(t.valueInfo());
        }
        for (ValueInfo v : inputs) {
            if (v.name().equals(valueName)) {
                return Optional.of(v);
            }
        }
        ValueInfo v = valueInfo.get(valueName);
        if (v != null) {
            return Optional.of(v);
        }
        for (ValueInfo o : outputs) {
            if (o.name().equals(valueName)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Map from each value name to the node that produces it. */
    public Map<String, Node> producers() {
        Map<String, Node> out = new HashMap<>();
        for (Node n : nodes) {
            for (String o : n.outputs()) {
                if (!o.isEmpty()) {
                    out.put(o, n);
                }
            }
        }
        return out;
    }

    /** Map from each value name to the nodes that read it, in graph order. */
    public Map<String, List<Node>> consumers() {
        Map<String, List<Node>> out = new HashMap<>();
        for (Node n : nodes) {
            for (String i : n.inputs()) {
                if (!i.isEmpty()) {
                    out.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
                }
            }
        }
        return out;
    }

    /** Number of elements of all initializers: the parameter count. */
    public long parameterCount() {
        long total = 0;
        for (Tensor t : initializers.values()) {
            total = Math.addExact(total, t.elementCount());
        }
        return total;
    }

    /** Op type to number of nodes, in order of first appearance. */
    public Map<String, Integer> opHistogram() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Node n : nodes) {
            String key = n.isDefaultDomain() ? n.opType() : n.domain() + "." + n.opType();
            out.merge(key, 1, Integer::sum);
        }
        return out;
    }
}
