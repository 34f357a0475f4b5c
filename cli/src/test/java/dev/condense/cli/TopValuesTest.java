// Tests of TopValues: order, ties, NaN, rows, and when the softmax is shown.
package dev.condense.cli;

import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopValuesTest {

    private static List<Integer> indices(List<TopValues.Entry> row) {
        return row.stream().map(TopValues.Entry::index).toList();
    }

    @Test
    void largestFirstTiesByIndexNaNOnTop() {
        Tensor t = Tensor.ofFloats("y", new long[] {7}, 1, 5, 3, 5, Float.NaN, -2, 4);
        List<List<TopValues.Entry>> top = TopValues.of(t, 4);
        assertEquals(1, top.size(), "a rank-1 output is one row");
        assertEquals(List.of(4, 1, 3, 6), indices(top.getFirst()));
        assertEquals(List.of(4, 1, 3, 6, 2, 0, 5), indices(TopValues.of(t, 100).getFirst()), "k beyond the row shows it all");
    }

    @Test
    void eachBatchRowHasItsOwnTopAndSoftmax() {
        Tensor t = Tensor.ofFloats("y", new long[] {2, 3}, 0, 1, 2, 5, 0, 0);
        List<List<TopValues.Entry>> top = TopValues.of(t, 2);
        assertEquals(List.of(2, 1), indices(top.get(0)));
        assertEquals(List.of(0, 1), indices(top.get(1)));
        double z = 1 + Math.E + Math.E * Math.E;
        assertEquals(Math.E * Math.E / z, top.get(0).getFirst().softmax(), 1e-12);
        assertEquals(Math.exp(5) / (Math.exp(5) + 2), top.get(1).getFirst().softmax(), 1e-12);
    }

    @Test
    void probabilitiesAndIntegersGetNoSoftmax() {
        Tensor probabilities = Tensor.ofFloats("p", new long[] {1, 3}, 0.2f, 0.7f, 0.1f);
        TopValues.Entry best = TopValues.of(probabilities, 1).getFirst().getFirst();
        assertEquals(1, best.index());
        assertTrue(Double.isNaN(best.softmax()), "already a distribution");
        Tensor labels = Tensor.ofLongs("l", new long[] {1, 3}, 3, 9, 4);
        TopValues.Entry label = TopValues.of(labels, 1).getFirst().getFirst();
        assertEquals(1, label.index());
        assertEquals(9.0, label.value());
        assertTrue(Double.isNaN(label.softmax()));
    }
}
