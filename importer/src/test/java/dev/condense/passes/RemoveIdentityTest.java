// Checks that Identity and inference Dropout disappear while graph input and output names stay.
package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class RemoveIdentityTest {

    private static final ValueInfo X = ValueInfo.of("x", DataType.FLOAT, Dim.fixed(1, 4));

    private static ValueInfo out(String name) {
        return ValueInfo.of(name, DataType.FLOAT, Dim.fixed(1, 4));
    }

    private static Graph run(Graph graph, int opset) throws ModelLoadException {
        return Passes.run(Model.of(graph, opset), List.of(new RemoveIdentity())).graph();
    }

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(Node::opType).toList();
    }

    @Test
    void identityChainBetweenLayersIsBypassed() throws ModelLoadException {
        List<Node> nodes = List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("a")),
                Node.of("id1", "Identity", List.of("a"), List.of("b")),
                Node.of("id2", "Identity", List.of("b"), List.of("c")),
                Node.of("sig", "Sigmoid", List.of("c"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(X), List.of(out("y")), Map.of(),
                Map.of("b", out("b"), "c", out("c")));
        Graph g = run(graph, 13);
        assertEquals(List.of("Relu", "Sigmoid"), ops(g));
        assertEquals(List.of("a"), g.nodes().get(1).inputs());
        assertEquals(Map.of(), g.valueInfo());
    }

    @Test
    void identityOntoAGraphOutputRenamesTheProducer() throws ModelLoadException {
        List<Node> nodes = List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("a")),
                Node.of("id", "Identity", List.of("a"), List.of("y")),
                Node.of("sig", "Sigmoid", List.of("a"), List.of("z")));
        Graph graph = new Graph("g", nodes, List.of(X), List.of(out("y"), out("z")), Map.of(), Map.of());
        Graph g = run(graph, 13);
        assertEquals(List.of("Relu", "Sigmoid"), ops(g));
        assertEquals(List.of("y"), g.nodes().get(0).outputs());
        assertEquals(List.of("y"), g.nodes().get(1).inputs());
        assertEquals(List.of("y", "z"), g.outputs().stream().map(ValueInfo::name).toList());
    }

    @Test
    void identityOfAnInitializerOntoAGraphOutputRenamesTheInitializer() throws ModelLoadException {
        List<Node> nodes = List.of(Node.of("id", "Identity", List.of("w"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(), List.of(out("y")),
                Map.of("w", Tensor.ofFloats("w", new long[] {1, 4}, 1, 2, 3, 4)), Map.of());
        Graph g = run(graph, 13);
        assertEquals(List.of(), ops(g));
        assertEquals(List.of("y"), List.copyOf(g.initializers().keySet()));
        assertEquals("y", g.initializer("y").orElseThrow().name());
    }

    @Test
    void identityFromAGraphInputToAGraphOutputStays() throws ModelLoadException {
        Graph graph = new Graph("g", List.of(Node.of("id", "Identity", List.of("x"), List.of("y"))), List.of(X),
                List.of(out("y")), Map.of(), Map.of());
        Model model = Model.of(graph, 13);
        assertSame(model, new RemoveIdentity().apply(model));
    }

    @Test
    void twoIdentitiesOntoTwoOutputsKeepBothNames() throws ModelLoadException {
        List<Node> nodes = List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("a")),
                Node.of("id1", "Identity", List.of("a"), List.of("y1")),
                Node.of("id2", "Identity", List.of("a"), List.of("y2")));
        Graph graph = new Graph("g", nodes, List.of(X), List.of(out("y1"), out("y2")), Map.of(), Map.of());
        Graph g = run(graph, 13);
        assertEquals(List.of("Relu", "Identity"), ops(g));
        assertEquals(List.of("y1"), g.nodes().get(0).outputs());
        assertEquals(List.of("y1"), g.nodes().get(1).inputs());
        assertEquals(List.of("y2"), g.nodes().get(1).outputs());
    }

    @Test
    void inferenceDropoutGoesAcrossOpsets() throws ModelLoadException {
        for (int opset : new int[] {7, 11, 12, 13}) {
            List<Node> nodes = List.of(
                    Node.of("relu", "Relu", List.of("x"), List.of("a")),
                    Node.of("drop", "Dropout", List.of("a"), List.of("d", "unused_mask")),
                    Node.of("sig", "Sigmoid", List.of("d"), List.of("y")));
            Graph g = run(new Graph("g", nodes, List.of(X), List.of(out("y")), Map.of(), Map.of()), opset);
            assertEquals(List.of("Relu", "Sigmoid"), ops(g), "opset " + opset);
        }
    }

    @Test
    void dropoutWithAFalseTrainingModeInitializerGoesButATrueOneStays() throws ModelLoadException {
        for (boolean training : new boolean[] {false, true}) {
            List<Node> nodes = List.of(
                    Node.of("drop", "Dropout", List.of("x", "ratio", "mode"), List.of("d")),
                    Node.of("sig", "Sigmoid", List.of("d"), List.of("y")));
            Map<String, Tensor> inits = Map.of(
                    "ratio", Tensor.scalar("ratio", 0.5f),
                    "mode", Tensor.fromLongs("mode", DataType.BOOL, new long[0], new long[] {training ? 1 : 0}));
            Graph g = run(new Graph("g", nodes, List.of(X), List.of(out("y")), inits, Map.of()), 13);
            assertEquals(training ? List.of("Dropout", "Sigmoid") : List.of("Sigmoid"), ops(g));
        }
    }

    @Test
    void dropoutWhoseMaskIsReadStays() throws ModelLoadException {
        List<Node> nodes = List.of(
                Node.of("drop", "Dropout", List.of("x"), List.of("d", "mask")),
                Node.of("cast", "Cast", List.of("mask"), List.of("m"), Map.of("to", Attribute.of(1L))),
                Node.of("mul", "Mul", List.of("d", "m"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(X), List.of(out("y")), Map.of(), Map.of());
        Graph g = run(graph, 13);
        assertEquals(List.of("Dropout", "Cast", "Mul"), ops(g));
    }
}
