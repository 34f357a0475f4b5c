// Bilinear resampling of one float image plane, widened when shrinking so every source pixel counts.
package dev.condense.data;

/**
 * Resizes a row-major plane with a triangle (tent) filter on pixel centres: plain bilinear
 * interpolation when enlarging, and when shrinking by a factor {@code s} a tent {@code s} pixels
 * wide, so that every source pixel contributes and fine patterns average out instead of aliasing
 * (the behaviour of PIL's bilinear filter, which torchvision's training transforms use). The
 * filter is separable: rows first, then columns. Weights that fall outside the image are dropped
 * and the rest rescaled to sum to 1, so a constant image stays constant.
 */
final class BilinearResize {

    private BilinearResize() {
    }

    /** For each output position, the first source index and the weights of the source pixels from there. */
    private record Taps(int[] first, float[][] weights) {
    }

    /**
     * Each plane [inH, inW] -> [outH, outW]. Returns {@code planes} itself when the size is unchanged.
     */
    static float[][] resize(float[][] planes, int inH, int inW, int outH, int outW) {
        if (inH == outH && inW == outW) {
            return planes;
        }
        Taps horizontal = taps(inW, outW);
        Taps vertical = taps(inH, outH);
        float[][] result = new float[planes.length][];
        for (int c = 0; c < planes.length; c++) {
            result[c] = resize(planes[c], inH, inW, outH, outW, horizontal, vertical);
        }
        return result;
    }

    private static float[] resize(float[] plane, int inH, int inW, int outH, int outW, Taps horizontal,
                                  Taps vertical) {
        float[] rows = new float[Math.multiplyExact(inH, outW)];
        for (int y = 0; y < inH; y++) {
            int in = y * inW;
            int out = y * outW;
            for (int x = 0; x < outW; x++) {
                float[] w = horizontal.weights[x];
                int first = in + horizontal.first[x];
                float sum = 0;
                for (int k = 0; k < w.length; k++) {
                    sum += w[k] * plane[first + k];
                }
                rows[out + x] = sum;
            }
        }
        float[] result = new float[Math.multiplyExact(outH, outW)];
        for (int y = 0; y < outH; y++) {
            float[] w = vertical.weights[y];
            int first = vertical.first[y];
            int out = y * outW;
            for (int k = 0; k < w.length; k++) {
                float wk = w[k];
                int in = (first + k) * outW;
                for (int x = 0; x < outW; x++) {
                    result[out + x] += wk * rows[in + x];
                }
            }
        }
        return result;
    }

    /** Tent weights mapping {@code inLength} source pixels onto {@code outLength} output pixels. */
    private static Taps taps(int inLength, int outLength) {
        double scale = (double) inLength / outLength;
        double radius = Math.max(scale, 1.0);
        int[] first = new int[outLength];
        float[][] weights = new float[outLength][];
        for (int o = 0; o < outLength; o++) {
            // Output pixel o covers source coordinates [o*scale, (o+1)*scale); its centre is:
            double centre = (o + 0.5) * scale;
            int lo = Math.max(0, (int) Math.floor(centre - radius));
            int hi = Math.min(inLength - 1, (int) Math.ceil(centre + radius));
            double[] w = new double[hi - lo + 1];
            double total = 0;
            for (int i = lo; i <= hi; i++) {
                double distance = Math.abs(i + 0.5 - centre) / radius;
                w[i - lo] = Math.max(0.0, 1.0 - distance);
                total += w[i - lo];
            }
            float[] normalized = new float[w.length];
            for (int k = 0; k < w.length; k++) {
                normalized[k] = (float) (w[k] / total);
            }
            first[o] = lo;
            weights[o] = normalized;
        }
        return new Taps(first, weights);
    }
}
