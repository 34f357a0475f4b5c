// Hand-built graphs small enough to state their outputs exactly: pass-throughs, one op the vector engine lacks.
package dev.condense.runtime;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Identity graphs run on every backend today, so they test the Session around the engines. */
final class TinyModels {

    static final int OPSET = 13;
    static final String CUSTOM_DOMAIN = "com.example";
    static final long CUSTOM_DOMAIN_VERSION = 2;

    private TinyModels() {
    }

    /** Inputs {@code name: dtype[N, 3]}, each copied by an Identity node to output {@code name_out}. */
    static Model identities(DataType dtype, String... names) {
        List<Node> nodes = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        for (String name : names) {
            List<Dim> dims = List.of(new Dim.Symbolic("N"), new Dim.Fixed(3));
            inputs.add(ValueInfo.of(name, dtype, dims));
            outputs.add(ValueInfo.of(name + "_out", dtype, dims));
            nodes.add(Node.of("copy_" + name, "Identity", List.of(name), List.of(name + "_out")));
        }
        return Model.of(new Graph("identities", nodes, inputs, outputs, Map.of(), Map.of()), OPSET);
    }

    /**
     * x: float32[2, 3, 3] -> Det 'det' -> Neg 'neg' -> y: float32[2]. Det's output is not a graph
     * output, so only the op tells its shape: the engine must report the op, not the shape.
     */
    static Model determinant() {
        List<Node> nodes = List.of(
                Node.of("det", "Det", List.of("x"), List.of("d")),
                Node.of("neg", "Neg", List.of("d"), List.of("y")));
        return Model.of(new Graph("det", nodes,
                List.of(ValueInfo.of("x", DataType.FLOAT, List.of(new Dim.Fixed(2), new Dim.Fixed(3), new Dim.Fixed(3)))),
                List.of(ValueInfo.of("y", DataType.FLOAT, List.of(new Dim.Fixed(2)))), Map.of(), Map.of()), OPSET);
    }

    /** x: float32[2, 3] -> com.example.Frobnicate 'frob' -> Neg -> y, importing com.example version 2. */
    static Model customDomainOp() {
        List<Dim> dims = List.of(new Dim.Fixed(2), new Dim.Fixed(3));
        List<Node> nodes = List.of(
                new Node("frob", "Frobnicate", CUSTOM_DOMAIN, List.of("x"), List.of("f"), Map.of()),
                Node.of("neg", "Neg", List.of("f"), List.of("y")));
        Graph g = new Graph("custom", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, dims)),
                List.of(ValueInfo.of("y", DataType.FLOAT, dims)), Map.of(), Map.of());
        return new Model(Model.irVersionFor(OPSET), Map.of("", (long) OPSET, CUSTOM_DOMAIN, CUSTOM_DOMAIN_VERSION),
                "condense", "", "", Map.of(), g);
    }
}
