// A base-10 logarithmic axis for sizes: whole decades from below the smallest value to above the largest, with their ticks.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * A log axis spanning whole decades [10^lowDecade, 10^highDecade]. Every decade is a labelled major tick; 2..9 times
 * each decade are minor ticks (grid lines), and when the axis spans a single decade, 2 and 5 are labelled too so that
 * the reader has more than two numbers.
 */
public record LogAxis(int lowDecade, int highDecade, List<Tick> ticks) {

    /** A tick at {@code value}; {@code label} is empty for an unlabelled minor tick. */
    public record Tick(double value, String label, boolean major) {
    }

    public LogAxis {
        if (highDecade <= lowDecade) {
            throw new IllegalArgumentException("a log axis needs at least one decade, got 10^" + lowDecade + "..10^"
                    + highDecade);
        }
        ticks = List.copyOf(ticks);
    }

    /** The axis for positive values from {@code min} to {@code max}, labelled by {@code label}. */
    public static LogAxis covering(double min, double max, DoubleFunction<String> label) {
        if (!(min > 0) || !(max >= min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("a log axis needs 0 < min <= max, got " + min + " and " + max);
        }
        int low = (int) Math.floor(Math.log10(min) + 1e-12);
        int high = (int) Math.ceil(Math.log10(max) - 1e-12);
        if (high <= low) {
            high = low + 1;
        }
        boolean oneDecade = high - low == 1;
        List<Tick> ticks = new ArrayList<>();
        for (int decade = low; decade <= high; decade++) {
            double base = Math.pow(10, decade);
            ticks.add(new Tick(base, label.apply(base), true));
            if (decade == high) {
                break;
            }
            for (int m = 2; m <= 9; m++) {
                boolean labelled = oneDecade && (m == 2 || m == 5);
                ticks.add(new Tick(m * base, labelled ? label.apply(m * base) : "", false));
            }
        }
        return new LogAxis(low, high, ticks);
    }

    public double min() {
        return Math.pow(10, lowDecade);
    }

    public double max() {
        return Math.pow(10, highDecade);
    }

    /** Where {@code value} falls along the axis, 0 at the low end and 1 at the high end. */
    public double fraction(double value) {
        return (Math.log10(value) - lowDecade) / (highDecade - lowDecade);
    }
}
