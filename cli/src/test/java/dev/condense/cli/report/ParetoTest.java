// Tests of the Pareto frontier: hand-checked sets, ties in size and accuracy, and agreement with the definition on random sets.
package dev.condense.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParetoTest {

    private static final long SEED = 20261203L;

    static SweepResult point(String label, long bytes, double top1) {
        return new SweepResult(new SweepResult.Source(Path.of("t.jsonl"), 1), label, label, false,
                new SweepResult.ModelInfo("m.onnx", 1_000_000, ""), SweepResult.DatasetInfo.UNKNOWN,
                SweepResult.Settings.NONE, bytes, 1_000_000.0 / bytes, top1, Double.NaN, Map.of(), Map.of(), Double.NaN,
                List.of(), List.of());
    }

    private static List<String> labels(List<SweepResult> lines) {
        return lines.stream().map(SweepResult::label).toList();
    }

    @Test
    void handCheckedSetKeepsOnlyTheNonDominated() {
        // a is smallest; b is larger and more accurate; c is larger than b and less accurate (dominated by b);
        // d is the largest and the most accurate; e is as large as d and less accurate.
        List<SweepResult> set = List.of(point("c", 300, 0.80), point("a", 100, 0.70), point("d", 400, 0.90),
                point("b", 200, 0.85), point("e", 400, 0.88));
        assertEquals(List.of("a", "b", "d"), labels(Pareto.frontier(set)));
    }

    @Test
    void theFixtureFrontierMatchesTheHandWorkedOne(@TempDir Path dir) throws Exception {
        ModelSweep sweep = SweepFixture.report(dir).models().getFirst();
        assertEquals(SweepFixture.FRONTIER, labels(sweep.frontier()));
        assertEquals(SweepFixture.DEFAULT_CHOICE, sweep.defaultChoice().label());
        assertFalse(sweep.onFrontier(sweep.reference().orElseThrow()), "the reference is drawn apart, not on the frontier");
    }

    @Test
    void exactTiesBothStayAndNeitherDominates() {
        SweepResult a = point("a", 100, 0.9);
        SweepResult b = point("b", 100, 0.9);
        assertFalse(Pareto.dominates(a, b));
        assertFalse(Pareto.dominates(b, a));
        assertEquals(List.of("a", "b", "c"), labels(Pareto.frontier(List.of(a, b, point("c", 200, 0.95)))));
    }

    @Test
    void equalSizeKeepsTheMoreAccurateAndEqualAccuracyKeepsTheSmaller() {
        assertEquals(List.of("hi"), labels(Pareto.frontier(List.of(point("lo", 100, 0.80), point("hi", 100, 0.81)))));
        assertEquals(List.of("small"), labels(Pareto.frontier(List.of(point("big", 200, 0.8), point("small", 100, 0.8)))));
        assertTrue(Pareto.dominates(point("small", 100, 0.8), point("big", 200, 0.8)));
        assertTrue(Pareto.dominates(point("hi", 100, 0.81), point("lo", 100, 0.80)));
    }

    @Test
    void oneOrNoConfiguration() {
        assertEquals(List.of("only"), labels(Pareto.frontier(List.of(point("only", 5, 0.1)))));
        assertEquals(List.of(), Pareto.frontier(List.of()));
    }

    @Test
    void agreesWithTheDefinitionOnRandomSets() {
        Random random = new Random(SEED);
        for (int trial = 0; trial < 200; trial++) {
            List<SweepResult> set = new ArrayList<>();
            int n = 1 + random.nextInt(12);
            for (int i = 0; i < n; i++) {
                // Few distinct values, so that ties in size and in accuracy are common.
                set.add(point("p" + i, 100 + 10 * random.nextInt(5), 0.5 + 0.1 * random.nextInt(4)));
            }
            List<String> expected = set.stream()
                    .filter(p -> set.stream().noneMatch(q -> Pareto.dominates(q, p)))
                    .map(SweepResult::label).sorted().toList();
            List<String> actual = labels(Pareto.frontier(set)).stream().sorted().toList();
            assertEquals(expected, actual, "trial " + trial + ": " + set);
        }
    }

    @Test
    void frontierComesSmallestFirstWithRisingAccuracy() {
        List<SweepResult> f = Pareto.frontier(List.of(point("x", 300, 0.9), point("y", 100, 0.6), point("z", 200, 0.8)));
        for (int i = 1; i < f.size(); i++) {
            assertTrue(f.get(i).bytes() > f.get(i - 1).bytes() && f.get(i).top1() > f.get(i - 1).top1(), f.toString());
        }
        assertEquals(3, f.size());
    }
}
