// Checks magnitude pruning against sorting: exact kept counts, thresholds, ties, quality x std, global thresholds, rules and presets.
package dev.condense.prune;

import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MagnitudePrunerTest {

    /** conv1 [6, 3, 3, 3] = 162, conv2 [5, 6, 3, 3] = 270, fc [10, 64] = 640 weights. */
    static Model threeLayers() {
        TestNets b = new TestNets(42).input("x", Dim.fixed(1, 3, 4, 4));
        String v = b.conv("features.conv1", "x", 3, 6, 3);
        v = b.conv("features.conv2", v, 6, 5, 3);
        return b.model(b.gemm("classifier.fc", b.flatten("flatten", v), 80, 10));
    }

    private static float[] weights(Model m, String name) {
        return m.graph().initializers().get(name).toFloatArray();
    }

    /** Magnitudes sorted from largest to smallest. */
    private static double[] magnitudesDescending(float[]... layers) {
        List<Double> all = new ArrayList<>();
        for (float[] layer : layers) {
            for (float w : layer) {
                all.add((double) Math.abs(w));
            }
        }
        return all.stream().sorted((a, b) -> Double.compare(b, a)).mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertSplitsAt(float[] w, Mask mask, double threshold) {
        for (int i = 0; i < w.length; i++) {
            if (mask.isKept(i)) {
                assertTrue(Math.abs(w[i]) >= threshold, "kept " + w[i] + " below " + threshold);
            } else {
                assertTrue(Math.abs(w[i]) <= threshold, "pruned " + w[i] + " above " + threshold);
            }
        }
    }

    @Test
    void keepFractionKeepsExactlyTheLargestMagnitudes() {
        Model model = threeLayers();
        PruneResult result = MagnitudePruner.keep(0.3).prune(model);
        assertEquals(List.of("features.conv1", "features.conv2", "classifier.fc"),
                result.layers().stream().map(LayerPruning::layer).toList());
        // round(0.3 * 162) = 49, round(0.3 * 270) = 81, round(0.3 * 800) = 240
        assertEquals(List.of(49L, 81L, 240L), result.layers().stream().map(LayerPruning::kept).toList());
        assertEquals(1232, result.weights());
        assertEquals(370, result.kept());
        for (LayerPruning layer : result.layers()) {
            float[] w = weights(model, layer.weightName());
            double[] sorted = magnitudesDescending(w);
            assertEquals(sorted[(int) layer.kept() - 1], layer.threshold());
            assertSplitsAt(w, layer.mask(), layer.threshold());
        }
    }

    @Test
    void tiesAtTheCutKeepTheEarlierPositions() {
        TestNets b = new TestNets(1).input("x", Dim.fixed(1, 10));
        b.initializer(Tensor.ofFloats("fc.w", new long[] {10, 1}, 1, -1, 1, -1, 0.5f, 1, -1, 2, 1, -0.25f));
        b.node(Node.of("fc", "MatMul", List.of("x", "fc.w"), List.of("y")));
        PruneResult result = MagnitudePruner.keep(0.5).prune(b.model("y"));
        Mask mask = result.layers().getFirst().mask();
        // 2 is kept, then four of the seven |1|: positions 0, 1, 2, 3.
        assertEquals(Mask.of("fc.w", new long[] {10, 1}, new long[] {0b00_1000_1111}), mask);
        assertEquals(1.0, result.layers().getFirst().threshold());
    }

    @Test
    void qualityThresholdIsQTimesTheStandardDeviation() {
        Model model = threeLayers();
        double q = 0.8;
        PruneResult result = MagnitudePruner.quality(q).prune(model);
        for (LayerPruning layer : result.layers()) {
            float[] w = weights(model, layer.weightName());
            double mean = 0;
            for (float v : w) {
                mean += v;
            }
            mean /= w.length;
            double variance = 0;
            for (float v : w) {
                variance += (v - mean) * (v - mean);
            }
            double threshold = q * Math.sqrt(variance / w.length);
            assertEquals(threshold, layer.threshold(), 1e-12 * threshold);
            long expectedKept = 0;
            for (float v : w) {
                expectedKept += Math.abs(v) >= threshold ? 1 : 0;
            }
            assertEquals(expectedKept, layer.kept());
            assertSplitsAt(w, layer.mask(), threshold);
            assertEquals(Optional.of(PruneCriterion.quality(q)), layer.criterion());
        }
    }

    @Test
    void globalTargetSharesOneThresholdAcrossLayers() {
        Model model = threeLayers();
        PruneResult result = MagnitudePruner.globalKeep(0.2).prune(model);
        float[] c1 = weights(model, "features.conv1.w");
        float[] c2 = weights(model, "features.conv2.w");
        float[] fc = weights(model, "classifier.fc.w");
        double[] pooled = magnitudesDescending(c1, c2, fc);
        // round(0.2 * 1232) = 246
        assertEquals(246, result.kept());
        double threshold = pooled[245];
        for (LayerPruning layer : result.layers()) {
            assertEquals(threshold, layer.threshold());
            float[] w = weights(model, layer.weightName());
            // Random weights have no ties: a layer keeps exactly its weights at or above the shared threshold.
            long atLeast = Arrays.stream(toDoubles(w)).filter(v -> Math.abs(v) >= threshold).count();
            assertEquals(atLeast, layer.kept(), layer.layer());
            assertSplitsAt(w, layer.mask(), threshold);
        }
        // The large fc layer keeps a different share than the small conv layers: one threshold, not one fraction.
        assertFalse(result.layers().get(0).kept() * 800 == result.layers().get(2).kept() * 162);
    }

    private static double[] toDoubles(float[] w) {
        double[] d = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            d[i] = w[i];
        }
        return d;
    }

    @Test
    void rulesByNameTypeAndFamilyOverrideTheDefault() {
        Model model = threeLayers();
        PruneResult result = MagnitudePruner.parse("50%, fc=0.1, conv1=q1").prune(model);
        assertEquals(List.of(Optional.of(PruneCriterion.quality(1)), Optional.of(PruneCriterion.keep(0.5)),
                Optional.of(PruneCriterion.keep(0.1))), result.layers().stream().map(LayerPruning::criterion).toList());
        assertEquals(135, result.layers().get(1).kept());
        assertEquals(80, result.layers().get(2).kept());

        PruneResult onlyFc = MagnitudePruner.parse("Gemm=0.25").prune(model);
        assertEquals(List.of(162L, 270L, 200L), onlyFc.layers().stream().map(LayerPruning::kept).toList());
        assertEquals(Optional.empty(), onlyFc.layers().getFirst().criterion());

        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.parse("fc7=0.1").prune(model));
        assertTrue(typo.getMessage().startsWith("rule 'fc7' names no weight layer"), typo.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.parse("fc=1.5"));
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.parse("fc=abc"));
    }

    @Test
    void keepNothingAndKeepEverything() {
        Model model = threeLayers();
        LayerPruning none = MagnitudePruner.keep(0).prune(model).layers().getFirst();
        assertEquals(0, none.kept());
        assertEquals(Double.POSITIVE_INFINITY, none.threshold());
        LayerPruning all = MagnitudePruner.keep(1).prune(model).layers().getFirst();
        assertEquals(162, all.kept());
        double[] sorted = magnitudesDescending(weights(model, "features.conv1.w"));
        assertEquals(sorted[161], all.threshold());
    }

    /** Five convolutions and three fully connected layers named like AlexNet's, with small shapes. */
    private static Model alexnetShaped(int convolutions) {
        TestNets b = new TestNets(9).input("x", Dim.fixed(1, 3, 4, 4));
        String v = "x";
        int in = 3;
        for (int i = 1; i <= convolutions; i++) {
            v = b.conv("features.conv" + i, v, in, 8 + i, 3);
            in = 8 + i;
        }
        v = b.flatten("flatten", v);
        v = b.gemm("classifier.fc6", v, in * 16, 40);
        v = b.gemm("classifier.fc7", v, 40, 40);
        return b.model(b.gemm("classifier.fc8", v, 40, 10));
    }

    @Test
    void alexNetPresetKeepsThePapersFractionsPerLayer() {
        Model model = alexnetShaped(5);
        PruneResult result = MagnitudePruner.preset(PaperPreset.ALEXNET).prune(model);
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            LayerPruning layer = result.layers().get(i);
            expected.add(Math.round(PaperPreset.ALEXNET.keepFractions().get(i) * layer.weights()));
        }
        assertEquals(expected, result.layers().stream().map(LayerPruning::kept).toList());
        // conv1 [9, 3, 3, 3] keeps round(0.84 * 243) = 204; fc6 [40, 208] keeps round(0.09 * 8320) = 749.
        assertEquals(204, result.layers().get(0).kept());
        assertEquals(749, result.layers().get(5).kept());

        PruneResult overridden = MagnitudePruner.preset(PaperPreset.ALEXNET).with("fc6", PruneCriterion.keep(0.5))
                .prune(model);
        assertEquals(4160, overridden.layers().get(5).kept());
        assertEquals(204, overridden.layers().get(0).kept());
    }

    @Test
    void presetThatDoesNotFitNamesBothLayerLists() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.preset(PaperPreset.ALEXNET).prune(alexnetShaped(4)));
        assertEquals("preset alexnet has 8 layers (conv1, conv2, conv3, conv4, conv5, fc6, fc7, fc8) but the model has"
                + " 7 prunable layers (features.conv1, features.conv2, features.conv3, features.conv4, classifier.fc6,"
                + " classifier.fc7, classifier.fc8)", count.getMessage());
        IllegalArgumentException vgg = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.preset(PaperPreset.of("VGG_16")).prune(alexnetShaped(5)));
        assertTrue(vgg.getMessage().startsWith("preset vgg-16 has 16 layers (conv1_1, conv1_2,"), vgg.getMessage());
        IllegalArgumentException kinds = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.preset(PaperPreset.ALEXNET).prune(alexnetShaped(6).withGraph(
                        dropLastFc(alexnetShaped(6)))));
        assertTrue(kinds.getMessage().startsWith("preset alexnet expects layer 6 (fc6) to be fc but the model's layer 6"
                + " is Conv 'features.conv6'"), kinds.getMessage());
    }

    private static Graph dropLastFc(Model m) {
        List<Node> nodes = new ArrayList<>(m.graph().nodes());
        nodes.removeLast();
        return m.graph().withNodes(nodes);
    }

    @Test
    void vggPresetHasSixteenLayers() {
        assertEquals(16, PaperPreset.VGG16.keepFractions().size());
        assertEquals(PaperPreset.VGG16.paperLayers().size(), PaperPreset.VGG16.keepFractions().size());
        assertEquals(0.04, PaperPreset.VGG16.keepFractions().get(13));
        assertEquals(0.23, PaperPreset.VGG16.keepFractions().get(15));
    }

    @Test
    void applyZeroesPrunedWeightsInANewModelAndLeavesBiases() {
        Model model = threeLayers();
        Map<String, Tensor> before = model.graph().initializers();
        PruneResult result = MagnitudePruner.keep(0.25).prune(model);
        Model pruned = result.apply(model);
        assertSame(before, model.graph().initializers());
        for (LayerPruning layer : result.layers()) {
            float[] original = weights(model, layer.weightName());
            float[] after = weights(pruned, layer.weightName());
            long zeros = 0;
            for (int i = 0; i < original.length; i++) {
                assertEquals(layer.mask().isKept(i) ? original[i] : 0f, after[i]);
                zeros += after[i] == 0 ? 1 : 0;
            }
            assertEquals(layer.weights() - layer.kept(), zeros);
        }
        for (String bias : List.of("features.conv1.b", "features.conv2.b", "classifier.fc.b")) {
            assertSame(before.get(bias), pruned.graph().initializers().get(bias));
        }
        assertEquals(result.masks().get("classifier.fc.w"), Mask.ofNonZero(pruned.graph().initializers()
                .get("classifier.fc.w")));
        String table = result.table();
        assertTrue(table.contains("classifier.fc"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("total") && l.contains("1232") && l.contains("309")), table);
    }

    @Test
    void nanWeightsAreRejected() {
        TestNets b = new TestNets(1).input("x", Dim.fixed(1, 3));
        b.initializer(Tensor.ofFloats("w", new long[] {3, 2}, 1, 2, Float.NaN, 4, 5, 6));
        b.node(Node.of("mm", "MatMul", List.of("x", "w"), List.of("y")));
        Model model = b.model("y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.keep(0.5).prune(model));
        assertEquals("weight 'w' holds NaN at flat position 2; magnitude pruning needs numbers", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MagnitudePruner.quality(1).prune(model));
    }

    @Test
    void radixSelectionMatchesSortingOnAMillionWeights() {
        TestNets b = new TestNets(2024).input("x", Dim.fixed(1, 1250));
        b.weight("w", 1250, 800);
        b.node(Node.of("mm", "MatMul", List.of("x", "w"), List.of("y")));
        Model model = b.model("y");
        float[] w = weights(model, "w");
        float[] magnitudes = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            magnitudes[i] = Math.abs(w[i]);
        }
        Arrays.sort(magnitudes);
        for (double fraction : new double[] {0.137, 0.5, 0.999}) {
            LayerPruning layer = MagnitudePruner.keep(fraction).prune(model).layers().getFirst();
            long k = Math.round(fraction * w.length);
            assertEquals(k, layer.kept());
            assertEquals(magnitudes[(int) (w.length - k)], layer.threshold());
        }
        assertArrayEquals(new long[] {1250, 800}, model.graph().initializers().get("w").dims());
    }
}
