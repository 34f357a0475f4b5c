// Infers the element type and (possibly symbolic) shape of every value in a model, checking ops' shape rules on the way.
package dev.condense.shape;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Shape inference over the default ONNX domain, opsets 7 to 22. Walks the (topologically sorted)
 * nodes once, giving every node output a {@link ValueInfo} in the graph's {@code valueInfo} and
 * refining the graph outputs. Symbolic dimensions such as a batch {@code N} propagate, including
 * through the products Flatten and Reshape form ({@code [N, 400]}). Ops it does not know, and
 * other domains, get outputs of unknown shape. A shape rule that an op violates (a channel
 * mismatch, shapes that do not broadcast, an empty convolution output, a size that overflows)
 * is a {@link ModelLoadException} naming the node and the shapes involved.
 */
public final class ShapeInference {

    private ShapeInference() {
    }

    /**
     * The model with every node output typed in {@code graph.valueInfo()} and the graph outputs
     * carrying the inferred shape. Declared types (existing value infos, graph outputs) are merged
     * in: the more specific dimension wins, and two different fixed sizes are an error.
     */
    public static Model infer(Model model) throws ModelLoadException {
        Graph graph = model.graph();
        int opset = model.opset();
        KnownValues known = new KnownValues(graph);
        Map<String, ValueInfo> declaredOutputs = new HashMap<>();
        for (ValueInfo o : graph.outputs()) {
            declaredOutputs.put(o.name(), o);
        }
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>(graph.valueInfo());
        for (Node node : graph.nodes()) {
            NodeContext c = new NodeContext(node, opset, known);
            boolean inferred = node.isDefaultDomain() && inferNode(c);
            for (int i = 0; i < node.outputs().size(); i++) {
                String name = node.outputs().get(i);
                if (name.isEmpty()) {
                    continue;
                }
                ValueInfo type;
                Optional<ValueInfo> result = inferred ? c.result(i) : Optional.empty();
                if (result.isPresent()) {
                    type = merge(node, valueInfo.get(name), result.get(), true);
                    type = merge(node, declaredOutputs.get(name), type, true);
                } else {
                    type = fallback(c, valueInfo.get(name), declaredOutputs.get(name), name);
                }
                checkElementCount(node, type);
                Optional<Tensor> constant = c.resultConstant(i);
                if (constant.isPresent()) {
                    known.defineConstant(name, constant.get());
                }
                known.define(type);
                c.resultValues(i).ifPresent(v -> known.track(name, v));
                valueInfo.put(name, type);
            }
        }
        List<ValueInfo> outputs = new ArrayList<>(graph.outputs().size());
        for (ValueInfo declared : graph.outputs()) {
            Optional<ValueInfo> produced = known.type(declared.name());
            outputs.add(produced.isPresent() ? merge(null, declared, produced.get(), true) : declared);
        }
        return model.withGraph(graph.withValueInfo(valueInfo).withOutputs(outputs));
    }

