// Pruning sensitivity: each weight layer pruned alone at falling keep fractions, the accuracy measured after each; per-layer fractions chosen from it.
package dev.condense.prune;

import dev.condense.ir.Model;
import dev.condense.layers.LayerRules;
import dev.condense.layers.WeightLayer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The analysis behind Han et al.'s per-layer pruning rates ("Learning both Weights and
 * Connections", Figure 5): prune one layer at a time, the others left whole, at each of a series
 * of keep fractions, and measure what the model still gets right. {@link #choose} then gives each
 * layer the smallest fraction whose accuracy drop stays within a budget.
 *
 * @param dense  the unpruned model's accuracy
 * @param keeps  the keep fractions tried, descending
 * @param layers one row per weight layer, in graph order
 */
public record Sensitivity(double dense, double[] keeps, List<Row> layers) {

    /** How a model scores: top-1 accuracy in [0, 1]. The runtime supplies it; pruning knows no engine. */
    @FunctionalInterface
    public interface Evaluator {
        double accuracy(Model model) throws Exception;
    }

    /** Called after each measurement, for progress. */
    @FunctionalInterface
    public interface Listener {
        void measured(int done, int total, String layer, double keep, double accuracy);
    }

    /**
     * One layer's accuracies, {@code accuracy[i]} at {@code keeps[i]}.
     *
     * @param weights the layer's weight count
     */
    public record Row(String layer, String opType, long weights, double[] accuracy) {
        public Row {
            Objects.requireNonNull(layer, "layer");
            accuracy = accuracy.clone();
        }

        @Override
        public double[] accuracy() {
            return accuracy.clone();
        }
    }

    /** Keep fractions 90 %, 80 %, ..., 10 %. */
    public static final double[] DEFAULT_KEEPS = {0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1};

    public Sensitivity {
        keeps = keeps.clone();
        layers = List.copyOf(layers);
        for (Row r : layers) {
            if (r.accuracy.length != keeps.length) {
                throw new IllegalArgumentException("layer " + r.layer + " has " + r.accuracy.length
                        + " accuracies for " + keeps.length + " keep fractions");
            }
        }
    }

    @Override
    public double[] keeps() {
        return keeps.clone();
    }

    /**
     * Measures {@code model}'s sensitivity at {@code keeps} (each in (0, 1], descending).
     *
     * @throws Exception whatever {@code evaluator} throws, unchanged
     */
    public static Sensitivity scan(Model model, double[] keeps, Evaluator evaluator, Listener listener)
            throws Exception {
        for (int i = 0; i < keeps.length; i++) {
            if (!(keeps[i] > 0 && keeps[i] <= 1) || (i > 0 && !(keeps[i] < keeps[i - 1]))) {
                throw new IllegalArgumentException("keep fractions must lie in (0, 1] and fall: "
                        + Arrays.toString(keeps));
            }
        }
        List<WeightLayer> weightLayers = WeightLayer.of(model.graph());
        if (weightLayers.isEmpty()) {
            throw new IllegalArgumentException("the model has no Conv, Gemm or MatMul weights to prune");
        }
        double dense = evaluator.accuracy(model);
        List<Row> rows = new ArrayList<>();
        int total = weightLayers.size() * keeps.length;
        int done = 0;
        for (WeightLayer layer : weightLayers) {
            double[] acc = new double[keeps.length];
            for (int i = 0; i < keeps.length; i++) {
                MagnitudePruner alone = MagnitudePruner.of(LayerRules.<PruneCriterion>none()
                        .with(layer.name(), PruneCriterion.keep(keeps[i])));
                acc[i] = evaluator.accuracy(alone.prune(model).apply(model));
                done++;
                if (listener != null) {
                    listener.measured(done, total, layer.name(), keeps[i], acc[i]);
                }
            }
            rows.add(new Row(layer.name(), layer.opType(), layer.weightCount(), acc));
        }
        return new Sensitivity(dense, keeps, rows);
    }

    /**
     * Each layer's smallest keep fraction whose accuracy is within {@code maxDrop} (absolute, as a
     * fraction: 0.01 is one point) of the dense model's, and all larger fractions too (so a noisy
     * dip does not make a layer skip past a fraction that failed); 1 (not pruned) when none is.
     */
    public double[] choose(double maxDrop) {
        if (!(maxDrop >= 0) || maxDrop > 1) {
            throw new IllegalArgumentException("the accuracy drop budget must lie in [0, 1], got " + maxDrop);
        }
        double[] out = new double[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            double chosen = 1;
            for (int i = 0; i < keeps.length; i++) {
                if (dense - layers.get(l).accuracy[i] > maxDrop) {
                    break;
                }
                chosen = keeps[i];
            }
            out[l] = chosen;
        }
        return out;
    }

    /** The pruner that applies {@link #choose}'s fractions by layer name. */
    public MagnitudePruner pruner(double maxDrop) {
        double[] keep = choose(maxDrop);
        LayerRules<PruneCriterion> rules = LayerRules.none();
        for (int l = 0; l < layers.size(); l++) {
            if (keep[l] < 1) {
                rules = rules.with(layers.get(l).layer(), PruneCriterion.keep(keep[l]));
            }
        }
        return MagnitudePruner.of(rules);
    }

    /** Rows of layers, columns of keep fractions, cells of top-1 in percent. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "top-1 with one layer pruned to each keep fraction (dense model: %.2f%%)%n",
                100 * dense));
        b.append(String.format(Locale.ROOT, "%-24s %10s", "layer", "weights"));
        for (double k : keeps) {
            b.append(String.format(Locale.ROOT, " %6.0f%%", 100 * k));
        }
        b.append('\n');
        for (Row r : layers) {
            b.append(String.format(Locale.ROOT, "%-24s %,10d", r.layer, r.weights));
            for (double a : r.accuracy) {
                b.append(String.format(Locale.ROOT, " %6.2f%%", 100 * a));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
