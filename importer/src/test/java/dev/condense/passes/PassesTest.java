// Checks that running passes re-validates after each and names the pass that broke the graph.
package dev.condense.passes;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PassesTest {

    private static final ValueInfo X = ValueInfo.of("x", DataType.FLOAT, Dim.fixed(2));

    @Test
    void runsPassesInOrderAndResortsTheNodes() throws ModelLoadException {
        Graph graph = new Graph("g", List.of(Node.of("relu", "Relu", List.of("x"), List.of("y"))), List.of(X),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(2))), Map.of(), Map.of());
        // Appends a node that the next one reads, but in the wrong order: validation must re-sort.
        GraphPass addTail = new GraphPass() {
            @Override
            public Model apply(Model model) {
                Graph g = model.graph();
                return model.withGraph(g.withNodes(List.of(
                        Node.of("sig", "Sigmoid", List.of("t"), List.of("z")),
                        g.nodes().getFirst(),
                        Node.of("tail", "Identity", List.of("y"), List.of("t")))).withOutputs(
                        List.of(ValueInfo.of("z", DataType.FLOAT, Dim.fixed(2)))));
            }

            @Override
            public String name() {
                return "add-tail";
            }
        };
        Graph g = Passes.run(Model.of(graph, 13), List.of(addTail, new RemoveIdentity())).graph();
        assertEquals(List.of("Relu", "Sigmoid"), g.nodes().stream().map(Node::opType).toList());
        assertEquals(List.of("y"), g.nodes().get(1).inputs());
    }

    @Test
    void aPassThatBreaksTheWiringIsNamed() {
        Graph graph = new Graph("g", List.of(Node.of("relu", "Relu", List.of("x"), List.of("y"))), List.of(X),
                List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(2))), Map.of(), Map.of());
        GraphPass dropAll = new GraphPass() {
            @Override
            public Model apply(Model model) {
                return model.withGraph(model.graph().withNodes(List.of()));
            }

            @Override
            public String name() {
                return "drop-all";
            }
        };
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> Passes.run(Model.of(graph, 13), List.of(dropAll)));
        assertTrue(e.getMessage().contains("pass 'drop-all'"), e.getMessage());
        assertTrue(e.getMessage().contains("'y'"), e.getMessage());
    }
}
