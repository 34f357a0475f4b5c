// Fresh value, node and initializer names for a rewritten graph, never colliding with ones it has.
package dev.condense.quantize.int8;

import dev.condense.ir.Graph;
import dev.condense.passes.ValueNames;

import java.util.Set;

/** The graph's names in use (node names too), and {@code base + suffix} made unique among them. */
final class GraphNames {

    private final Set<String> taken;

    GraphNames(Graph g) {
        taken = ValueNames.allNames(g);
        g.nodes().forEach(n -> taken.add(n.name()));
    }

    String fresh(String base, String suffix) {
        return ValueNames.fresh(base + suffix, taken);
    }
}