    /**
     * Fixes the named graph inputs to the given sizes and infers again. Each shape must have the
     * input's declared rank and agree with its fixed dimensions; a symbolic dimension given a size
     * takes that size in every other input too, as ONNX symbols name one size.
     */
    public static Model withInputShapes(Model model, Map<String, long[]> shapes) throws ModelLoadException {
        Graph graph = model.graph();
        Map<String, ValueInfo> inputs = new LinkedHashMap<>();
        for (ValueInfo in : graph.inputs()) {
            inputs.put(in.name(), in);
        }
        Map<String, Long> bindings = new HashMap<>();
        Map<String, String> boundBy = new HashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] dims = e.getValue();
            ValueInfo in = inputs.get(name);
            if (in == null) {
                String what = graph.initializers().containsKey(name) ? "'" + name + "' is an initializer, not a fed input"
                        : "the graph has no input '" + name + "'";
                throw new ModelLoadException(what + "; its inputs are "
                        + graph.inputs().stream().map(ValueInfo::toString).collect(Collectors.joining(", ")));
            }
            String declared = "input '" + name + "' is declared " + in.typeString();
            for (long d : dims) {
                if (d < 0) {
                    throw new ModelLoadException(declared + "; the shape given " + Arrays.toString(dims)
                            + " has a negative size");
                }
            }
            if (in.shape().isEmpty()) {
                continue;
            }
            List<Dim> current = in.shape().get();
            if (current.size() != dims.length) {
                throw new ModelLoadException(declared + "; the shape given " + Arrays.toString(dims) + " has rank "
                        + dims.length + ", not " + current.size());
            }
            for (int i = 0; i < dims.length; i++) {
                Dim d = current.get(i);
                if (d.isFixed() && d.size() != dims[i]) {
                    throw new ModelLoadException(declared + "; the shape given " + Arrays.toString(dims)
                            + " sets dimension " + i + " to " + dims[i] + " but it is fixed at " + d.size());
                }
                if (d instanceof Dim.Symbolic(String symbol)) {
                    Long previous = bindings.putIfAbsent(symbol, dims[i]);
                    if (previous != null && previous != dims[i]) {
                        throw new ModelLoadException(declared + "; the shape given " + Arrays.toString(dims)
                                + " sets " + symbol + " = " + dims[i] + " but input '" + boundBy.get(symbol)
                                + "' sets it to " + previous);
                    }
                    boundBy.putIfAbsent(symbol, name);
                }
            }
            checkElementCount(null, in.withShape(Dim.fixed(dims)));
        }
        List<ValueInfo> newInputs = new ArrayList<>(graph.inputs().size());
        for (ValueInfo in : graph.inputs()) {
            long[] given = shapes.get(in.name());
            if (given != null) {
                newInputs.add(in.withShape(Dim.fixed(given)));
            } else if (in.shape().isPresent()) {
                List<Dim> dims = new ArrayList<>();
                for (Dim d : in.shape().get()) {
                    dims.add(d instanceof Dim.Symbolic(String s) && bindings.containsKey(s) ? Dim.of(bindings.get(s)) : d);
                }
                newInputs.add(in.withShape(dims));
            } else {
                newInputs.add(in);
            }
        }
        return infer(model.withGraph(graph.withInputs(newInputs)));
    }

    /**
     * Sets dimension 0 of every graph input whose first dimension is symbolic or unknown to
     * {@code batchSize} and infers again.
     */
    public static Model withBatchSize(Model model, long batchSize) throws ModelLoadException {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        Graph graph = model.graph();
        List<ValueInfo> newInputs = new ArrayList<>(graph.inputs().size());
        for (ValueInfo in : graph.inputs()) {
            if (in.shape().isPresent() && !in.shape().get().isEmpty() && !in.shape().get().getFirst().isFixed()) {
                List<Dim> dims = new ArrayList<>(in.shape().get());
                dims.set(0, Dim.of(batchSize));
                newInputs.add(in.withShape(dims));
            } else {
                newInputs.add(in);
            }
        }
        return infer(model.withGraph(graph.withInputs(newInputs)));
    }

    private static boolean inferNode(NodeContext c) throws ModelLoadException {
        try {
            return ShapeRules.infer(c);
        } catch (ArithmeticException e) {
            StringBuilder inputs = new StringBuilder();
            for (int i = 0; i < c.inputCount(); i++) {
                inputs.append(i == 0 ? "" : ", ").append(c.describeInput(i));
            }
            throw c.error("a size overflows a 64-bit integer for inputs " + inputs);
        }
    }

    /**
     * The type of an output no rule inferred (unknown op or domain): a declared type when there is
     * one, else unknown shape with the first input's element type.
     */
    private static ValueInfo fallback(NodeContext c, ValueInfo declared, ValueInfo declaredOutput, String name)
            throws ModelLoadException {
        if (declared != null && declaredOutput != null) {
            return merge(c.node, declaredOutput, declared, false);
        }
        if (declared != null || declaredOutput != null) {
            return declared != null ? declared : declaredOutput;
        }
        for (int i = 0; i < c.inputCount(); i++) {
            Optional<ValueInfo> in = c.knownType(i);
            if (in.isPresent()) {
                return ValueInfo.unknownShape(name, in.get().dtype());
            }
        }
        return ValueInfo.unknownShape(name, DataType.FLOAT);
    }

    /**
     * Merges a declared type (may be null) into an inferred one: per dimension, fixed beats
     * symbolic beats unknown, an inferred symbol beats a declared one, and two different fixed
     * sizes or ranks are an error naming the value and both shapes. When {@code inferredTypeIsSure}
     * is false a differing element type yields to the declared one.
     */
    private static ValueInfo merge(Node node, ValueInfo declared, ValueInfo inferred, boolean inferredTypeIsSure)
            throws ModelLoadException {
        if (declared == null) {
            return inferred;
        }
        String where = node == null ? "" : " (output of " + node.describe() + ")";
        if (declared.dtype() != inferred.dtype() && inferredTypeIsSure) {
            throw new ModelLoadException("value '" + inferred.name() + "'" + where + " is declared "
                    + declared.typeString() + " but inferred " + inferred.typeString());
        }
        DataType dtype = inferredTypeIsSure ? inferred.dtype() : declared.dtype();
        if (declared.shape().isEmpty() || inferred.shape().isEmpty()) {
            return new ValueInfo(inferred.name(), dtype, inferred.shape().isPresent() ? inferred.shape() : declared.shape());
        }
        List<Dim> d = declared.shape().get();
        List<Dim> s = inferred.shape().get();
        boolean conflict = d.size() != s.size();
        List<Dim> out = new ArrayList<>(s.size());
        for (int i = 0; i < s.size() && !conflict; i++) {
            Dim a = d.get(i);
            Dim b = s.get(i);
            if (a.isFixed() && b.isFixed()) {
                conflict = a.size() != b.size();
                out.add(b);
            } else if (a.isFixed() || (b instanceof Dim.Unknown)) {
                out.add(a);
            } else {
                out.add(b);
            }
        }
        if (conflict) {
            throw new ModelLoadException("value '" + inferred.name() + "'" + where + " is declared with shape "
                    + Dim.format(d) + " but its inferred shape is " + Dim.format(s));
        }
        return ValueInfo.of(inferred.name(), dtype, out);
    }

    /** Rejects a shape whose fixed dimensions alone multiply past a 64-bit element count. */
    private static void checkElementCount(Node node, ValueInfo type) throws ModelLoadException {
        if (type.shape().isEmpty()) {
            return;
        }
        List<Dim> dims = type.shape().get();
        if (dims.stream().anyMatch(d -> d.isFixed() && d.size() == 0)) {
            return;
        }
        long count = 1;
        for (Dim d : dims) {
            if (d.isFixed()) {
                try {
                    count = Math.multiplyExact(count, d.size());
                } catch (ArithmeticException e) {
                    throw new ModelLoadException((node == null ? "" : node.describe() + ": ") + "value '" + type.name()
                            + "' of shape " + Dim.format(type.shape().get())
                            + " has more elements than a 64-bit count holds");
                }
            }
        }
    }
}
