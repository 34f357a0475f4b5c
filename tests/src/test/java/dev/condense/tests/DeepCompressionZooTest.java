// Prunes and shares zoo models: the paper presets on AlexNet and VGG-16, and filter pruning checked in the vector engine.
package dev.condense.tests;

import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.layers.WeightLayer;
import dev.condense.models.NetBuilder;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.prune.FilterPruneResult;
import dev.condense.prune.FilterPruner;
import dev.condense.prune.FilterPruning;
import dev.condense.prune.LayerPruning;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.PaperPreset;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.quantize.sharing.WeightSharer;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeepCompressionZooTest {

    private static final int THREADS = 2;

    /**
     * The pruned model and the silenced original sum the same products in float, but the engine's
     * blocking adds the zero terms in a different order: a relative error well below this.
     */
    private static final double RELATIVE_TOLERANCE = 1e-4;

    @Test
    void alexNetPresetKeepsThePapersFractionsAtImageNetScale() {
        Model alexnet = Zoo.get("alexnet").build(ZooSpec.imagenet());
        PruneResult result = MagnitudePruner.preset(PaperPreset.ALEXNET).prune(alexnet);
        assertEquals(List.of("features.conv1", "features.conv2", "features.conv3", "features.conv4",
                        "features.conv5", "classifier.fc6", "classifier.fc7", "classifier.fc8"),
                result.layers().stream().map(LayerPruning::layer).toList());
        for (int i = 0; i < 8; i++) {
            LayerPruning layer = result.layers().get(i);
            assertEquals(Math.round(PaperPreset.ALEXNET.keepFractions().get(i) * layer.weights()), layer.kept(),
                    layer.layer());
        }
        // conv1 [64, 3, 11, 11]: round(0.84 * 23232) = 19515; fc6 [4096, 9216]: round(0.09 * 37748736) = 3397386.
        assertEquals(19515, result.layers().get(0).kept());
        assertEquals(3397386, result.layers().get(5).kept());
        assertEquals(61_090_496, result.weights());
    }

    @Test
    void vgg16PresetFitsTheZoosSixteenLayers() {
        Model vgg = Zoo.get("vgg-16").build(ZooSpec.fashionMnist());
        PruneResult result = MagnitudePruner.preset(PaperPreset.VGG16).prune(vgg);
        assertEquals(16, result.layers().size());
        LayerPruning fc6 = result.layers().get(13);
        assertEquals("classifier.fc1", fc6.layer());
        assertEquals(Math.round(0.04 * fc6.weights()), fc6.kept());
    }

    @Test
    void presetRefusesADifferentArchitecture() {
        Model resnet = Zoo.get("resnet-18").build(ZooSpec.fashionMnist());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MagnitudePruner.preset(PaperPreset.ALEXNET).prune(resnet));
        assertTrue(e.getMessage().startsWith("preset alexnet has 8 layers (conv1, conv2, conv3, conv4, conv5, fc6, fc7,"
                + " fc8) but the model has 21 prunable layers (conv1, layer1.0.conv1,"), e.getMessage());
    }

    @Test
    void prunedAndSharedAlexNetRunsWithItsZerosInPlace() throws Exception {
        Model alexnet = Zoo.get("alexnet").build(ZooSpec.fashionMnist());
        PruneResult pruning = MagnitudePruner.preset(PaperPreset.ALEXNET).prune(alexnet);
        Model pruned = pruning.apply(alexnet);
        SharingResult sharing = WeightSharer.defaults().share(pruned);
        Model shared = sharing.apply(pruned);
        for (LayerPruning layer : pruning.layers()) {
            float[] w = shared.graph().initializers().get(layer.weightName()).toFloatArray();
            long nonZero = 0;
            for (float v : w) {
                nonZero += v != 0 ? 1 : 0;
            }
            // Seeded Gaussian weights have no zeros of their own and no centroid lands exactly on 0.
            assertEquals(layer.kept(), nonZero, layer.layer());
        }
        float[] logits = run(shared, input(ZooSpec.fashionMnist(), 2));
        assertEquals(2 * 10, logits.length);
        for (float v : logits) {
            assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void filterPrunedVgg16ComputesTheSilencedOriginal() throws Exception {
        Model vgg = Zoo.get("vgg-16").build(ZooSpec.fashionMnist());
        FilterPruneResult result = FilterPruner.keep(0.5).prune(vgg);
        assertEquals(13, result.layers().size());
        assertEquals(List.of(), result.skipped());
        // Widths at this scale are a quarter of VGG's: conv2 [16, 16, 3, 3] keeps [8, 8, 3, 3]; fc1 reads 128 channels at 1x1.
        Map<String, Tensor> weights = result.model().graph().initializers();
        assertEquals(List.of(8L, 8L, 3L, 3L), dims(weights.get(layerWeight(vgg, "features.conv2"))));
        assertEquals(List.of(64L, 64L, 3L, 3L), dims(weights.get(layerWeight(vgg, "features.conv13"))));
        assertEquals(List.of(1024L, 64L), dims(weights.get(layerWeight(vgg, "classifier.fc1"))));
        assertSameLogits(silence(vgg, result), result.model(), ZooSpec.fashionMnist());
    }

    @Test
    void filterPrunedResNet18KeepsItsResidualsAndComputesTheSilencedOriginal() throws Exception {
        Model resnet = Zoo.get("resnet-18").build(ZooSpec.fashionMnist());
        FilterPruneResult result = FilterPruner.keep(0.25).prune(resnet);
        // The first convolution of each of the eight basic blocks feeds BN -> ReLU -> conv2; every other one meets an Add.
        assertEquals(8, result.layers().size());
        assertTrue(result.layers().stream().allMatch(l -> l.layer().endsWith(".conv1")));
        assertEquals(12, result.skipped().size());
        assertTrue(result.skipped().stream().allMatch(s -> s.reason().contains("Add '")), result.table());
        assertSameLogits(silence(resnet, result), result.model(), ZooSpec.fashionMnist());
    }

    private static String layerWeight(Model model, String layer) {
        return WeightLayer.of(model.graph()).stream().filter(l -> l.name().equals(layer)).findFirst().orElseThrow()
                .weightName();
    }

    private static List<Long> dims(Tensor t) {
        return Arrays.stream(t.dims()).boxed().toList();
    }

    /** The original with every removed filter silenced: its weight row, bias, and a following BatchNorm's scale and shift. */
    private static Model silence(Model model, FilterPruneResult result) {
        Map<String, Tensor> init = new LinkedHashMap<>(model.graph().initializers());
        Map<String, WeightLayer> layers = new LinkedHashMap<>();
        for (WeightLayer l : WeightLayer.of(model.graph())) {
            layers.put(l.name(), l);
        }
        Map<String, List<Node>> consumers = model.graph().consumers();
        for (FilterPruning row : result.layers()) {
            Node conv = layers.get(row.layer()).node();
            boolean[] keep = new boolean[row.filters()];
            for (int k : row.keptFilters()) {
                keep[k] = true;
            }
            List<String> perFilter = new ArrayList<>(List.of(conv.inputs().get(1)));
            conv.input(2).ifPresent(perFilter::add);
            for (Node next : consumers.getOrDefault(conv.output(), List.of())) {
                if (next.opType().equals("BatchNormalization")) {
                    perFilter.add(next.inputs().get(1));
                    perFilter.add(next.inputs().get(2));
                }
            }
            for (String name : perFilter) {
                Tensor t = init.get(name);
                float[] v = t.toFloatArray();
                int per = v.length / keep.length;
                for (int m = 0; m < keep.length; m++) {
                    if (!keep[m]) {
                        Arrays.fill(v, m * per, (m + 1) * per, 0f);
                    }
                }
                init.put(name, Tensor.ofFloats(name, t.dims(), v));
            }
        }
        return model.withGraph(model.graph().withInitializers(init));
    }

    private static void assertSameLogits(Model expected, Model actual, ZooSpec spec) throws Exception {
        Tensor x = input(spec, 2);
        float[] want = run(expected, x);
        float[] got = run(actual, x);
        assertEquals(want.length, got.length);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(want[i]));
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - got[i]));
        }
        assertTrue(maxAbs > 1e-3, "logits vanish: " + maxAbs);
        assertTrue(maxDiff <= RELATIVE_TOLERANCE * maxAbs, "max |diff| " + maxDiff + " of max |logit| " + maxAbs);
    }

    private static Tensor input(ZooSpec spec, int batch) {
        long[] dims = {batch, spec.channels(), spec.height(), spec.width()};
        SplittableRandom rng = new SplittableRandom(42);
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return Tensor.ofFloats(NetBuilder.INPUT, dims, values);
    }

    private static float[] run(Model model, Tensor input) throws Exception {
        try (Session s = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(THREADS));
             Result r = s.run(Map.of(NetBuilder.INPUT, input))) {
            return r.first().toFloatArray();
        }
    }
}
