// Checks that fixing input shapes binds symbols, re-infers, and refuses shapes that contradict the declaration.
package dev.condense.passes;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixInputShapeTest {

    private static Model model() {
        ValueInfo image = ValueInfo.of("image", DataType.FLOAT,
                List.of(Dim.symbol("N"), Dim.of(3), Dim.UNKNOWN, Dim.symbol("W")));
        ValueInfo scale = ValueInfo.of("scale", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(1)));
        List<Node> nodes = List.of(Node.of("relu", "Relu", List.of("image"), List.of("r")),
                Node.of("mul", "Mul", List.of("r", "scale"), List.of("y")));
        return Model.of(new Graph("g", nodes, List.of(image, scale),
                List.of(ValueInfo.of("y", DataType.FLOAT, List.of(Dim.symbol("N"), Dim.of(3), Dim.UNKNOWN, Dim.symbol("W")))),
                Map.of(), Map.of()), 13);
    }

    @Test
    void fixesTheInputBindsItsSymbolsAndReinfers() throws ModelLoadException {
        Graph g = new FixInputShape(Map.of("image", new long[] {1, 3, 224, 224})).apply(model()).graph();
        assertEquals(Dim.fixed(1, 3, 224, 224), g.inputs().get(0).shape().orElseThrow());
        assertEquals(Dim.fixed(1, 1), g.inputs().get(1).shape().orElseThrow());
        assertEquals(Dim.fixed(1, 3, 224, 224), g.outputs().getFirst().shape().orElseThrow());
        assertEquals(Dim.fixed(1, 3, 224, 224), g.valueInfo().get("r").shape().orElseThrow());
    }

    @Test
    void refusesAWrongRankOrFixedSizeQuotingTheDeclaration() {
        ModelLoadException rank = assertThrows(ModelLoadException.class,
                () -> new FixInputShape(Map.of("image", new long[] {1, 3, 224})).apply(model()));
        assertTrue(rank.getMessage().contains("float32[N, 3, ?, W]"), rank.getMessage());
        assertTrue(rank.getMessage().contains("rank 3, not 4"), rank.getMessage());
        ModelLoadException size = assertThrows(ModelLoadException.class,
                () -> new FixInputShape(Map.of("image", new long[] {1, 4, 224, 224})).apply(model()));
        assertTrue(size.getMessage().contains("fixed at 3"), size.getMessage());
    }

    @Test
    void refusesUnknownInputsAndConflictingSymbols() {
        ModelLoadException missing = assertThrows(ModelLoadException.class,
                () -> new FixInputShape(Map.of("img", new long[] {1})).apply(model()));
        assertTrue(missing.getMessage().contains("image: float32[N, 3, ?, W]"), missing.getMessage());
        Map<String, long[]> conflicting = new LinkedHashMap<>();
        conflicting.put("image", new long[] {1, 3, 8, 8});
        conflicting.put("scale", new long[] {2, 1});
        ModelLoadException symbol = assertThrows(ModelLoadException.class,
                () -> new FixInputShape(conflicting).apply(model()));
        assertTrue(symbol.getMessage().contains("N = 2"), symbol.getMessage());
        assertTrue(symbol.getMessage().contains("sets it to 1"), symbol.getMessage());
    }
}
