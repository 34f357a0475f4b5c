package dev.condense.passes;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import dev.condense.shape.ShapeInference;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpgradeToOpset13Test {

    /** x[N, 4] → Unsqueeze(axes 2) → Squeeze(axes 2) → Softmax(axis) → y. */
    private static Model net(int opset, long softmaxAxis, int rank) throws ModelLoadException {
        List<Dim> dims = rank == 2 ? List.of(Dim.symbol("N"), Dim.of(4)) : List.of(Dim.symbol("N"), Dim.of(4), Dim.of(3));
        List<Node> nodes = List.of(
                Node.of("u", "Unsqueeze", List.of("x"), List.of("a"), Map.of("axes", new Attribute.Ints(new long[] {rank}))),
                Node.of("s", "Squeeze", List.of("a"), List.of("b"), Map.of("axes", new Attribute.Ints(new long[] {rank}))),
                Node.of("sm", "Softmax", List.of("b"), List.of("y"), Map.of("axis", new Attribute.IntValue(softmaxAxis))));
        Graph g = new Graph("g", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, dims)),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)), Map.of(), Map.of());
        return ShapeInference.infer(Model.of(g, opset));
    }

    @Test
    void axesAttributesBecomeInputsAndALastAxisSoftmaxIsKept() throws ModelLoadException {
        Model up = Passes.run(net(11, 1, 2), List.of(new UpgradeToOpset13()));
        assertEquals(13, up.opset());
        Node u = up.graph().nodes().get(0);
        assertFalse(u.attributes().containsKey("axes"));
        assertArrayEquals(new long[] {2}, up.graph().initializers().get(u.inputs().get(1)).toLongArray());
        Node sm = up.graph().nodes().get(2);
        assertEquals(-1L, ((Attribute.IntValue) sm.attributes().get("axis")).value());
        assertEquals(List.of(Dim.symbol("N"), Dim.of(4)), ShapeInference.infer(up).graph().typeOf("y").orElseThrow()
                .shape().orElseThrow(), "the upgraded graph still types");
    }

    @Test
    void aSoftmaxThatFlattensIsRefusedAndOldOpsetsToo() throws ModelLoadException {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> new UpgradeToOpset13().apply(net(12, 1, 3)));
        assertTrue(e.getMessage().contains("'sm'") && e.getMessage().contains("rank-3"), e.getMessage());
        assertThrows(ModelLoadException.class, () -> new UpgradeToOpset13().apply(net(10, 1, 2)));
        Model same = Model.of(new Graph("g", List.of(Node.of("r", "Relu", List.of("x"), List.of("y"))),
                List.of(ValueInfo.of("x", DataType.FLOAT, List.of(Dim.of(2)))),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)), Map.of(), Map.of()), 13);
        assertTrue(new UpgradeToOpset13().apply(same) == same, "opset 13 models pass unchanged");
    }
}
