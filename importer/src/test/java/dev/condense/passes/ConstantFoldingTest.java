// Checks that constant folding collapses exporter shape arithmetic and leaves everything else alone.
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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConstantFoldingTest {

    private static final int OPSET = 13;
    private static final ConstantFolding FOLD_AS_GIVEN =
            new ConstantFolding(ConstantFolding.Shapes.AS_GIVEN, ConstantFolding.DEFAULT_MAX_FOLDED_ELEMENTS);

    /**
     * What torch.onnx wrote for {@code x.view(x.size(0), 400)} after a ReLU: Shape, Gather(0),
     * Unsqueeze, Concat with 400, Reshape. The ReLU output's shape is given as {@code batch}x16x5x5.
     */
    private static Graph flattenChain(Dim batch, boolean withReluValueInfo) {
        List<Dim> dims = List.of(batch, Dim.of(16), Dim.of(5), Dim.of(5));
        ValueInfo x = ValueInfo.of("x", DataType.FLOAT, dims);
        List<Node> nodes = List.of(
                Node.of("relu", "Relu", List.of("x"), List.of("r")),
                Node.of("shape", "Shape", List.of("r"), List.of("s")),
                Node.of("gather", "Gather", List.of("s", "zero"), List.of("n"), Map.of("axis", Attribute.of(0L))),
                Node.of("unsqueeze", "Unsqueeze", List.of("n", "axes0"), List.of("n1")),
                Node.of("concat", "Concat", List.of("n1", "four_hundred"), List.of("target"),
                        Map.of("axis", Attribute.of(0L))),
                Node.of("reshape", "Reshape", List.of("r", "target"), List.of("y")));
        Map<String, Tensor> initializers = Map.of(
                "zero", Tensor.ofLongs("zero", new long[0], 0),
                "axes0", Tensor.vector("axes0", 0),
                "four_hundred", Tensor.vector("four_hundred", 400));
        Map<String, ValueInfo> valueInfo = withReluValueInfo
                ? Map.of("r", ValueInfo.of("r", DataType.FLOAT, dims)) : Map.of();
        ValueInfo y = ValueInfo.of("y", DataType.FLOAT, List.of(batch, Dim.of(400)));
        return new Graph("flatten", nodes, List.of(x), List.of(y), initializers, valueInfo);
    }

    @Test
    void flattenChainWithFixedInputCollapsesIntoOneReshape() throws ModelLoadException {
        Model model = Model.of(flattenChain(Dim.of(8), false), OPSET);
        Model folded = Passes.run(model, List.of(new ConstantFolding()));
        Graph g = folded.graph();
        assertEquals(List.of("Relu", "Reshape"), g.nodes().stream().map(Node::opType).toList());
        Node reshape = g.nodes().get(1);
        assertEquals(List.of("r", "target"), reshape.inputs());
        assertArrayEquals(new long[] {8, 400}, g.initializer("target").orElseThrow().toLongArray());
        // The chain's own constants are no longer read by anything.
        assertEquals(List.of("target"), List.copyOf(g.initializers().keySet()));
        assertEquals(List.of("y"), g.outputs().stream().map(ValueInfo::name).toList());
        assertEquals(Dim.fixed(8, 400), g.outputs().getFirst().shape().orElseThrow());
    }

    @Test
    void givenShapesAreUsedWithoutInference() throws ModelLoadException {
        Graph graph = flattenChain(Dim.of(8), true);
        Graph g = Passes.run(Model.of(graph, OPSET), List.of(FOLD_AS_GIVEN)).graph();
        assertEquals(List.of("Relu", "Reshape"), g.nodes().stream().map(Node::opType).toList());
        // Without the ReLU output's value info nothing tells the Shape its input's size.
        Graph untyped = Passes.run(Model.of(flattenChain(Dim.of(8), false), OPSET), List.of(FOLD_AS_GIVEN)).graph();
        assertEquals(6, untyped.nodes().size());
    }

    @Test
    void fixingTheSymbolicBatchFirstLetsTheChainCollapse() throws ModelLoadException {
        Graph graph = flattenChain(Dim.symbol("N"), false);
        Model symbolic = Passes.run(Model.of(graph, OPSET), List.of(new ConstantFolding()));
        assertEquals(6, symbolic.graph().nodes().size());
        Model fixed = Passes.run(Model.of(graph, OPSET),
                List.of(new FixInputShape(Map.of("x", new long[] {4, 16, 5, 5})), new ConstantFolding()));
        assertEquals(2, fixed.graph().nodes().size());
        assertArrayEquals(new long[] {4, 400}, fixed.graph().initializer("target").orElseThrow().toLongArray());
    }

    @Test
    void symbolicBatchKeepsTheChainButFoldsPicksOfFixedDims() throws ModelLoadException {
        Graph graph = flattenChain(Dim.symbol("N"), false);
        // A second reader of the shape takes dims 1.. (all fixed), as x.shape[1:] would.
        List<Node> nodes = new ArrayList<>(graph.nodes());
        nodes.add(Node.of("tail", "Slice", List.of("s", "one", "end"), List.of("tail")));
        nodes.add(Node.of("channels", "Gather", List.of("s", "minus_three"), List.of("channels")));
        Map<String, Tensor> initializers = new HashMap<>(graph.initializers());
        initializers.put("one", Tensor.vector("one", 1));
        initializers.put("end", Tensor.vector("end", Long.MAX_VALUE));
        initializers.put("minus_three", Tensor.ofLongs("minus_three", new long[0], -3));
        List<ValueInfo> outputs = List.of(graph.outputs().getFirst(),
                ValueInfo.unknownShape("tail", DataType.INT64), ValueInfo.unknownShape("channels", DataType.INT64));
        graph = new Graph("g", nodes, graph.inputs(), outputs, initializers, graph.valueInfo());

        Graph g = Passes.run(Model.of(graph, OPSET), List.of(new ConstantFolding())).graph();
        assertEquals(List.of("Relu", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape"),
                g.nodes().stream().map(Node::opType).toList());
        assertArrayEquals(new long[] {16, 5, 5}, g.initializer("tail").orElseThrow().toLongArray());
        Tensor channels = g.initializer("channels").orElseThrow();
        assertArrayEquals(new long[0], channels.dims());
        assertEquals(16, channels.getLong(0));
    }

    @Test
    void constantSubgraphBecomesOneInitializer() throws ModelLoadException {
        ValueInfo x = ValueInfo.of("x", DataType.FLOAT, Dim.fixed(2));
        List<Node> nodes = List.of(
                Node.of("c", "Constant", List.of(), List.of("three"), Map.of("value_float", Attribute.of(3f))),
                Node.of("add", "Add", List.of("a", "three"), List.of("a3")),
                Node.of("sqrt", "Sqrt", List.of("a3"), List.of("root")),
                Node.of("mul", "Mul", List.of("x", "root"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(x), List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(2))),
                Map.of("a", Tensor.ofFloats("a", new long[] {2}, 1f, 6f)), Map.of());
        Graph g = Passes.run(Model.of(graph, OPSET), List.of(new ConstantFolding())).graph();
        assertEquals(1, g.nodes().size());
        assertEquals(List.of("x", "root"), g.nodes().getFirst().inputs());
        assertArrayEquals(new float[] {2f, 3f}, g.initializer("root").orElseThrow().toFloatArray());
        assertEquals(List.of("root"), List.copyOf(g.initializers().keySet()));
    }

    @Test
    void largeGeneratedOutputsStayNodesAndUnknownOpsAreLeftAlone() throws ModelLoadException {
        ValueInfo x = ValueInfo.of("x", DataType.FLOAT, Dim.fixed(1000, 1000));
        List<Node> nodes = List.of(
                Node.of("fill", "ConstantOfShape", List.of("big"), List.of("ones"),
                        Map.of("value", Attribute.of(Tensor.ofFloats("v", new long[] {1}, 1f)))),
                Node.of("relu", "Relu", List.of("w"), List.of("rw")),
                new Node("custom", "Scale", "com.example", List.of("w"), List.of("sw"), Map.of()),
                Node.of("add", "Add", List.of("x", "ones"), List.of("a")),
                Node.of("mul", "Mul", List.of("a", "rw"), List.of("m")),
                Node.of("out", "Add", List.of("m", "sw"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(x), List.of(ValueInfo.of("y", DataType.FLOAT, Dim.fixed(1000, 1000))),
                Map.of("big", Tensor.vector("big", 1000, 1000), "w", Tensor.ofFloats("w", new long[] {1}, -2f)),
                Map.of());
        ConstantFolding capped = new ConstantFolding(ConstantFolding.Shapes.INFER, 1000);
        Graph g = Passes.run(Model.of(graph, OPSET), List.of(capped)).graph();
        assertEquals(graph.nodes().stream().map(Node::opType).toList(), g.nodes().stream().map(Node::opType).toList());
        assertEquals(graph.initializers().keySet(), g.initializers().keySet());
    }

    @Test
    void deadNodesAndUnreadInitializersGo() throws ModelLoadException {
        ValueInfo x = ValueInfo.of("x", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(3)));
        List<Node> nodes = List.of(
                Node.of("unused_shape", "Shape", List.of("x"), List.of("s")),
                Node.of("relu", "Relu", List.of("x"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(x), List.of(ValueInfo.unknownShape("y", DataType.FLOAT)),
                Map.of("stale", Tensor.vector("stale", 1)), Map.of());
        Graph g = Passes.run(Model.of(graph, OPSET), List.of(new ConstantFolding())).graph();
        assertEquals(List.of("Relu"), g.nodes().stream().map(Node::opType).toList());
        assertTrue(g.initializers().isEmpty());
    }

    @Test
    void foldedGraphOutputKeepsItsName() throws ModelLoadException {
        List<Node> nodes = List.of(Node.of("neg", "Neg", List.of("c"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(), List.of(ValueInfo.unknownShape("y", DataType.INT64)),
                Map.of("c", Tensor.vector("c", 5)), Map.of());
        Graph g = Passes.run(Model.of(graph, OPSET), List.of(new ConstantFolding())).graph();
        assertTrue(g.nodes().isEmpty());
        assertArrayEquals(new long[] {-5}, g.initializer("y").orElseThrow().toLongArray());
        assertFalse(g.initializers().containsKey("c"));
    }
}
