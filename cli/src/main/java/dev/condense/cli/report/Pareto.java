// The Pareto frontier of size against accuracy: the configurations no other one beats on both at once.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A configuration is on the frontier when no other is at most as large and at least as accurate while strictly
 * better on one of the two. Two configurations with the same size and the same accuracy do not dominate each
 * other, so both stay.
 */
public final class Pareto {

    private Pareto() {
    }

    /** True when {@code a} dominates {@code b}: no larger, no less accurate, and strictly better on one. */
    public static boolean dominates(SweepResult a, SweepResult b) {
        return a.bytes() <= b.bytes() && a.top1() >= b.top1() && (a.bytes() < b.bytes() || a.top1() > b.top1());
    }

    /** The non-dominated configurations, smallest first (ties in size: the more accurate first, then input order). */
    public static List<SweepResult> frontier(List<SweepResult> configurations) {
        List<SweepResult> sorted = new ArrayList<>(configurations);
        sorted.sort(Comparator.comparingLong(SweepResult::bytes)
                .thenComparing(Comparator.comparingDouble(SweepResult::top1).reversed()));
        // Walking from the smallest, a configuration survives when it beats the best accuracy seen so far in a
        // strictly smaller one, or exactly repeats the survivor before it (a tie neither dominates).
        List<SweepResult> frontier = new ArrayList<>();
        double bestTop1 = Double.NEGATIVE_INFINITY;
        for (SweepResult c : sorted) {
            SweepResult previous = frontier.isEmpty() ? null : frontier.getLast();
            if (c.top1() > bestTop1) {
                frontier.add(c);
                bestTop1 = c.top1();
            } else if (previous != null && previous.bytes() == c.bytes() && previous.top1() == c.top1()) {
                frontier.add(c);
            }
        }
        return frontier;
    }
}
