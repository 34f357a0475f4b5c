// The K largest values of each batch row of an output, with softmax probabilities when the row holds logits.
package dev.condense.cli;

import dev.condense.ir.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A row is everything after axis 0 (a rank-1 or scalar output is one row). Larger values come
 * first, ties by index; NaN ranks above everything, so a broken output shows at the top. The
 * softmax is shown for a floating-point row that is not already a probability distribution.
 */
final class TopValues {

    /** A row already sums to 1 within this when it is a distribution. */
    static final double DISTRIBUTION_TOLERANCE = 1e-3;

    /** One value: its index in the row, the value, its softmax probability (NaN when not shown). */
    record Entry(int index, double value, double softmax) {
    }

    private TopValues() {
    }

    static List<List<Entry>> of(Tensor t, int k) {
        long rows = t.rank() >= 2 ? t.dim(0) : 1;
        long count = t.elementCount();
        long width = rows == 0 ? 0 : count / rows;
        List<List<Entry>> result = new ArrayList<>();
        for (long r = 0; r < rows; r++) {
            result.add(row(t, r * width, (int) width, k));
        }
        return result;
    }

    private static List<Entry> row(Tensor t, long start, int width, int k) {
        int shown = Math.min(k, width);
        int[] best = new int[shown];
        int filled = 0;
        // Insertion into a sorted array of the best so far: k is small, so this is about one pass.
        for (int i = 0; i < width; i++) {
            double v = t.getDouble(start + i);
            if (filled == shown && Double.compare(v, t.getDouble(start + best[shown - 1])) <= 0) {
                continue;
            }
            int pos = filled < shown ? filled++ : shown - 1;
            while (pos > 0 && Double.compare(v, t.getDouble(start + best[pos - 1])) > 0) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = i;
        }
        double[] softmax = softmax(t, start, width);
        List<Entry> entries = new ArrayList<>(shown);
        for (int j = 0; j < shown; j++) {
            entries.add(new Entry(best[j], t.getDouble(start + best[j]), softmax == null ? Double.NaN : softmax[best[j]]));
        }
        return entries;
    }

    /** The row's softmax, or null when the row is integer or already a distribution. */
    private static double[] softmax(Tensor t, long start, int width) {
        if (!t.dtype().isFloatingPoint() || width == 0) {
            return null;
        }
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        boolean unitInterval = true;
        for (int i = 0; i < width; i++) {
            double v = t.getDouble(start + i);
            max = Math.max(max, v);
            sum += v;
            unitInterval &= v >= 0 && v <= 1;
        }
        if (unitInterval && Math.abs(sum - 1) <= DISTRIBUTION_TOLERANCE) {
            return null;
        }
        double[] p = new double[width];
        double total = 0;
        for (int i = 0; i < width; i++) {
            p[i] = Math.exp(t.getDouble(start + i) - max);
            total += p[i];
        }
        for (int i = 0; i < width; i++) {
            p[i] /= total;
        }
        return p;
    }
}
