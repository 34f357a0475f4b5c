// The outcome of filter pruning: the smaller model, a row per pruned convolution, and the convolutions left alone with the reason.
package dev.condense.prune;

import dev.condense.ir.Model;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * @param model   the rewritten model (the input model is not changed)
 * @param layers  the convolutions whose filters were chosen, in graph order
 * @param skipped convolutions a type rule or the default reached but whose outputs feed what
 *                filter pruning cannot shrink, each with the reason
 */
public record FilterPruneResult(Model model, List<FilterPruning> layers, List<Skipped> skipped) {

    /** A convolution left whole, and why. */
    public record Skipped(String layer, String reason) {
        public Skipped {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(reason, "reason");
        }
    }

    public FilterPruneResult {
        Objects.requireNonNull(model, "model");
        layers = List.copyOf(layers);
        skipped = List.copyOf(skipped);
    }

    /** A plain-text table: layer, filters, kept, kept %, L1 threshold; then the skipped layers. */
    public String table() {
        int nameWidth = "layer".length();
        for (FilterPruning l : layers) {
            nameWidth = Math.max(nameWidth, l.layer().length());
        }
        String row = "%-" + nameWidth + "s  %8s  %8s  %7s  %12s%n";
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, row, "layer", "filters", "kept", "kept %", "L1 threshold"));
        for (FilterPruning l : layers) {
            out.append(String.format(Locale.ROOT, row, l.layer(), l.filters(), l.kept(),
                    String.format(Locale.ROOT, "%.2f", 100 * l.keptFraction()),
                    String.format(Locale.ROOT, "%.4g", l.threshold())));
        }
        for (Skipped s : skipped) {
            out.append("skipped ").append(s.layer()).append(": ").append(s.reason()).append(System.lineSeparator());
        }
        return out.toString();
    }
}
