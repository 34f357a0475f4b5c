// What a model costs: stored and learnable parameters, and multiply-accumulates for one input.
package dev.condense.shape;

import dev.condense.ir.Attribute;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Counts what reports and {@code zoo list} show for any imported model.
 *
 * @param parameters          every element of every initializer
 * @param learnableParameters what papers and PyTorch count: floating-point initializers, less
 *                            BatchNormalization running statistics and Clip bounds
 * @param macs                multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul for a
 *                            batch of one (FLOPs are usually quoted as twice this), or -1 when
 *                            some of their shapes stay unknown
 */
public record ModelCost(long parameters, long learnableParameters, long macs) {

    /** Counts the model with every symbolic batch dimension set to 1. */
    public static ModelCost of(Model model) throws ModelLoadException {
        Graph graph = ShapeInference.withBatchSize(model, 1).graph();
        Set<String> notLearned = new HashSet<>();
        long macs = 0;
        boolean known = true;
        for (Node n : graph.nodes()) {
            if (!n.isDefaultDomain()) {
                continue;
            }
            switch (n.opType()) {
                case "BatchNormalization" -> notLearned.addAll(n.inputs().subList(3, Math.min(5, n.inputs().size())));
                case "Clip" -> notLearned.addAll(n.inputs().subList(1, n.inputs().size()));
                default -> { }
            }
            long m = macs(graph, n);
            if (m < 0) {
                known = false;
            } else {
                macs = Math.addExact(macs, m);
            }
        }
        long learnable = 0;
        for (Tensor t : graph.initializers().values()) {
            if (t.dtype().isFloatingPoint() && !notLearned.contains(t.name())) {
                learnable = Math.addExact(learnable, t.elementCount());
            }
        }
        return new ModelCost(graph.parameterCount(), learnable, known ? macs : -1);
    }

    /** Multiply-accumulates of one node; 0 for ops that have none worth counting, -1 when shapes are unknown. */
    private static long macs(Graph graph, Node n) {
        return switch (n.opType()) {
            case "Conv" -> {
                // y: [N, M, spatial...], w: [M, C/group, k...]: each output element takes C/group * k MACs.
                long[] y = sizes(graph, n.outputs().getFirst());
                long[] w = sizes(graph, n.inputs().get(1));
                yield y == null || w == null ? -1 : Math.multiplyExact(product(y, 0), product(w, 1));
            }
            case "ConvTranspose" -> {
                // x: [N, C, spatial...], w: [C, M/group, k...]: each input element scatters M/group * k MACs.
                long[] x = sizes(graph, n.inputs().getFirst());
                long[] w = sizes(graph, n.inputs().get(1));
                yield x == null || w == null ? -1 : Math.multiplyExact(product(x, 0), product(w, 1));
            }
            case "Gemm", "MatMul" -> {
                // Each output element is a dot product over the shared dimension.
                long[] y = sizes(graph, n.outputs().getFirst());
                long[] a = sizes(graph, n.inputs().getFirst());
                if (y == null || a == null || a.length == 0) {
                    yield -1;
                }
                boolean transA = n.opType().equals("Gemm") && n.attribute("transA")
                        .map(v -> v instanceof Attribute.IntValue(long flag) && flag != 0).orElse(false);
                long k = transA ? a[0] : a[a.length - 1];
                yield Math.multiplyExact(product(y, 0), k);
            }
            default -> 0;
        };
    }

    private static long[] sizes(Graph graph, String value) {
        Optional<ValueInfo> info = graph.typeOf(value);
        if (info.isEmpty() || !info.get().isStatic()) {
            return null;
        }
        List<Dim> dims = info.get().shape().orElseThrow();
        return Dim.sizes(dims);
    }

    private static long product(long[] dims, int from) {
        long p = 1;
        for (int i = from; i < dims.length; i++) {
            p = Math.multiplyExact(p, dims[i]);
        }
        return p;
    }
}
