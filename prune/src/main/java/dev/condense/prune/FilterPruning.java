// What filter pruning did to one convolution: how many output filters it kept, which, and the L1 norm at the cut.
package dev.condense.prune;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of a filter-pruning report.
 *
 * @param layer       the Conv's name
 * @param filters     output filters before pruning
 * @param keptFilters the indices of the filters kept, ascending
 * @param threshold   the smallest L1 norm among the kept filters (removed ones have at most this)
 */
public record FilterPruning(String layer, int filters, int[] keptFilters, double threshold) {

    public FilterPruning {
        Objects.requireNonNull(layer, "layer");
        keptFilters = keptFilters.clone();
    }

    @Override
    public int[] keptFilters() {
        return keptFilters.clone();
    }

    public int kept() {
        return keptFilters.length;
    }

    public double keptFraction() {
        return filters == 0 ? 1.0 : (double) keptFilters.length / filters;
    }

    // Records compare arrays by identity; rows compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof FilterPruning f && layer.equals(f.layer) && filters == f.filters
                && Arrays.equals(keptFilters, f.keptFilters) && Double.compare(threshold, f.threshold) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(layer, filters, Arrays.hashCode(keptFilters), threshold);
    }

    @Override
    public String toString() {
        return "FilterPruning[" + layer + ", kept " + keptFilters.length + " of " + filters + "]";
    }
}
