// How an activation's quantization range is chosen from what calibration observed.
package dev.condense.quantize.int8;

import java.util.Locale;

/** The three calibration methods: the observed extremes, a percentile of magnitudes, or minimum KL divergence. */
public sealed interface CalibrationMethod {

    /** The observed minimum and maximum: no clipping, coarsest steps when outliers exist. */
    record MinMax() implements CalibrationMethod {
        @Override
        public String label() {
            return "minmax";
        }
    }

    /** Clips magnitudes above the given percentile (e.g. 99.99) of all observed |x|. */
    record Percentile(double percentile) implements CalibrationMethod {
        public Percentile {
            if (!(percentile > 50 && percentile <= 100)) {
                throw new IllegalArgumentException("percentile " + percentile + " is outside (50, 100]");
            }
        }

        @Override
        public String label() {
            return "percentile " + percentile;
        }
    }

    /**
     * The clipping threshold whose quantized histogram is closest, in KL divergence, to the observed
     * one (the entropy calibration TensorRT introduced for int8 inference).
     */
    record Entropy() implements CalibrationMethod {
        @Override
        public String label() {
            return "entropy";
        }
    }

    /** Whether the method needs a histogram, that is a second pass over the calibration set. */
    default boolean needsHistogram() {
        return !(this instanceof MinMax);
    }

    String label();

    static CalibrationMethod parse(String name, double percentile) throws QuantizationException {
        try {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "minmax", "min-max" -> new MinMax();
                case "percentile" -> new Percentile(percentile);
                case "entropy", "kl" -> new Entropy();
                default -> throw new QuantizationException("calibration method '" + name
                        + "' is unknown; use minmax, percentile or entropy");
            };
        } catch (IllegalArgumentException e) {
            throw new QuantizationException(e.getMessage());
        }
    }
}
