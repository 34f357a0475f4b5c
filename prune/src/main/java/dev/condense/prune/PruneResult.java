// The outcome of magnitude pruning: a mask per weight layer, a report, and the model with the pruned weights zeroed.
package dev.condense.prune;

import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Per-layer pruning, in graph order. Holds masks, not weights: {@link #apply} makes the pruned model. */
public record PruneResult(List<LayerPruning> layers) {

    public PruneResult {
        layers = List.copyOf(layers);
    }

    /** The masks by initializer name. */
    public Map<String, Mask> masks() {
        Map<String, Mask> out = new LinkedHashMap<>();
        for (LayerPruning l : layers) {
            out.put(l.weightName(), l.mask());
        }
        return out;
    }

    /** Weights in all layers. */
    public long weights() {
        return layers.stream().mapToLong(LayerPruning::weights).sum();
    }

    /** Weights kept in all layers. */
    public long kept() {
        return layers.stream().mapToLong(LayerPruning::kept).sum();
    }

    /** kept / weights over all layers; 1 when there are none. */
    public double keptFraction() {
        long weights = weights();
        return weights == 0 ? 1.0 : (double) kept() / weights;
    }

    /**
     * A new model whose masked initializers hold +0 at pruned positions; everything else, and
     * {@code model} itself, stays as it was. Throws when a mask's tensor is missing or differs in shape.
     */
    public Model apply(Model model) {
        return apply(model, masks().values());
    }

    /** {@code model} with each of {@code masks} applied to the initializer it names. */
    public static Model apply(Model model, Iterable<Mask> masks) {
        Graph graph = model.graph();
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        for (Mask mask : masks) {
            Tensor weight = initializers.get(mask.tensorName());
            if (weight == null) {
                throw new IllegalArgumentException("the model has no initializer '" + mask.tensorName()
                        + "' to apply its mask to");
            }
            if (mask.kept() < mask.size()) {
                initializers.put(mask.tensorName(), mask.applyTo(weight));
            }
        }
        return model.withGraph(graph.withInitializers(initializers));
    }

    /** A plain-text table: layer, op, weights, kept, kept %, threshold, rule, and a total line. */
    public String table() {
        int nameWidth = "total".length();
        for (LayerPruning l : layers) {
            nameWidth = Math.max(nameWidth, l.layer().length());
        }
        String row = "%-" + nameWidth + "s  %-6s  %12s  %12s  %7s  %10s  %s%n";
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, row, "layer", "op", "weights", "kept", "kept %", "threshold", "rule"));
        for (LayerPruning l : layers) {
            out.append(String.format(Locale.ROOT, row, l.layer(), l.opType(), l.weights(), l.kept(),
                    String.format(Locale.ROOT, "%.2f", 100 * l.keptFraction()),
                    String.format(Locale.ROOT, "%.4g", l.threshold()),
                    l.criterion().map(PruneCriterion::toString).orElse("-")));
        }
        out.append(String.format(Locale.ROOT, row, "total", "", weights(), kept(),
                String.format(Locale.ROOT, "%.2f", 100 * keptFraction()), "", ""));
        return out.toString();
    }
}
