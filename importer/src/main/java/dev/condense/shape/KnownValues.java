// What shape inference knows about each value of a graph while it walks the nodes: types, constants, tracked integers.
package dev.condense.shape;

import dev.condense.ir.Graph;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The types of graph inputs, initializers and inferred node outputs, plus constant contents. */
final class KnownValues {

    private final Map<String, ValueInfo> types = new HashMap<>();
    private final Map<String, Tensor> constants = new HashMap<>();
    private final Map<String, SymbolicValues> tracked = new HashMap<>();

    KnownValues(Graph graph) {
        for (ValueInfo in : graph.inputs()) {
            types.put(in.name(), in);
        }
        for (Map.Entry<String, Tensor> e : graph.initializers().entrySet()) {
            defineConstant(e.getKey(), e.getValue());
        }
    }

    Optional<ValueInfo> type(String name) {
        return Optional.ofNullable(types.get(name));
    }

    Optional<Tensor> constant(String name) {
        return Optional.ofNullable(constants.get(name));
    }

    /** The tracked elements of a small integer value, from a constant or propagated through shape arithmetic. */
    Optional<SymbolicValues> tracked(String name) {
        return Optional.ofNullable(tracked.get(name));
    }

    void define(ValueInfo type) {
        types.put(type.name(), type);
    }

    void defineConstant(String name, Tensor value) {
        types.put(name, value.valueInfo().withName(name));
        constants.put(name, value);
        SymbolicValues.of(value).ifPresent(v -> tracked.put(name, v));
    }

    void track(String name, SymbolicValues values) {
        tracked.put(name, values);
    }
}
