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
import java.util.stream.Stream;

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

    /** A graph that reads x and has no initializers or value infos; its outputs are float[1, 4]. */
    private static Graph graph(List<Node> nodes, String... outputs) {
        return new Graph("g", nodes, List.of(X), Stream.of(outputs).map(RemoveIdentityTest::out).toList(), Map.of(),
                Map.of());
    }

    private static List<String> ops(Graph g) {
        return g.nodes().stream().map(Node::opType).toList();
    }

    /** Each node as "Relu x -> a" (op, inputs, outputs), so one assertion checks the whole wiring. */
    private static List<String> wiring(Graph g) {
        return g.nodes().stream()
                .map(n -> n.opType() + " " + String.join(", ", n.inputs()) + " -> " + String.join(", ", n.outputs()))
                .toList();
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
        Graph g = run(graph(List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("a")),
                Node.of("id", "Identity", List.of("a"), List.of("y")),
                Node.of("sig", "Sigmoid", List.of("a"), List.of("z"))), "y", "z"), 13);
        assertEquals(List.of("Relu x -> y", "Sigmoid y -> z"), wiring(g));
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
        Model model = Model.of(graph(List.of(Node.of("id", "Identity", List.of("x"), List.of("y"))), "y"), 13);
        assertSame(model, new RemoveIdentity().apply(model));
    }

    @Test
    void twoIdentitiesOntoTwoOutputsKeepBothNames() throws ModelLoadException {
        Graph g = run(graph(List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("a")),
                Node.of("id1", "Identity", List.of("a"), List.of("y1")),
                Node.of("id2", "Identity", List.of("a"), List.of("y2"))), "y1", "y2"), 13);
        assertEquals(List.of("Relu x -> y1", "Identity y1 -> y2"), wiring(g));
    }

    @Test
    void inferenceDropoutGoesAcrossOpsets() throws ModelLoadException {
        for (int opset : new int[] {7, 11, 12, 13}) {
            List<Node> nodes = List.of(
                    Node.of("relu", "Relu", List.of("x"), List.of("a")),
                    Node.of("drop", "Dropout", List.of("a"), List.of("d", "unused_mask")),
                    Node.of("sig", "Sigmoid", List.of("d"), List.of("y")));
            Graph g = run(graph(nodes, "y"), opset);
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
        Graph g = run(graph(nodes, "y"), 13);
        assertEquals(List.of("Dropout", "Cast", "Mul"), ops(g));
    }
}
