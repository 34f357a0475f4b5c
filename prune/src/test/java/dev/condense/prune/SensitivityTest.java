// Sensitivity scans: each layer pruned alone at each fraction, and per-layer fractions chosen within an accuracy budget.
package dev.condense.prune;

import dev.condense.ir.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SensitivityTest {

    private static Model threeLayers() {
        return MagnitudePrunerTest.threeLayers();
    }

    /** Accuracy falls with the share of zeros in conv1 (steeply) and in fc (gently); conv2 does not matter. */
    private static double fakeAccuracy(Model m) {
        return 0.9 - 0.5 * zeros(m, "features.conv1.w") - 0.02 * zeros(m, "classifier.fc.w");
    }

    private static double zeros(Model m, String name) {
        float[] w = m.graph().initializers().get(name).toFloatArray();
        int z = 0;
        for (float v : w) {
            z += v == 0f ? 1 : 0;
        }
        return (double) z / w.length;
    }

    @Test
    void eachLayerIsPrunedAloneAtEachFraction() throws Exception {
        Model model = threeLayers();
        List<String> seen = new ArrayList<>();
        Sensitivity s = Sensitivity.scan(model, Sensitivity.DEFAULT_KEEPS, SensitivityTest::fakeAccuracy,
                (done, total, layer, keep, acc) -> seen.add(done + "/" + total + " " + layer));
        assertEquals(0.9, s.dense(), 1e-12);
        assertEquals(27, seen.size());
        assertEquals("27/27 classifier.fc", seen.getLast());
        assertEquals(3, s.layers().size());
        Sensitivity.Row conv1 = s.layers().get(0);
        assertEquals("features.conv1", conv1.layer());
        assertEquals(162, conv1.weights());
        for (int i = 0; i < 9; i++) {
            double keep = Sensitivity.DEFAULT_KEEPS[i];
            // round(keep * 162) weights kept, the others zero: accuracy as the fake says.
            double pruned = (162 - Math.round(keep * 162)) / 162.0;
            assertEquals(0.9 - 0.5 * pruned, conv1.accuracy()[i], 1e-9);
            assertEquals(0.9, s.layers().get(1).accuracy()[i], 1e-12);
        }
    }

    @Test
    void choiceKeepsEachLayerWithinTheBudget() throws Exception {
        Sensitivity s = Sensitivity.scan(threeLayers(), Sensitivity.DEFAULT_KEEPS, SensitivityTest::fakeAccuracy, null);
        double[] keep = s.choose(0.1);
        // conv1 costs 0.5 per pruned share: 20% pruned costs 0.1, so 80% is the smallest within budget.
        assertArrayEquals(new double[] {0.8, 0.1, 0.1}, keep, 1e-12);
        assertArrayEquals(new double[] {1, 0.1, 1}, s.choose(0.0), 1e-12);
        PruneResult r = s.pruner(0.1).prune(threeLayers());
        assertEquals(0.8, r.layers().get(0).keptFraction(), 0.01);
        assertEquals(0.1, r.layers().get(2).keptFraction(), 0.01);
        assertThrows(IllegalArgumentException.class, () -> s.choose(-0.1));
    }

    @Test
    void aDipStopsTheSearchRatherThanSkippingPastIt() {
        Sensitivity s = new Sensitivity(0.9, new double[] {0.5, 0.3, 0.1},
                List.of(new Sensitivity.Row("fc", "Gemm", 10, new double[] {0.9, 0.7, 0.9})));
        assertArrayEquals(new double[] {0.5}, s.choose(0.05), 1e-12);
        assertTrue(s.table().contains("fc"));
    }

    @Test
    void fractionsMustFall() {
        assertThrows(IllegalArgumentException.class, () -> Sensitivity.scan(threeLayers(), new double[] {0.5, 0.7},
                SensitivityTest::fakeAccuracy, null));
    }

    @Test
    void iterativeStagesPruneGeometricallyTowardsTheTarget() {
        Model model = threeLayers();
        MagnitudePruner target = MagnitudePruner.keep(0.1);
        Model current = model;
        double[] kept = new double[3];
        for (int i = 1; i <= 3; i++) {
            PruneResult r = (i == 3 ? target : target.atStage(i / 3.0)).prune(current);
            current = r.apply(current);
            kept[i - 1] = r.layers().get(2).keptFraction();
            // Weights pruned at an earlier stage stay pruned: they are zeros, the smallest magnitudes.
            if (i > 1) {
                float[] w = current.graph().initializers().get("classifier.fc.w").toFloatArray();
                long zeros = 0;
                for (float v : w) {
                    zeros += v == 0f ? 1 : 0;
                }
                assertEquals(w.length - r.layers().get(2).kept(), zeros);
            }
        }
        assertEquals(Math.pow(0.1, 1 / 3.0), kept[0], 0.01);
        assertEquals(Math.pow(0.1, 2 / 3.0), kept[1], 0.01);
        assertEquals(0.1, kept[2], 0.01);
        assertEquals(0.9, MagnitudePruner.quality(0.9).atStage(0.5).prune(model).layers().get(0).criterion()
                .map(c -> ((PruneCriterion.Quality) c).q() * 2).orElseThrow(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> target.atStage(0));
        assertThrows(IllegalArgumentException.class, () -> target.atStage(1.5));
    }
}
