// What calibration saw of one activation tensor: its extremes and a histogram of its magnitudes.
package dev.condense.quantize.int8;

/**
 * Filled in two passes when the method needs a histogram: the first finds the extremes, the
 * second bins |x| over {@code [0, max |x|]} into {@link #BINS} bins. Not thread-safe.
 */
public final class ActivationStats {

    /** Histogram resolution: the 2048 bins TensorRT's entropy calibration uses. */
    public static final int BINS = 2048;

    private final String tensor;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long count;
    private long[] histogram;
    private double binWidth;

    public ActivationStats(String tensor) {
        this.tensor = tensor;
    }

    public String tensor() {
        return tensor;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public long count() {
        return count;
    }

    /** First pass: extremes. NaN or infinite activations make the tensor unquantizable. */
    public void observeRange(float[] values) throws QuantizationException {
        double lo = min;
        double hi = max;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new QuantizationException("activation '" + tensor + "' holds " + v
                        + " on the calibration set; it cannot be given a finite range");
            }
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        min = lo;
        max = hi;
        count += values.length;
    }

    /** Second pass: after every {@link #observeRange} call. */
    public void observeHistogram(float[] values) {
        if (histogram == null) {
            histogram = new long[BINS];
            double absMax = Math.max(Math.abs(min), Math.abs(max));
            binWidth = absMax > 0 ? absMax / BINS : 1;
        }
        for (float v : values) {
            int b = (int) (Math.abs(v) / binWidth);
            histogram[Math.min(b, BINS - 1)]++;
        }
    }

    /** True when every observed value was at least 0 (a ReLU's output, say). */
    public boolean nonNegative() {
        return min >= 0;
    }

    /** The range {@code method} picks, clipped to what was observed. */
    public double[] range(CalibrationMethod method) throws QuantizationException {
        if (count == 0) {
            throw new QuantizationException("activation '" + tensor + "' was not observed during calibration");
        }
        double threshold = switch (method) {
            case CalibrationMethod.MinMax m -> Double.POSITIVE_INFINITY;
            case CalibrationMethod.Percentile p -> percentileThreshold(p.percentile());
            case CalibrationMethod.Entropy e -> entropyThreshold();
        };
        return new double[] {Math.max(min, -threshold), Math.min(max, threshold)};
    }

    private void requireHistogram() {
        if (histogram == null) {
            throw new IllegalStateException("no histogram pass for '" + tensor + "'");
        }
    }

    private double percentileThreshold(double percentile) {
        requireHistogram();
        long total = 0;
        for (long c : histogram) {
            total += c;
        }
        double target = total * percentile / 100.0;
        long running = 0;
        for (int i = 0; i < BINS; i++) {
            running += histogram[i];
            if (running >= target) {
                return (i + 1) * binWidth;
            }
        }
        return BINS * binWidth;
    }

    /**
     * The threshold T minimizing KL(P || Q), where P is the histogram up to T with the clipped mass
     * added to its last bin, and Q is P merged into as many levels as the quantized type has on
     * that side of zero (256 for a non-negative tensor, 128 otherwise) and spread back over the
     * bins that were non-empty.
     */
    private double entropyThreshold() {
        requireHistogram();
        int levels = nonNegative() ? 256 : 128;
        long total = 0;
        int lastNonEmpty = 0;
        for (int i = 0; i < BINS; i++) {
            total += histogram[i];
            if (histogram[i] > 0) {
                lastNonEmpty = i;
            }
        }
        if (total == 0 || lastNonEmpty < levels) {
            return (lastNonEmpty + 1) * binWidth;
        }
        double bestKl = Double.POSITIVE_INFINITY;
        int best = BINS;
        double[] p = new double[BINS];
        double[] q = new double[BINS];
        long[] above = new long[BINS + 1]; // above[t]: the mass in bins t and up, clipped at threshold t
        for (int i = BINS - 1; i >= 0; i--) {
            above[i] = above[i + 1] + histogram[i];
        }
        for (int t = levels; t <= BINS; t++) {
            long outliers = above[t];
            for (int i = 0; i < t; i++) {
                p[i] = histogram[i];
            }
            p[t - 1] += outliers;
            // Merge bins [0, t) into `levels` groups and spread each group's mass over its non-empty bins.
            for (int j = 0; j < levels; j++) {
                int start = (int) ((long) j * t / levels);
                int end = (int) ((long) (j + 1) * t / levels);
                double mass = 0;
                int nonEmpty = 0;
                for (int i = start; i < end; i++) {
                    mass += histogram[i];
                    if (histogram[i] > 0) {
                        nonEmpty++;
                    }
                }
                for (int i = start; i < end; i++) {
                    q[i] = histogram[i] > 0 ? mass / nonEmpty : 0;
                }
            }
            double kl = divergence(p, q, t);
            if (kl < bestKl) {
                bestKl = kl;
                best = t;
            }
        }
        return best * binWidth;
    }

    /** KL(P || Q) over the first {@code n} bins, both normalized; a bin with P > 0 and Q = 0 costs as if Q were tiny. */
    private static double divergence(double[] p, double[] q, int n) {
        double ps = 0;
        double qs = 0;
        for (int i = 0; i < n; i++) {
            ps += p[i];
            qs += q[i];
        }
        if (ps == 0 || qs == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int i = 0; i < n; i++) {
            if (p[i] > 0) {
                double pi = p[i] / ps;
                double qi = Math.max(q[i] / qs, 1e-12);
                kl += pi * Math.log(pi / qi);
            }
        }
        return kl;
    }
}
