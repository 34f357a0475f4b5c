// Short training runs on a Fashion-MNIST subset: the loss falls, pruned weights stay zero, centroid fine-tuning keeps every weight's cluster.
package dev.condense.train;

import dev.condense.data.Dataset;
import dev.condense.data.FashionMnist;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.Mask;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.quantize.sharing.WeightSharer;
import dev.condense.quantize.sharing.WeightSharing;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TrainerTest {

    private static Dataset train;
    private static Dataset test;

    @BeforeAll
    static void data() throws Exception {
        // CI installs the Debian package dataset-fashion-mnist (.ci/run); a machine without it cannot train.
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST is not installed at "
                + FashionMnist.DEFAULT_DIR + " (apt-get install dataset-fashion-mnist)");
        train = FashionMnist.open(Split.TRAIN).take(2048);
        test = FashionMnist.open(Split.TEST).take(1000);
    }

    private static Model zoo(String name) {
        return Zoo.find(name).orElseThrow().build(ZooSpec.fashionMnist());
    }

    /** The zoo's LeNet-300-100 with every layer pruned to {@code keep}. */
    private static Model prunedLeNet300(double keep) {
        Model dense = zoo("lenet-300-100");
        return MagnitudePruner.keep(keep).prune(dense).apply(dense);
    }

    private static TrainConfig quick(int epochs) {
        return TrainConfig.defaults(epochs).withBatchSize(64).withThreads(2).withAugmentation(0, false);
    }

    @Test
    void lossFallsAndAccuracyRisesOnLeNet300() throws Exception {
        try (GraphModule module = GraphModule.of(zoo("lenet-300-100"))) {
            double before = Trainer.evaluate(module, test).top1();
            List<Trainer.EpochReport> epochs = Trainer.fit(module, train, test, quick(2), Map.of(), null);
            assertEquals(2, epochs.size());
            double first = epochs.get(0).loss();
            double second = epochs.get(1).loss();
            assertTrue(first < Math.log(10), "first epoch's mean loss " + first + " is not below chance, ln 10");
            assertTrue(second < first, "loss did not fall: " + first + " then " + second);
            double after = epochs.get(1).testAccuracy().orElseThrow();
            assertTrue(after > 0.65 && after > before + 0.3, "test accuracy " + before + " -> " + after);
        }
    }

    @Test
    void convolutionalModelTrainsWithAugmentation() throws Exception {
        try (GraphModule module = GraphModule.of(zoo("lenet-5-caffe"))) {
            List<Trainer.EpochReport> epochs = Trainer.fit(module, train, null,
                    quick(1).withAugmentation(2, true).withLearningRate(0.01), Map.of(), null);
            assertTrue(epochs.getFirst().loss() < 1.5, "loss after an epoch: " + epochs.getFirst().loss());
            assertTrue(Trainer.evaluate(module, test).top1() > 0.55);
        }
    }

    @Test
    void maskedRetrainingHoldsPrunedWeightsAtZero() throws Exception {
        Model dense = zoo("lenet-5-caffe");
        PruneResult pruning = MagnitudePruner.keep(0.2).prune(dense);
        Model pruned = pruning.apply(dense);
        Retrainer.Retrained<Model> r = Retrainer.retrainPruned(pruned, pruning, train, null, quick(1), null);
        for (Map.Entry<String, Mask> e : pruning.masks().entrySet()) {
            float[] before = pruned.graph().initializers().get(e.getKey()).toFloatArray();
            float[] after = r.model().graph().initializers().get(e.getKey()).toFloatArray();
            Mask m = e.getValue();
            int moved = 0;
            for (int p = 0; p < after.length; p++) {
                if (m.isKept(p)) {
                    assertNotEquals(0f, after[p], e.getKey() + "[" + p + "] is kept but became 0");
                    moved += after[p] != before[p] ? 1 : 0;
                } else {
                    assertEquals(0, Float.floatToRawIntBits(after[p]) & 0x7fffffff, e.getKey() + "[" + p + "] is pruned");
                }
            }
            assertTrue(moved > m.kept() / 2, e.getKey() + ": only " + moved + " of " + m.kept() + " kept weights moved");
        }
    }

    @Test
    void centroidFineTuningKeepsEveryWeightsCluster() throws Exception {
        Model pruned = prunedLeNet300(0.1);
        SharingResult sharing = WeightSharer.defaults().withBits("fc", 4).share(pruned);
        Retrainer.Retrained<SharingResult> r = Retrainer.fineTuneCentroids(pruned, sharing, train, null,
                quick(1).withLearningRate(0.01), null);
        for (int l = 0; l < sharing.layers().size(); l++) {
            WeightSharing before = sharing.layers().get(l);
            WeightSharing after = r.result().layers().get(l);
            int[] a = before.indices().toIntArray();
            int[] b = after.indices().toIntArray();
            assertEquals(a.length, b.length);
            // The codebook is sorted again after tuning, which may relabel clusters; membership must not change.
            Map<Integer, Integer> relabel = new HashMap<>();
            for (int i = 0; i < a.length; i++) {
                Integer prev = relabel.putIfAbsent(a[i], b[i]);
                assertTrue(prev == null || prev == b[i], "weight " + i + " of " + before.layer() + " changed cluster");
            }
            assertEquals(relabel.size(), new java.util.HashSet<>(relabel.values()).size(), "two clusters merged");
            assertNotEquals(java.util.Arrays.toString(before.codebook()), java.util.Arrays.toString(after.codebook()),
                    before.layer() + "'s centroids did not move");
            // The model holds exactly the tuned centroids, zeros where pruned.
            float[] w = r.model().graph().initializers().get(after.weightName()).toFloatArray();
            float[] pw = pruned.graph().initializers().get(after.weightName()).toFloatArray();
            float[] cb = after.codebook();
            int next = 0;
            for (int p = 0; p < w.length; p++) {
                if (pw[p] != 0f) {
                    assertEquals(cb[b[next++]], w[p], 0f);
                } else {
                    assertEquals(0f, w[p], 0f);
                }
            }
        }
    }

    @Test
    void tiedGradientIsTheSumOverEachCluster() throws Exception {
        Model pruned = prunedLeNet300(0.3);
        SharingResult sharing = WeightSharer.defaults().withBits("fc", 3).share(pruned);
        Model shared = sharing.apply(pruned);
        // One plain SGD step (no momentum, no decay, batch = the whole subset) moves each centroid by
        // -lr * the sum of its weights' gradients; the same step on the untied shared model gives those gradients.
        TrainConfig step = new TrainConfig(1, 256, 0.1, 0, 0, TrainConfig.Schedule.CONSTANT, 0, 1, 0, false, 2, 256);
        Retrainer.Retrained<SharingResult> tuned = Retrainer.fineTuneCentroids(pruned, sharing, train, null, step, null);
        try (GraphModule plain = GraphModule.of(shared)) {
            Trainer.fit(plain, train, null, step, Map.of(), null);
            Model moved = plain.toModel();
            WeightSharing s = sharing.layers().getFirst();
            float[] w0 = shared.graph().initializers().get(s.weightName()).toFloatArray();
            float[] w1 = moved.graph().initializers().get(s.weightName()).toFloatArray();
            double[] sum = new double[s.codebook().length];
            int next = 0;
            int[] idx = s.indices().toIntArray();
            for (int p = 0; p < w0.length; p++) {
                if (w0[p] != 0f) {
                    sum[idx[next++]] += w1[p] - w0[p];
                }
            }
            float[] c0 = s.codebook();
            float[] c1 = tuned.result().layers().getFirst().codebook();
            java.util.Arrays.sort(c1);
            float[] expected = new float[c0.length];
            for (int j = 0; j < c0.length; j++) {
                expected[j] = (float) (c0[j] + sum[j]);
            }
            java.util.Arrays.sort(expected);
            assertArrayEquals(expected, c1, 2e-5f);
        }
    }

    @Test
    void anOpWithoutTrainingKernelIsNamed() {
        Node n = Node.of("nms", "NonMaxSuppression", List.of("a"), List.of("b"));
        TrainingException e = assertThrows(TrainingException.class, () -> TrainOps.lookup(n, 13));
        assertTrue(e.getMessage().contains("NonMaxSuppression 'nms'") && e.getMessage().contains("Conv"), e.getMessage());
    }

    @Test
    void configRefusesImpossibleSettings() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults(0));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults(1).withLearningRate(-1));
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.defaults(1).withBatchSize(0));
        TrainConfig c = TrainConfig.defaults(10).withWarmup(0);
        assertEquals(c.learningRate(), c.learningRateAt(0, 100, 10), 1e-12);
        assertEquals(0, c.learningRateAt(100, 100, 10), 1e-12);
        assertEquals(c.learningRate() / 2, c.learningRateAt(50, 100, 10), 1e-9);
    }

    @Test
    void exportedModelKeepsItsGraphAndTakesTheNewWeights() throws Exception {
        Model dense = zoo("lenet-300-100");
        try (GraphModule module = GraphModule.of(dense)) {
            Trainer.fit(module, train, null, quick(1).withLimit(256), Map.of(), null);
            Model out = module.toModel();
            assertEquals(module.model().graph().nodes(), out.graph().nodes());
            Tensor before = dense.graph().initializers().get("ip1.weight");
            Tensor after = out.graph().initializers().get("ip1.weight");
            assertArrayEquals(before.dims(), after.dims());
            assertNotEquals(before, after);
        }
    }
}
