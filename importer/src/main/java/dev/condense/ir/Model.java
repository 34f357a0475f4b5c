// A whole model: the graph plus the opsets it was written against and the producer's metadata.
package dev.condense.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A model. {@code opsets} maps an operator domain ("" for the default ONNX domain) to its version.
 */
public record Model(long irVersion, Map<String, Long> opsets, String producerName, String producerVersion,
                    String docString, Map<String, String> metadata, Graph graph) {

    /** Oldest and newest default-domain opsets Condense reads; files older than opset 7 are upgraded to it on import. */
    public static final int MIN_OPSET = 1;
    public static final int MAX_OPSET = 22;

    public Model {
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        Objects.requireNonNull(producerName, "producerName");
        Objects.requireNonNull(producerVersion, "producerVersion");
        Objects.requireNonNull(docString, "docString");
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Objects.requireNonNull(graph, "graph");
    }

    /** A model of one graph at the given default-domain opset, as Condense writes its own. */
    public static Model of(Graph graph, int opset) {
        return new Model(irVersionFor(opset), Map.of("", (long) opset), "condense", "", "", Map.of(), graph);
    }

    /** The default-domain opset version. */
    public int opset() {
        Long v = opsets.get("");
        if (v == null) {
            v = opsets.get("ai.onnx");
        }
        return v == null ? MAX_OPSET : v.intValue();
    }

    public Model withGraph(Graph newGraph) {
        return new Model(irVersion, opsets, producerName, producerVersion, docString, metadata, newGraph);
    }

    /** The oldest IR version that carries a default-domain opset (ONNX's versioning table). */
    public static long irVersionFor(int opset) {
        // IR 4 is the floor: from it on, initializers need not be listed as graph inputs.
        if (opset <= 9) {
            return 4;
        }
        if (opset <= 11) {
            return opset - 5;
        }
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        if (opset <= 20) {
            return 9;
        }
        return opset <= 22 ? 10 : 11;
    }
}
