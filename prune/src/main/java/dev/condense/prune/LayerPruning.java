// What magnitude pruning did to one weight layer: its mask, the threshold and the rule that chose it.
package dev.condense.prune;

import java.util.Objects;
import java.util.Optional;

/**
 * One row of a pruning report.
 *
 * @param layer     the layer's name (node name, or weight name for an unnamed node)
 * @param opType    Conv, Gemm or MatMul
 * @param mask      the kept positions of the layer's weight ({@code mask.tensorName()})
 * @param threshold kept weights have |w| >= threshold, pruned ones |w| <= threshold; +inf when none is kept
 * @param criterion the rule applied, empty when no rule named the layer and it was left whole
 */
public record LayerPruning(String layer, String opType, Mask mask, double threshold,
                           Optional<PruneCriterion> criterion) {

    public LayerPruning {
        Objects.requireNonNull(layer, "layer");
        Objects.requireNonNull(opType, "opType");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(criterion, "criterion");
    }

    public String weightName() {
        return mask.tensorName();
    }

    public long weights() {
        return mask.size();
    }

    public long kept() {
        return mask.kept();
    }

    public double keptFraction() {
        return mask.keptFraction();
    }
}
