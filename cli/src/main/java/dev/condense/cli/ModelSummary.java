// What `condense inspect` reports about a model: opset, inputs and outputs, ops, nodes, parameters, MACs, bytes.
package dev.condense.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ValueInfo;
import dev.condense.shape.ModelCost;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A model's summary. {@code shapes} come from shape inference; {@code bytes} is what the model
 * occupies on disk, external data included.
 */
record ModelSummary(String source, String producer, long irVersion, int opset, List<ValueInfo> inputs,
                    List<ValueInfo> outputs, Map<String, Integer> ops, int nodes, long parameters,
                    long learnableParameters, long macs, long bytes, Map<String, String> metadata) {

    /** A summary whose learnable parameters and MACs ({@code cost}) are known, or -1 when they are not. */
    static ModelSummary of(String source, Model model, long bytes, ModelCost cost) {
        Graph g = model.graph();
        String producer = (model.producerName() + " " + model.producerVersion()).strip();
        return new ModelSummary(source, producer, model.irVersion(), model.opset(), g.inputs(), g.outputs(),
                g.opHistogram(), g.nodes().size(), g.parameterCount(), cost == null ? -1 : cost.learnableParameters(),
                cost == null ? -1 : cost.macs(), bytes, new java.util.TreeMap<>(model.metadata()));
    }

    /** The JSON object of {@code inspect --json}. */
    String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", source);
        root.put("producer", producer);
        root.put("ir_version", irVersion);
        root.put("opset", opset);
        root.put("inputs", values(inputs));
        root.put("outputs", values(outputs));
        root.put("ops", ops);
        root.put("nodes", nodes);
        root.put("parameters", parameters);
        root.put("learnable_parameters", learnableParameters);
        root.put("macs", macs);
        root.put("bytes", bytes);
        root.put("metadata", metadata);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and numbers always serializes", e);
        }
    }

    private static List<Map<String, Object>> values(List<ValueInfo> values) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ValueInfo v : values) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("dtype", v.dtype().displayName());
            m.put("shape", v.shape().map(ModelSummary::jsonDims).orElse(null));
            out.add(m);
        }
        return out;
    }

    /** Fixed dims as numbers, symbolic ones as their names, unknown ones as null. */
    private static List<Object> jsonDims(List<Dim> dims) {
        List<Object> out = new ArrayList<>();
        for (Dim d : dims) {
            out.add(switch (d) {
                case Dim.Fixed(long size) -> size;
                case Dim.Symbolic(String symbol) -> symbol;
                case Dim.Unknown u -> null;
            });
        }
        return out;
    }

    /** The human-readable form. */
    String toText() {
        StringBuilder sb = new StringBuilder();
        line(sb, "model", source + (producer.isEmpty() ? "" : "  (" + producer + ")"));
        line(sb, "opset", opset + "  (IR version " + irVersion + ")");
        for (int i = 0; i < inputs.size(); i++) {
            line(sb, i == 0 ? "inputs" : "", inputs.get(i).toString());
        }
        if (inputs.isEmpty()) {
            line(sb, "inputs", "(none)");
        }
        for (int i = 0; i < outputs.size(); i++) {
            line(sb, i == 0 ? "outputs" : "", outputs.get(i).toString());
        }
        line(sb, "nodes", String.format("%,d", nodes));
        line(sb, "parameters", String.format("%,d", parameters) + (learnableParameters < 0 ? ""
                : String.format("  (%,d learnable)", learnableParameters)));
        line(sb, "MACs", macs < 0 ? "unknown (shapes not all known)" : ZooCommand.count(macs) + " per input");
        line(sb, "bytes", String.format("%,d  (%s)", bytes, human(bytes)));
        line(sb, "ops", ops.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", ")));
        // What training recorded (dataset, normalization, epochs, accuracy) and any producer's own keys.
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            line(sb, first ? "metadata" : "", e.getKey() + " = " + e.getValue());
            first = false;
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-11s %s%n", key, value));
    }

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
