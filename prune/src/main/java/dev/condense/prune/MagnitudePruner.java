// Magnitude pruning of a model's Conv, Gemm and MatMul weights (Han et al. 2015): per-layer fractions, quality x std, or one global threshold.
package dev.condense.prune;

import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.layers.LayerRules;
import dev.condense.layers.WeightLayer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses which weights of each weight layer ({@link WeightLayer}: Conv, Gemm and MatMul with an
 * fp32 initializer weight; biases are never pruned) to keep, by magnitude. Each layer gets a
 * {@link PruneCriterion} from the rules (name, short name, op type, family, default; see
 * {@link LayerRules}); with a {@link PaperPreset}, layers no keyed rule names take the paper's
 * fraction for their position. Layers under {@code Global} rules of one fraction share one
 * threshold. A layer no rule reaches is kept whole. Instances are immutable; {@link #prune} reads
 * the model and never changes it.
 */
public final class MagnitudePruner {

    private final LayerRules<PruneCriterion> rules;
    private final PaperPreset preset;
    /** Where in an iterative schedule this pruner stands: 1 is the final target (see {@link #atStage}). */
    private final double stage;

    private MagnitudePruner(LayerRules<PruneCriterion> rules, PaperPreset preset) {
        this(rules, preset, 1.0);
    }

    private MagnitudePruner(LayerRules<PruneCriterion> rules, PaperPreset preset, double stage) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.preset = preset;
        this.stage = stage;
    }

    /**
     * The pruner for step {@code t} (in (0, 1]) of an iterative schedule: a keep fraction f becomes
     * f^t and a quality factor q becomes q t, so that K steps at t = 1/K, 2/K, ..., 1 prune
     * geometrically towards the target, each step taking away the same share of what remains.
     */
    public MagnitudePruner atStage(double t) {
        if (!(t > 0 && t <= 1)) {
            throw new IllegalArgumentException("an iterative pruning stage lies in (0, 1], got " + t);
        }
        return new MagnitudePruner(rules, preset, t);
    }

    private PruneCriterion staged(PruneCriterion c) {
        if (stage == 1.0) {
            return c;
        }
        return switch (c) {
            case PruneCriterion.KeepFraction(double f) -> PruneCriterion.keep(Math.pow(f, stage));
            case PruneCriterion.Quality(double q) -> PruneCriterion.quality(q * stage);
            case PruneCriterion.Global(double f) -> PruneCriterion.global(Math.pow(f, stage));
        };
    }

    /** Every layer keeps {@code fraction} of its weights. */
    public static MagnitudePruner keep(double fraction) {
        return of(LayerRules.withDefault(PruneCriterion.keep(fraction)));
    }

    /** Every layer keeps the weights with |w| >= q * std of its weights. */
    public static MagnitudePruner quality(double q) {
        return of(LayerRules.withDefault(PruneCriterion.quality(q)));
    }

    /** One threshold across all layers that keeps {@code fraction} of their weights together. */
    public static MagnitudePruner globalKeep(double fraction) {
        return of(LayerRules.withDefault(PruneCriterion.global(fraction)));
    }

    /** The paper's per-layer fractions; the model must have the preset's layers in order. */
    public static MagnitudePruner preset(PaperPreset preset) {
        return new MagnitudePruner(LayerRules.none(), Objects.requireNonNull(preset, "preset"));
    }

    public static MagnitudePruner of(LayerRules<PruneCriterion> rules) {
        return new MagnitudePruner(rules, null);
    }

    /** Rules written as text: "0.5,fc6=0.09,fc=q1.1" (see {@link PruneCriterion#parse}). */
    public static MagnitudePruner parse(String rules) {
        return of(LayerRules.parse(rules, PruneCriterion::parse));
    }

    /** This pruner with one more rule, which wins over a preset for the layers it names. */
    public MagnitudePruner with(String key, PruneCriterion criterion) {
        return new MagnitudePruner(rules.with(key, criterion), preset);
    }

    /** This pruner with the rules of {@code text} added on top (a bare value replaces the default). */
    public MagnitudePruner withRules(String text) {
        return new MagnitudePruner(rules.withAll(LayerRules.parse(text, PruneCriterion::parse)), preset);
    }

    public LayerRules<PruneCriterion> rules() {
        return rules;
    }

    public Optional<PaperPreset> preset() {
        return Optional.ofNullable(preset);
    }

    /**
     * The masks for {@code model}'s weight layers. Throws {@link IllegalArgumentException} when a
     * rule names no layer, the preset does not fit the model, or a weight is NaN or infinite where
     * a statistic of it is needed.
     */
    public PruneResult prune(Model model) {
        List<WeightLayer> layers = WeightLayer.of(model.graph());
        rules.checkKeys(layers);
        List<Double> presetFractions = preset == null ? null : preset.match(layers);

        List<Optional<PruneCriterion>> criteria = new ArrayList<>(layers.size());
        for (int i = 0; i < layers.size(); i++) {
            Optional<LayerRules.Resolved<PruneCriterion>> resolved = rules.resolve(layers.get(i));
            boolean keyed = resolved.isPresent() && resolved.get().match() != LayerRules.Match.DEFAULT;
            if (presetFractions != null && !keyed) {
                criteria.add(Optional.of(staged(PruneCriterion.keep(presetFractions.get(i)))));
            } else {
                criteria.add(resolved.map(r -> staged(r.value())));
            }
        }

        LayerPruning[] out = new LayerPruning[layers.size()];
        Map<Double, List<Integer>> globalGroups = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            WeightLayer layer = layers.get(i);
            Tensor weight = layer.weight();
            Optional<PruneCriterion> criterion = criteria.get(i);
            if (criterion.isEmpty()) {
                out[i] = new LayerPruning(layer.name(), layer.opType(), Mask.keepAll(weight.name(), weight.dims()), 0,
                        criterion);
                continue;
            }
            switch (criterion.get()) {
                case PruneCriterion.KeepFraction(double fraction) -> {
                    MagnitudeSelection.Cut cut = MagnitudeSelection.largest(List.of(weight),
                            keepCount(fraction, weight.elementCount()));
                    out[i] = new LayerPruning(layer.name(), layer.opType(),
                            MagnitudeSelection.masks(List.of(weight), cut).getFirst(), cut.threshold(), criterion);
                }
                case PruneCriterion.Quality(double q) -> {
                    double std = MagnitudeSelection.standardDeviation(weight);
                    if (!Double.isFinite(std)) {
                        throw new IllegalArgumentException(layer.describe() + " holds NaN or infinite weights;"
                                + " their standard deviation is " + std);
                    }
                    double threshold = q * std;
                    Mask mask = MagnitudeSelection.masks(List.of(weight), MagnitudeSelection.Cut.atLeast(threshold))
                            .getFirst();
                    out[i] = new LayerPruning(layer.name(), layer.opType(), mask, threshold, criterion);
                }
                case PruneCriterion.Global(double fraction) ->
                        globalGroups.computeIfAbsent(fraction, f -> new ArrayList<>()).add(i);
            }
        }
        for (Map.Entry<Double, List<Integer>> group : globalGroups.entrySet()) {
            List<Tensor> weights = new ArrayList<>();
            long total = 0;
            for (int i : group.getValue()) {
                weights.add(layers.get(i).weight());
                total = Math.addExact(total, layers.get(i).weightCount());
            }
            MagnitudeSelection.Cut cut = MagnitudeSelection.largest(weights, keepCount(group.getKey(), total));
            List<Mask> masks = MagnitudeSelection.masks(weights, cut);
            for (int j = 0; j < masks.size(); j++) {
                int i = group.getValue().get(j);
                out[i] = new LayerPruning(layers.get(i).name(), layers.get(i).opType(), masks.get(j), cut.threshold(),
                        criteria.get(i));
            }
        }
        return new PruneResult(List.of(out));
    }

    /** round(fraction * n), halves rounding up: how many weights a keep fraction keeps. */
    static long keepCount(double fraction, long n) {
        return Math.min(n, Math.round(fraction * n));
    }
}
