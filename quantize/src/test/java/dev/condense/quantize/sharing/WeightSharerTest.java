// Checks weight sharing of a model: bits per layer, codebooks, pruned zeros kept exactly, the compression rate, and errors.
package dev.condense.quantize.sharing;

import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.layers.LayerRules;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WeightSharerTest {

    /** A weight of Gaussian values with about {@code prunedShare} of them set to zero, as pruning leaves it. */
    private static Tensor prunedWeight(String name, long seed, double prunedShare, long... dims) {
        int n = Math.toIntExact(Tensor.elementCount(dims));
        float[] values = KMeans1DTest.gaussian(seed, n);
        SplittableRandom rng = new SplittableRandom(seed + 1);
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < prunedShare) {
                values[i] = 0;
            }
        }
        return Tensor.ofFloats(name, dims, values);
    }

    /** x -> conv1 (w [16, 3, 3, 3], 60% pruned, bias) -> flatten -> fc6 (Gemm, w [10, 1024], 90% pruned) -> mm (MatMul, unpruned). */
    private static Model model() {
        Map<String, Tensor> init = new LinkedHashMap<>();
        for (Tensor t : List.of(prunedWeight("conv1.w", 1, 0.6, 16, 3, 3, 3), prunedWeight("conv1.b", 2, 0, 16),
                prunedWeight("fc6.w", 3, 0.9, 10, 1024), prunedWeight("mm.w", 4, 0, 10, 4))) {
            init.put(t.name(), t);
        }
        List<Node> nodes = List.of(
                Node.of("features.conv1", "Conv", List.of("x", "conv1.w", "conv1.b"), List.of("c")),
                Node.of("flatten", "Flatten", List.of("c"), List.of("f")),
                Node.of("classifier.fc6", "Gemm", List.of("f", "fc6.w"), List.of("g"),
                        Map.of("transB", Attribute.of(1L))),
                Node.of("mm", "MatMul", List.of("g", "mm.w"), List.of("y")));
        Graph graph = new Graph("g", nodes, List.of(ValueInfo.of("x", DataType.FLOAT, Dim.fixed(1, 3, 8, 8))),
                List.of(ValueInfo.unknownShape("y", DataType.FLOAT)), init, Map.of());
        return Model.of(graph, 13);
    }

    @Test
    void sharesConvAtEightBitsAndFcAtFiveByDefault() {
        Model model = model();
        SharingResult result = WeightSharer.defaults().share(model);
        assertEquals(List.of("features.conv1", "classifier.fc6", "mm"),
                result.layers().stream().map(WeightSharing::layer).toList());
        assertEquals(List.of(8, 5, 5), result.layers().stream().map(WeightSharing::bits).toList());
        assertEquals(List.of(256, 32, 32), result.layers().stream().map(l -> l.codebook().length).toList());
        for (WeightSharing layer : result.layers()) {
            float[] kept = WeightSharer.keptWeights(model.graph().initializers().get(layer.weightName()));
            assertEquals(kept.length, layer.keptWeights());
            // Each kept weight gets its nearest centroid.
            float[] codebook = layer.codebook();
            float[] shared = layer.sharedValues();
            for (int i = 0; i < kept.length; i++) {
                double own = Math.abs(kept[i] - shared[i]);
                for (float c : codebook) {
                    assertTrue(own <= Math.abs(kept[i] - c), layer.layer() + " weight " + i);
                }
            }
        }
        assertEquals(40, result.layers().get(2).keptWeights());
    }

    @Test
    void prunedZerosStayExactlyZeroAndKeptWeightsTakeCentroids() {
        Model model = model();
        SharingResult result = WeightSharer.defaults().withInit(KMeansInit.DENSITY).share(model);
        Model shared = result.apply(model);
        for (WeightSharing layer : result.layers()) {
            float[] before = model.graph().initializers().get(layer.weightName()).toFloatArray();
            float[] after = shared.graph().initializers().get(layer.weightName()).toFloatArray();
            Set<Float> codebook = new HashSet<>();
            for (float c : layer.codebook()) {
                codebook.add(c);
            }
            Set<Float> used = new HashSet<>();
            for (int i = 0; i < before.length; i++) {
                if (before[i] == 0) {
                    assertEquals(0, Float.floatToRawIntBits(after[i]), "pruned position " + i + " of " + layer.layer());
                } else {
                    assertTrue(codebook.contains(after[i]));
                    used.add(after[i]);
                }
            }
            assertTrue(used.size() <= 1 << layer.bits());
        }
        assertSame(model.graph().initializers().get("conv1.b"), shared.graph().initializers().get("conv1.b"));
        // The input model still holds its own weights.
        assertEquals(prunedWeight("fc6.w", 3, 0.9, 10, 1024), model.graph().initializers().get("fc6.w"));
    }

    @Test
    void bitsByRuleAndLayersNoRuleReachesStayUnshared() {
        Model model = model();
        SharingResult result = WeightSharer.defaults().withBits("fc6=3,MatMul=2").withBits("conv1", 4).share(model);
        assertEquals(List.of(4, 3, 2), result.layers().stream().map(WeightSharing::bits).toList());

        SharingResult gemmOnly = WeightSharer.of(LayerRules.parse("Gemm=6", Integer::parseInt)).share(model);
        assertEquals(1, gemmOnly.layers().size());
        assertEquals("classifier.fc6", gemmOnly.layers().getFirst().layer());
        assertEquals(6, gemmOnly.layers().getFirst().bits());
        Model partly = gemmOnly.apply(model);
        assertSame(model.graph().initializers().get("conv1.w"), partly.graph().initializers().get("conv1.w"));
        assertThrows(IllegalArgumentException.class, () -> WeightSharer.of(LayerRules.withDefault(0)));

        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> WeightSharer.defaults().withBits("fc9=3").share(model));
        assertTrue(typo.getMessage().startsWith("rule 'fc9' names no weight layer"), typo.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WeightSharer.defaults().withBits("fc=17"));
        assertThrows(IllegalArgumentException.class, () -> WeightSharer.defaults().withBits("fc=x"));
    }

    @Test
    void sameSettingsGiveTheSameSharingAndSeedsMatterForRandomInit() {
        Model model = model();
        WeightSharer random = WeightSharer.defaults().withInit(KMeansInit.RANDOM).withSeed(11);
        assertEquals(random.share(model), random.share(model));
        assertNotEquals(random.share(model), random.withSeed(12).share(model));
    }

    @Test
    void compressionRateFollowsThePapersFormula() {
        // 1000 weights at 32 bits, 16 centroids: 32000 / (1000 * 4 + 16 * 32) = 32000 / 4512.
        assertEquals(32000.0 / 4512, WeightSharing.compressionRate(1000, 16, 32), 1e-12);
        WeightSharing fc6 = WeightSharer.defaults().share(model()).layers().get(1);
        double n = fc6.keptWeights();
        assertEquals(n * 32 / (n * 5 + 32 * 32), fc6.compressionRate(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> WeightSharing.compressionRate(10, 0, 32));
    }

    @Test
    void applyingToADifferentTensorIsAnError() {
        Model model = model();
        WeightSharing conv = WeightSharer.defaults().share(model).layers().getFirst();
        Tensor unpruned = prunedWeight("conv1.w", 1, 0, 16, 3, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.applyTo(unpruned));
        assertEquals("weight 'conv1.w' has 432 non-zero elements but layer 'features.conv1' shares "
                + conv.keptWeights(), e.getMessage());
    }

    @Test
    void recordValidatesCodebookAndIndices() {
        CentroidIndices idx = CentroidIndices.of(4, new int[] {0, 3, 1});
        assertArrayEquals(new int[] {0, 3, 1}, idx.toIntArray());
        assertThrows(IllegalArgumentException.class, () -> CentroidIndices.of(4, new int[] {4}));
        assertThrows(IllegalArgumentException.class,
                () -> new WeightSharing("l", "w", 2, new float[] {0, 1, 2}, idx, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new WeightSharing("l", "w", 2, new float[] {0, 2, 1, 3}, idx, 0));
        assertEquals(2, CentroidIndices.of(300, new int[] {299}).bytesPerIndex());
        assertEquals(299, CentroidIndices.of(300, new int[] {299}).get(0));
        WeightSharing sharing = new WeightSharing("l", "w", 2, new float[] {-1, 0.5f, 1, 3}, idx, 0);
        assertArrayEquals(new float[] {-1, 3, 0.5f}, sharing.sharedValues());
        assertArrayEquals(new float[] {0, -1, 0, 3, 0.5f},
                sharing.applyTo(Tensor.ofFloats("w", new long[] {5}, 0, 7, 0, 7, 7)).toFloatArray());
    }
}
