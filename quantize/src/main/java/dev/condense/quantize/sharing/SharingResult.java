// Weight sharing of a whole model: one WeightSharing per layer, a report, and the model with weights replaced by centroids.
package dev.condense.quantize.sharing;

import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Per-layer sharing in graph order; {@link #apply} makes the model whose weights take their centroids. */
public record SharingResult(List<WeightSharing> layers) {

    public SharingResult {
        layers = List.copyOf(layers);
    }

    /**
     * A new model whose shared weights hold their centroids (zeros stay zero); everything else, and
     * {@code model} itself, is unchanged.
     */
    public Model apply(Model model) {
        Graph graph = model.graph();
        Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
        for (WeightSharing layer : layers) {
            Tensor weight = initializers.get(layer.weightName());
            if (weight == null) {
                throw new IllegalArgumentException("the model has no initializer '" + layer.weightName()
                        + "' for layer '" + layer.layer() + "'");
            }
            initializers.put(layer.weightName(), layer.applyTo(weight));
        }
        return model.withGraph(graph.withInitializers(initializers));
    }

    /** A plain-text table: layer, kept weights, bits, iterations, compression rate from sharing. */
    public String table() {
        int nameWidth = "layer".length();
        for (WeightSharing l : layers) {
            nameWidth = Math.max(nameWidth, l.layer().length());
        }
        String row = "%-" + nameWidth + "s  %12s  %4s  %10s  %6s%n";
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, row, "layer", "weights", "bits", "iterations", "rate"));
        for (WeightSharing l : layers) {
            out.append(String.format(Locale.ROOT, row, l.layer(), l.keptWeights(), l.bits(), l.iterations(),
                    String.format(Locale.ROOT, "%.2fx", l.compressionRate())));
        }
        return out.toString();
    }
}
