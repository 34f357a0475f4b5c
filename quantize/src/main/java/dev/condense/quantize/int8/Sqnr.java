// Signal-to-quantization-noise ratio accumulated over batches.
package dev.condense.quantize.int8;

/** Sums signal and noise energy in double precision; {@link #db()} is +∞ for an exact match. */
public final class Sqnr {

    private double signal;
    private double noise;

    public void add(float[] reference, float[] quantized) {
        if (reference.length != quantized.length) {
            throw new IllegalArgumentException(reference.length + " reference values against " + quantized.length);
        }
        double s = 0;
        double n = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i];
            double d = r - quantized[i];
            s += r * r;
            n += d * d;
        }
        signal += s;
        noise += n;
    }

    public double db() {
        if (noise == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (signal == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return 10 * Math.log10(signal / noise);
    }
}
