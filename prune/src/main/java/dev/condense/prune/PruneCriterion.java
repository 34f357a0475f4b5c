// How magnitude pruning picks a layer's threshold: a keep fraction, a quality factor times the std, or a shared global fraction.
package dev.condense.prune;

import java.util.Locale;

/**
 * A layer's pruning rule. Written in rule strings as {@code 0.09} or {@code 9%} (keep fraction),
 * {@code q1.2} (quality) and {@code g0.1} (global keep fraction).
 */
public sealed interface PruneCriterion {

    /**
     * Keep the {@code round(fraction * n)} weights of largest magnitude; among equal magnitudes at
     * the cut, the earlier flat positions.
     */
    record KeepFraction(double fraction) implements PruneCriterion {
        public KeepFraction {
            checkFraction(fraction);
        }

        @Override
        public String toString() {
            return format(fraction);
        }
    }

    /**
     * Keep the weights with |w| >= q * std, std being the population standard deviation of the
     * layer's weights (Han et al. 2015, "Learning both Weights and Connections").
     */
    record Quality(double q) implements PruneCriterion {
        public Quality {
            if (!(q >= 0) || Double.isInfinite(q)) {
                throw new IllegalArgumentException("quality factor must be a finite number >= 0, got " + q);
            }
        }

        @Override
        public String toString() {
            return "q" + format(q);
        }
    }

    /**
     * Keep {@code round(fraction * n)} weights of all layers under a Global rule of the same
     * fraction taken together, n being their total: one threshold for all of them.
     */
    record Global(double fraction) implements PruneCriterion {
        public Global {
            checkFraction(fraction);
        }

        @Override
        public String toString() {
            return "g" + format(fraction);
        }
    }

    static PruneCriterion keep(double fraction) {
        return new KeepFraction(fraction);
    }

    static PruneCriterion quality(double q) {
        return new Quality(q);
    }

    static PruneCriterion global(double fraction) {
        return new Global(fraction);
    }

    /** "0.09" and "9%" keep a fraction, "q1.2" sets a quality factor, "g0.1" a global fraction. */
    static PruneCriterion parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("q")) {
                return quality(Double.parseDouble(t.substring(1)));
            }
            if (t.startsWith("g")) {
                return global(Double.parseDouble(t.substring(1)));
            }
            if (t.endsWith("%")) {
                return keep(Double.parseDouble(t.substring(0, t.length() - 1)) / 100);
            }
            return keep(Double.parseDouble(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is no pruning rule; write a keep fraction (0.09 or 9%),"
                    + " a quality factor (q1.2) or a global keep fraction (g0.1)", e);
        }
    }

    private static void checkFraction(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("keep fraction must lie in [0, 1], got " + fraction);
        }
    }

    private static String format(double v) {
        String s = Double.toString(v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
