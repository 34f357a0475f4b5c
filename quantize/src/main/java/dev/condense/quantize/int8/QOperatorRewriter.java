// QDQ to QOperator form: a DequantizeLinear → Conv/MatMul → QuantizeLinear group becomes one QLinearConv or QLinearMatMul.
package dev.condense.quantize.int8;

import dev.condense.ir.Attribute;
import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ops.GemmAttrs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group is rewritten when its activation input is dequantized, its weight is a dequantized int8
 * initializer, its bias (Conv) is absent or a dequantized int32 initializer, and its output feeds
 * a QuantizeLinear alone. MatMul, and Gemm with transB, alpha = beta = 1 and no bias, become
 * QLinearMatMul with the weight laid out as [K, N]. Everything else (a Gemm with a bias, the last
 * layer whose output stays fp32, Add, pooling) keeps its QDQ form, which every ONNX runtime runs.
 */
public final class QOperatorRewriter {

    private QOperatorRewriter() {
    }

    public static Model rewrite(Model qdq) throws QuantizationException {
        Graph g = qdq.graph();
        Map<String, Node> producers = g.producers();
        Map<String, List<Node>> consumers = g.consumers();
        Set<String> graphOutputs = new HashSet<>();
        g.outputs().forEach(v -> graphOutputs.add(v.name()));
        Map<String, Tensor> init = new LinkedHashMap<>(g.initializers());
        Map<Node, Node> replaced = new HashMap<>();
        Set<Node> dropped = new HashSet<>();
        GraphNames names = new GraphNames(g);
        for (Node n : g.nodes()) {
            boolean conv = n.isDefaultDomain() && n.opType().equals("Conv");
            boolean matmul = n.isDefaultDomain() && (n.opType().equals("MatMul") || n.opType().equals("Gemm"));
            if (!conv && !matmul) {
                continue;
            }
            Node dx = dequantize(producers, n.inputs().getFirst(), g, false);
            Node dw = dequantize(producers, n.inputs().get(1), g, true);
            List<Node> users = consumers.getOrDefault(n.outputs().getFirst(), List.of());
            if (dx == null || dw == null || users.size() != 1 || graphOutputs.contains(n.outputs().getFirst())
                    || !users.getFirst().opType().equals("QuantizeLinear")) {
                continue;
            }
            Node q = users.getFirst();
            String bias = n.inputs().size() > 2 ? n.inputs().get(2) : "";
            Node db = bias.isEmpty() ? null : dequantize(producers, bias, g, true);
            if (!bias.isEmpty() && (!conv || db == null)) {
                continue;
            }
            if (n.opType().equals("Gemm") && !plainGemmWithTransB(n, qdq.opset())) {
                continue;
            }
            List<String> in = new ArrayList<>();
            in.addAll(triple(dx));
            if (conv) {
                in.addAll(triple(dw));
            } else {
                in.addAll(weightAsKxN(n, dw, init, names));
            }
            in.add(q.inputs().get(1));
            in.add(q.inputs().size() > 2 ? q.inputs().get(2) : "");
            if (db != null) {
                in.add(db.inputs().getFirst());
            }
            Map<String, Attribute> attrs = conv ? n.attributes() : Map.of();
            replaced.put(n, Node.of(n.name(), conv ? "QLinearConv" : "QLinearMatMul", in, q.outputs(), attrs));
            dropped.add(q);
        }
        List<Node> nodes = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (!dropped.contains(n)) {
                nodes.add(replaced.getOrDefault(n, n));
            }
        }
        nodes = withoutDeadNodes(nodes, graphOutputs);
        Set<String> read = new HashSet<>(graphOutputs);
        nodes.forEach(n -> read.addAll(n.inputs()));
        init.keySet().removeIf(k -> !read.contains(k));
        try {
            Graph out = GraphValidator.validate(new Graph(g.name(), nodes, g.inputs(), g.outputs(), init, g.valueInfo()));
            return qdq.withGraph(out);
        } catch (ModelLoadException e) {
            throw new IllegalStateException("QOperator rewrite produced an invalid graph: " + e.getMessage(), e);
        }
    }

    /** The DequantizeLinear producing {@code value} (of a constant input when {@code constant}), else null. */
    private static Node dequantize(Map<String, Node> producers, String value, Graph g, boolean constant) {
        Node p = producers.get(value);
        if (p == null || !p.isDefaultDomain() || !p.opType().equals("DequantizeLinear")) {
            return null;
        }
        boolean isConst = g.initializers().containsKey(p.inputs().getFirst());
        return isConst == constant ? p : null;
    }

    /** Quantized value, scale and zero point of a DequantizeLinear. */
    private static List<String> triple(Node dq) {
        return List.of(dq.inputs().get(0), dq.inputs().get(1), dq.inputs().size() > 2 ? dq.inputs().get(2) : "");
    }

    private static boolean plainGemmWithTransB(Node gemm, int opset) {
        try {
            GemmAttrs a = GemmAttrs.of(gemm, opset);
            return a.transB() && !a.transA() && a.alpha() == 1f && a.beta() == 1f;
        } catch (ModelLoadException e) {
            return false;
        }
    }

    /** The weight triple as QLinearMatMul wants it: [K, N]; a Gemm's [N, K] weight is transposed. */
    private static List<String> weightAsKxN(Node n, Node dw, Map<String, Tensor> init, GraphNames names) {
        if (n.opType().equals("MatMul")) {
            return triple(dw);
        }
        Tensor w = init.get(dw.inputs().getFirst());
        String name = names.fresh(w.name(), "_kxn");
        init.put(name, Matrices.transpose(w, name));
        return List.of(name, dw.inputs().get(1), dw.inputs().size() > 2 ? dw.inputs().get(2) : "");
    }

    static List<Node> withoutDeadNodes(List<Node> nodes, Set<String> graphOutputs) {
        List<Node> live = new ArrayList<>(nodes);
        boolean changed = true;
        while (changed) {
            Set<String> read = new HashSet<>(graphOutputs);
            live.forEach(n -> read.addAll(n.inputs()));
            changed = live.removeIf(n -> n.outputs().stream().noneMatch(read::contains));
        }
        return live;
    }
}
