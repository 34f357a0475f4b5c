// Which value names a graph reads, including from subgraphs, and fresh names that collide with none of them.
package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.Graph;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;

import java.util.HashSet;
import java.util.Set;

/** Name bookkeeping shared by the passes. */
public final class ValueNames {

    private ValueNames() {
    }

    /**
     * Every name read by a node of a subgraph (If/Loop/Scan bodies), at any depth. A pass must not
     * rename or drop these: subgraphs capture outer values by name, and the passes rewire only the
     * top-level graph. This over-approximates (it includes names the subgraph defines itself),
     * which only makes the passes more careful.
     */
    static Set<String> readBySubgraphs(Graph graph) {
        Set<String> out = new HashSet<>();
        for (Node n : graph.nodes()) {
            for (Attribute a : n.attributes().values()) {
                if (a instanceof Attribute.GraphValue(Graph g)) {
                    collectReads(g, out);
                } else if (a instanceof Attribute.Graphs gs) {
                    for (Graph g : gs.values()) {
                        collectReads(g, out);
                    }
                }
            }
        }
        return out;
    }

    private static void collectReads(Graph graph, Set<String> out) {
        for (Node n : graph.nodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty()) {
                    out.add(in);
                }
            }
        }
        for (ValueInfo o : graph.outputs()) {
            out.add(o.name());
        }
        out.addAll(readBySubgraphs(graph));
    }

    /** The names of the graph's outputs. */
    static Set<String> outputNames(Graph graph) {
        Set<String> out = new HashSet<>();
        for (ValueInfo v : graph.outputs()) {
            out.add(v.name());
        }
        return out;
    }

    /** The names of the graph's fed inputs. */
    static Set<String> inputNames(Graph graph) {
        Set<String> out = new HashSet<>();
        for (ValueInfo v : graph.inputs()) {
            out.add(v.name());
        }
        return out;
    }

    /** Names that stay read when no node reads them: graph outputs and what subgraphs capture. */
    static Set<String> externallyRead(Graph graph) {
        Set<String> out = outputNames(graph);
        out.addAll(readBySubgraphs(graph));
        return out;
    }

    /** Every name in use: inputs, outputs, initializers, node inputs and outputs, value infos, subgraph reads. */
    public static Set<String> allNames(Graph graph) {
        Set<String> out = inputNames(graph);
        out.addAll(outputNames(graph));
        out.addAll(graph.initializers().keySet());
        out.addAll(graph.valueInfo().keySet());
        for (Node n : graph.nodes()) {
            out.addAll(n.inputs());
            out.addAll(n.outputs());
        }
        out.addAll(readBySubgraphs(graph));
        out.remove("");
        return out;
    }

    /** {@code base}, or {@code base_1}, {@code base_2}, ... : the first not in {@code taken}, which is then added. */
    public static String fresh(String base, Set<String> taken) {
        String candidate = base;
        for (int i = 1; taken.contains(candidate); i++) {
            candidate = base + "_" + i;
        }
        taken.add(candidate);
        return candidate;
    }
}
