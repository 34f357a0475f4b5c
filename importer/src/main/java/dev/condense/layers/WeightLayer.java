// The layers whose weight matrices compression acts on: Conv, Gemm and MatMul nodes with an fp32 initializer as weight.
package dev.condense.layers;

import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A weight layer: a default-domain Conv (weight {@code [M, C/group, k...]}), Gemm or MatMul (weight
 * {@code [K, N]}, or {@code [N, K]} for Gemm with {@code transB}) whose input 1 is an fp32
 * initializer. Pruning and weight sharing act on these weights; biases stay as they are.
 *
 * @param name   the node's name, or the weight's name when the node has none
 * @param node   the node that reads the weight
 * @param kind   convolution or fully connected (Gemm and MatMul)
 * @param weight the weight initializer
 */
public record WeightLayer(String name, Node node, Kind kind, Tensor weight) {

    /** The two layer families Deep Compression treats differently (bits, pruning rates). */
    public enum Kind {
        CONV("conv"),
        FC("fc");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** "conv" or "fc", the word rules use for the family. */
        public String label() {
            return label;
        }
    }

    public WeightLayer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(weight, "weight");
    }

    /**
     * The weight layers of a graph in node order. A weight that several nodes read appears once,
     * under the first of them: its mask or codebook has to serve all of them.
     */
    public static List<WeightLayer> of(Graph graph) {
        List<WeightLayer> out = new ArrayList<>();
        Set<String> seenWeights = new HashSet<>();
        for (Node node : graph.nodes()) {
            Optional<Kind> kind = kindOf(node);
            if (kind.isEmpty()) {
                continue;
            }
            Optional<Tensor> weight = node.input(1).flatMap(graph::initializer);
            if (weight.isEmpty() || weight.get().dtype() != DataType.FLOAT || !hasWeightRank(kind.get(), weight.get())
                    || !seenWeights.add(weight.get().name())) {
                continue;
            }
            String name = node.name().isEmpty() ? weight.get().name() : node.name();
            out.add(new WeightLayer(name, node, kind.get(), weight.get()));
        }
        return List.copyOf(out);
    }

    private static Optional<Kind> kindOf(Node node) {
        if (!node.isDefaultDomain()) {
            return Optional.empty();
        }
        return switch (node.opType()) {
            case "Conv" -> Optional.of(Kind.CONV);
            case "Gemm", "MatMul" -> Optional.of(Kind.FC);
            default -> Optional.empty();
        };
    }

    private static boolean hasWeightRank(Kind kind, Tensor weight) {
        return kind == Kind.CONV ? weight.rank() >= 3 : weight.rank() == 2;
    }

    public String opType() {
        return node.opType();
    }

    public String weightName() {
        return weight.name();
    }

    /** Number of weights. */
    public long weightCount() {
        return weight.elementCount();
    }

    /**
     * The part of the name after its last '.' or '/': "fc6" for "classifier.fc6", so that rules
     * can use the short names papers use.
     */
    public String shortName() {
        int cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf('/'));
        return name.substring(cut + 1);
    }

    /** "Conv 'features.conv1' (weight 'w1', [64, 3, 11, 11])": how messages name a layer. */
    public String describe() {
        StringBuilder dims = new StringBuilder();
        for (long d : weight.dims()) {
            dims.append(dims.isEmpty() ? "" : ", ").append(d);
        }
        return opType() + " '" + name + "' (weight '" + weightName() + "', [" + dims + "])";
    }

    /** True when {@code word} names this layer's op type or family, ignoring case: "Conv", "gemm", "fc". */
    public boolean hasTypeWord(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        return w.equals(opType().toLowerCase(Locale.ROOT)) || w.equals(kind.label());
    }
}
