// A linear axis with "nice" ticks (steps of 1, 2 or 5 times a power of ten) covering a range of values.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A linear axis from {@code min} to {@code max}, both multiples of {@code step}, ticked at every step. */
public record LinearAxis(double min, double max, double step, List<Double> ticks) {

    /** About this many intervals; the nice step chosen gives between 3 and 10. */
    static final int TARGET_INTERVALS = 5;

    public LinearAxis {
        ticks = List.copyOf(ticks);
    }

    /** The smallest nice axis containing {@code low..high}; a single value gets one unit either side. */
    public static LinearAxis covering(double low, double high) {
        if (!Double.isFinite(low) || !Double.isFinite(high) || high < low) {
            throw new IllegalArgumentException("a linear axis needs finite low <= high, got " + low + " and " + high);
        }
        if (high == low) {
            low -= 1;
            high += 1;
        }
        double raw = (high - low) / TARGET_INTERVALS;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = power;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                step = m * power;
                break;
            }
        }
        double min = Math.floor(low / step + 1e-9) * step;
        double max = Math.ceil(high / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        long count = Math.round((max - min) / step);
        for (long i = 0; i <= count; i++) {
            // Recomputed from the index so that 0.1 + 0.2 drift does not reach the labels.
            ticks.add(Double.parseDouble(String.format(Locale.ROOT, "%.10g", min + i * step)));
        }
        return new LinearAxis(min, max, step, ticks);
    }

    /** Where {@code value} falls along the axis, 0 at {@code min} and 1 at {@code max}. */
    public double fraction(double value) {
        return (value - min) / (max - min);
    }
}
