// Fresh value, node and initializer names for a rewritten graph, never colliding with ones it has.
package dev.condense.quantize.int8;

import dev.condense.ir.Graph;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;

import java.util.HashSet;
import java.util.Set;

/** Names are made from a base and a suffix; a clash gets a counter appended. */
final class GraphNames {

    private final Set<String> taken = new HashSet<>();

    GraphNames(Graph g) {
        for (Node n : g.nodes()) {
            taken.add(n.name());
            taken.addAll(n.inputs());
            taken.addAll(n.outputs());
        }
        g.inputs().forEach(v -> taken.add(v.name()));
        g.outputs().forEach(v -> taken.add(v.name()));
        taken.addAll(g.initializers().keySet());
        g.valueInfo().values().stream().map(ValueInfo::name).forEach(taken::add);
    }

    String fresh(String base, String suffix) {
        String name = base + suffix;
        for (int i = 1; !taken.add(name); i++) {
            name = base + suffix + "_" + i;
        }
        return name;
    }
}
