// One operator application in a graph: op type, domain, named inputs and outputs, typed attributes.
package dev.condense.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A node. An empty string in {@code inputs} marks an omitted optional input, as in ONNX.
 * {@code domain} is "" for the default ONNX domain.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {

    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(domain, "domain");
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public static Node of(String name, String opType, List<String> inputs, List<String> outputs) {
        return new Node(name, opType, "", inputs, outputs, Map.of());
    }

    public static Node of(String name, String opType, List<String> inputs, List<String> outputs,
                          Map<String, Attribute> attributes) {
        return new Node(name, opType, "", inputs, outputs, attributes);
    }

    public Optional<Attribute> attribute(String key) {
        return Optional.ofNullable(attributes.get(key));
    }

    /** Input {@code i}, or empty when it is absent or omitted (""). */
    public Optional<String> input(int i) {
        return i < inputs.size() && !inputs.get(i).isEmpty() ? Optional.of(inputs.get(i)) : Optional.empty();
    }

    /** The first output, which most CNN ops have alone. */
    public String output() {
        return outputs.getFirst();
    }

    public boolean isDefaultDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    public Node withInputs(List<String> newInputs) {
        return new Node(name, opType, domain, newInputs, outputs, attributes);
    }

    public Node withOutputs(List<String> newOutputs) {
        return new Node(name, opType, domain, inputs, newOutputs, attributes);
    }

    public Node withAttributes(Map<String, Attribute> newAttributes) {
        return new Node(name, opType, domain, inputs, outputs, newAttributes);
    }

    /** "Conv 'conv1'" or "Conv (output 'x')" when unnamed: how messages name a node. */
    public String describe() {
        String op = domain.isEmpty() ? opType : domain + "." + opType;
        return name.isEmpty() ? op + " (output '" + (outputs.isEmpty() ? "" : outputs.getFirst()) + "')"
                : op + " '" + name + "'";
    }
}
