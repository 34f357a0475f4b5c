// Checks which nodes count as weight layers, how they are named, and that a shared weight is listed once.
package dev.condense.layers;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightLayerTest {

    private static Tensor floats(String name, long... dims) {
        return Tensor.ofFloats(name, dims, new float[Math.toIntExact(Tensor.elementCount(dims))]);
    }

    /** conv1 (named), an unnamed Conv, a Conv whose weight is a graph input, a Gemm, a MatMul, an int8 MatMul. */
    static Graph graph() {
        Map<String, Tensor> init = new LinkedHashMap<>();
        for (Tensor t : List.of(floats("w1", 4, 3, 3, 3), floats("b1", 4), floats("w2", 4, 4, 1, 1),
                floats("wfc", 10, 16), floats("wmm", 10, 5),
                Tensor.ofRaw("wq", DataType.INT8, new long[] {5, 5}, new byte[25]))) {
            init.put(t.name(), t);
        }
        List<Node> nodes = List.of(
                Node.of("conv1", "Conv", List.of("x", "w1", "b1"), List.of("c1")),
                Node.of("", "Conv", List.of("c1", "w2"), List.of("c2")),
                Node.of("dyn", "Conv", List.of("c2", "wx"), List.of("c3")),
                Node.of("", "Conv", List.of("c3", "w2"), List.of("c4")),
                Node.of("flat", "Flatten", List.of("c4"), List.of("f")),
                Node.of("classifier.fc1", "Gemm", List.of("f", "wfc"), List.of("g")),
                Node.of("mm", "MatMul", List.of("g", "wmm"), List.of("m")),
                Node.of("mmq", "MatMul", List.of("m", "wq"), List.of("y")));
        List<ValueInfo> inputs = List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(1, 3, 2, 2)),
                ValueInfo.of("wx", DataType.FLOAT, Dim.fixed(4, 4, 1, 1)));
        return new Graph("g", nodes, inputs, List.of(ValueInfo.unknownShape("y", DataType.FLOAT)), init, Map.of());
    }

    @Test
    void findsFloatInitializerWeightsOfConvGemmAndMatMulInNodeOrder() {
        List<WeightLayer> layers = WeightLayer.of(graph());
        assertEquals(List.of("conv1", "w2", "classifier.fc1", "mm"), layers.stream().map(WeightLayer::name).toList());
        assertEquals(List.of(WeightLayer.Kind.CONV, WeightLayer.Kind.CONV, WeightLayer.Kind.FC, WeightLayer.Kind.FC),
                layers.stream().map(WeightLayer::kind).toList());
        assertEquals(List.of("w1", "w2", "wfc", "wmm"), layers.stream().map(WeightLayer::weightName).toList());
        assertEquals(108, layers.getFirst().weightCount());
    }

    @Test
    void shortNameIsTheLastPathSegment() {
        WeightLayer fc = WeightLayer.of(graph()).get(2);
        assertEquals("fc1", fc.shortName());
        assertEquals("Gemm 'classifier.fc1' (weight 'wfc', [10, 16])", fc.describe());
    }
}
