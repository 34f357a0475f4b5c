// Checks a graph's wiring (single producers, defined inputs, no cycles) and sorts its nodes topologically.
package dev.condense.ir;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Validation every graph passes before Condense hands it out. */
public final class GraphValidator {

    private GraphValidator() {
    }

    /**
     * Returns the graph with nodes in a topological order (stable: a sorted graph keeps its order),
     * or throws naming the first wiring error: a value produced twice, an input nothing produces,
     * a graph output nothing produces, or a cycle.
     *
     * @param outerScope names visible from an enclosing graph (for subgraphs); empty at top level
     */
    public static Graph validate(Graph graph, Set<String> outerScope) throws ModelLoadException {
        Map<String, String> definedBy = new HashMap<>();
        for (ValueInfo in : graph.inputs()) {
            define(definedBy, in.name(), "graph input");
        }
        for (String init : graph.initializers().keySet()) {
            define(definedBy, init, "initializer");
        }
        List<Node> nodes = graph.nodes();
        Map<String, Integer> producerIndex = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.opType().isEmpty()) {
                throw new ModelLoadException("node #" + i + " '" + n.name() + "' has an empty op_type");
            }
            for (String out : n.outputs()) {
                if (out.isEmpty()) {
                    continue;
                }
                define(definedBy, out, "output of " + n.describe());
                producerIndex.put(out, i);
            }
        }

        // Kahn's algorithm, taking ready nodes in their original order.
        int[] pending = new int[nodes.size()];
        Map<Integer, List<Integer>> dependents = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            Set<Integer> deps = new HashSet<>();
            for (String in : reads(n)) {
                if (in.isEmpty()) {
                    continue;
                }
                if (!definedBy.containsKey(in) && !outerScope.contains(in)) {
                    throw new ModelLoadException(n.describe() + " reads '" + in
                            + "', which no node, graph input or initializer produces");
                }
                Integer p = producerIndex.get(in);
                if (p != null && deps.add(p)) {
                    dependents.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                }
            }
            pending[i] = deps.size();
        }
        java.util.PriorityQueue<Integer> ready = new java.util.PriorityQueue<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (pending[i] == 0) {
                ready.add(i);
            }
        }
        List<Node> sorted = new ArrayList<>(nodes.size());
        while (!ready.isEmpty()) {
            int i = ready.poll();
            sorted.add(nodes.get(i));
            for (int d : dependents.getOrDefault(i, List.of())) {
                if (--pending[d] == 0) {
                    ready.add(d);
                }
            }
        }
        if (sorted.size() != nodes.size()) {
            Deque<String> stuck = new ArrayDeque<>();
            for (int i = 0; i < nodes.size() && stuck.size() < 5; i++) {
                if (pending[i] > 0) {
                    stuck.add(nodes.get(i).describe());
                }
            }
            throw new ModelLoadException("the graph has a cycle: " + (nodes.size() - sorted.size())
                    + " nodes cannot be ordered because they wait on it, among them "
                    + stuck.stream().collect(Collectors.joining(", ")));
        }
        for (ValueInfo out : graph.outputs()) {
            if (!definedBy.containsKey(out.name())) {
                throw new ModelLoadException("graph output '" + out.name()
                        + "' is produced by no node, graph input or initializer");
            }
        }
        return graph.withNodes(sorted);
    }

    /**
     * The values a node reads: its inputs, then the outer values its subgraphs (If and Loop
     * bodies) read, which order the node after their producers just as inputs do.
     */
    static List<String> reads(Node node) {
        List<String> out = new ArrayList<>(node.inputs());
        for (Attribute a : node.attributes().values()) {
            switch (a) {
                case Attribute.GraphValue(Graph g) -> out.addAll(outerReads(g));
                case Attribute.Graphs gs -> gs.values().forEach(g -> out.addAll(outerReads(g)));
                default -> {
                }
            }
        }
        return out;
    }

    /** Names a graph's nodes read that the graph itself does not define. */
    private static Set<String> outerReads(Graph g) {
        Set<String> defined = new HashSet<>(g.initializers().keySet());
        g.inputs().forEach(v -> defined.add(v.name()));
        g.nodes().forEach(n -> defined.addAll(n.outputs()));
        Set<String> out = new java.util.LinkedHashSet<>();
        for (Node n : g.nodes()) {
            for (String r : reads(n)) {
                if (!r.isEmpty() && !defined.contains(r)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    public static Graph validate(Graph graph) throws ModelLoadException {
        return validate(graph, Set.of());
    }

    private static void define(Map<String, String> definedBy, String name, String what) throws ModelLoadException {
        String previous = definedBy.putIfAbsent(name, what);
        if (previous != null) {
            throw new ModelLoadException("value '" + name + "' is defined twice: as " + previous + " and as " + what);
        }
    }
}
