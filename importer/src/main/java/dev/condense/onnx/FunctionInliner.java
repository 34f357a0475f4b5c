// Expands calls of a model's local functions (FunctionProto) into their bodies, so the graph holds ONNX operators only.
package dev.condense.onnx;

import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.proto.Onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exporters that keep a network's modules as ONNX local functions (PyTorch's dynamo exporter,
 * {@code export_modules_as_functions}) write nodes that call them by (domain, name, overload).
 * Each call becomes a copy of the function's body: formal inputs and outputs are renamed to the
 * call's values, the body's own values get fresh names under the call's name, and attributes that
 * refer to a function attribute ({@code ref_attr_name}) take the call's value or the function's
 * default. Nested calls expand recursively; recursion and runaway growth are refused.
 */
final class FunctionInliner {

    /** Most nodes a graph may hold once every call is expanded. */
    static final int MAX_NODES = 1_000_000;
    /** Deepest chain of functions calling functions. */
    static final int MAX_DEPTH = 32;

    private record Key(String domain, String name, String overload) {
        @Override
        public String toString() {
            return (domain.isEmpty() ? "" : domain + ".") + name + (overload.isEmpty() ? "" : ":" + overload);
        }
    }

    private final Map<Key, Onnx.FunctionProto> functions = new HashMap<>();
    private final Set<String> taken = new HashSet<>();
    private final List<Onnx.NodeProto> out = new ArrayList<>();

    private FunctionInliner() {
    }

    /**
     * The model's main graph with every call of a local function expanded.
     *
     * @param modelOpset the model's default-domain opset, which the functions must share
     */
    static Onnx.GraphProto inline(Onnx.ModelProto model, long modelOpset) throws ModelLoadException {
        FunctionInliner inliner = new FunctionInliner();
        for (Onnx.FunctionProto f : model.getFunctionsList()) {
            Key key = new Key(domain(f.getDomain()), f.getName(), f.getOverload());
            if (f.getName().isEmpty()) {
                throw new ModelLoadException("the model defines a local function without a name");
            }
            if (inliner.functions.put(key, f) != null) {
                throw new ModelLoadException("local function " + key + " is defined twice");
            }
            for (Onnx.OperatorSetIdProto o : f.getOpsetImportList()) {
                if (domain(o.getDomain()).isEmpty() && o.getVersion() != modelOpset) {
                    throw new ModelLoadException("local function " + key + " is written against opset " + o.getVersion()
                            + " of the default domain, the model against opset " + modelOpset
                            + "; Condense inlines functions of the model's own opset only");
                }
            }
        }
        Onnx.GraphProto graph = model.getGraph();
        inliner.collectNames(graph);
        for (Onnx.NodeProto n : graph.getNodeList()) {
            inliner.emit(n, new ArrayList<>());
        }
        return graph.toBuilder().clearNode().addAllNode(inliner.out).build();
    }

    private static String domain(String d) {
        return d.equals("ai.onnx") ? "" : d;
    }

    private void collectNames(Onnx.GraphProto g) {
        g.getInputList().forEach(v -> taken.add(v.getName()));
        g.getOutputList().forEach(v -> taken.add(v.getName()));
        g.getInitializerList().forEach(t -> taken.add(t.getName()));
        for (Onnx.NodeProto n : g.getNodeList()) {
            taken.addAll(n.getOutputList());
            taken.add(n.getName());
        }
    }

    /** Appends {@code node}, or the expansion of the function it calls. */
    private void emit(Onnx.NodeProto node, List<Key> callers) throws ModelLoadException {
        Onnx.FunctionProto f = functions.get(new Key(domain(node.getDomain()), node.getOpType(), node.getOverload()));
        if (f == null) {
            if (out.size() >= MAX_NODES) {
                throw new ModelLoadException("expanding the model's local functions gives more than " + MAX_NODES
                        + " nodes");
            }
            out.add(node);
            return;
        }
        Key key = new Key(domain(f.getDomain()), f.getName(), f.getOverload());
        if (callers.contains(key)) {
            throw new ModelLoadException("local function " + key + " calls itself (through " + callers + ")");
        }
        if (callers.size() >= MAX_DEPTH) {
            throw new ModelLoadException("local functions call each other deeper than " + MAX_DEPTH + " levels");
        }
        String call = node.getName().isEmpty() ? key.name() : node.getName();
        if (node.getInputCount() > f.getInputCount() || node.getOutputCount() > f.getOutputCount()) {
            throw new ModelLoadException("node '" + node.getName() + "' calls " + key + " with " + node.getInputCount()
                    + " inputs and " + node.getOutputCount() + " outputs; the function has " + f.getInputCount()
                    + " and " + f.getOutputCount());
        }
        Map<String, String> rename = new HashMap<>();
        for (int i = 0; i < f.getInputCount(); i++) {
            rename.put(f.getInput(i), i < node.getInputCount() ? node.getInput(i) : "");
        }
        for (int i = 0; i < f.getOutputCount(); i++) {
            rename.put(f.getOutput(i), i < node.getOutputCount() ? node.getOutput(i) : fresh(call + "/" + f.getOutput(i)));
        }
        Map<String, Onnx.AttributeProto> actual = new HashMap<>();
        for (Onnx.AttributeProto a : f.getAttributeProtoList()) {
            actual.put(a.getName(), a); // defaults
        }
        for (Onnx.AttributeProto a : node.getAttributeList()) {
            actual.put(a.getName(), a);
        }
        callers.add(key);
        for (Onnx.NodeProto body : f.getNodeList()) {
            Onnx.NodeProto.Builder b = body.toBuilder().clearInput().clearOutput().clearAttribute();
            for (String in : body.getInputList()) {
                b.addInput(in.isEmpty() ? "" : rename.computeIfAbsent(in, v -> fresh(call + "/" + v)));
            }
            for (String o : body.getOutputList()) {
                b.addOutput(o.isEmpty() ? "" : rename.computeIfAbsent(o, v -> fresh(call + "/" + v)));
            }
            for (Onnx.AttributeProto a : body.getAttributeList()) {
                if (a.hasG() || a.getGraphsCount() > 0) {
                    throw new ModelLoadException("local function " + key + " holds a subgraph (node '" + body.getName()
                            + "'); Condense inlines functions of plain operators only");
                }
                if (a.getRefAttrName().isEmpty()) {
                    b.addAttribute(a);
                } else {
                    Onnx.AttributeProto value = actual.get(a.getRefAttrName());
                    if (value != null) {
                        b.addAttribute(value.toBuilder().setName(a.getName()));
                    }
                }
            }
            b.setName(fresh(call + "/" + (body.getName().isEmpty() ? body.getOpType() : body.getName())));
            emit(b.build(), callers);
        }
        callers.removeLast();
    }

    /** {@code base}, or base_N when taken; reserved on return. */
    private String fresh(String base) {
        String name = base;
        for (int i = 1; taken.contains(name); i++) {
            name = base + "_" + i;
        }
        taken.add(name);
        return name;
    }
}
