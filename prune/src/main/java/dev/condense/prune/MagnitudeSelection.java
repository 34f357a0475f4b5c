// Linear-time selection of the largest weight magnitudes across one or more fp32 tensors, and the masks that keep them.
package dev.condense.prune;

import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Magnitudes are compared through their IEEE-754 bits with the sign cleared ({@code key}), which
 * order exactly as the magnitudes do. The k-th largest key is found by a two-pass radix
 * selection: a histogram of the high 16 bits finds the bucket that holds it, a histogram of the
 * low 16 bits inside that bucket finds the key. That is two reads of the data and 96K counters,
 * whatever the layer size (VGG's fc6 has 102.8M weights); nothing is sorted or boxed.
 */
final class MagnitudeSelection {

    /** Largest key of a finite or infinite float; anything above is a NaN. */
    static final int INFINITY_KEY = 0x7F80_0000;
    private static final int CHUNK = 1 << 14;

    private MagnitudeSelection() {
    }

    /**
     * Keep every weight whose key is above {@code key}, and the first {@code ties} weights (in layer
     * order, then flat order) whose key equals it. A key above {@link #INFINITY_KEY} keeps nothing.
     */
    record Cut(int key, long ties) {

        /** Keep every weight whose magnitude is at least {@code threshold}. */
        static Cut atLeast(double threshold) {
            if (!(threshold > 0)) {
                return new Cut(0, Long.MAX_VALUE);
            }
            float f = (float) threshold;
            if (f < threshold) {
                f = Math.nextUp(f);
            }
            return new Cut(Float.floatToRawIntBits(f), Long.MAX_VALUE);
        }

        /** The smallest magnitude kept: kept weights have |w| >= this, pruned ones |w| <= this. */
        double threshold() {
            return key > INFINITY_KEY ? Double.POSITIVE_INFINITY : Float.intBitsToFloat(key);
        }
    }

    /**
     * The cut that keeps exactly {@code k} of the weights of {@code weights} taken together: the
     * {@code k} largest magnitudes, ties broken by position. Throws when a weight is NaN.
     */
    static Cut largest(List<Tensor> weights, long k) {
        long total = 0;
        for (Tensor w : weights) {
            total = Math.addExact(total, w.elementCount());
        }
        if (k < 0 || k > total) {
            throw new IllegalArgumentException("cannot keep " + k + " of " + total + " weights");
        }
        if (k == 0) {
            return new Cut(Integer.MAX_VALUE, 0);
        }
        long[] high = new long[1 << 15];
        int[] buffer = new int[CHUNK];
        for (Tensor w : weights) {
            MemorySegment data = w.data();
            long size = w.elementCount();
            for (long start = 0; start < size; start += CHUNK) {
                int len = (int) Math.min(CHUNK, size - start);
                MemorySegment.copy(data, Tensor.INT_LE, start * 4, buffer, 0, len);
                for (int i = 0; i < len; i++) {
                    int key = buffer[i] & 0x7FFF_FFFF;
                    if (key > INFINITY_KEY) {
                        throw new IllegalArgumentException("weight '" + w.name() + "' holds NaN at flat position "
                                + (start + i) + "; magnitude pruning needs numbers");
                    }
                    high[key >>> 16]++;
                }
            }
        }
        long above = 0;
        int bucket = high.length - 1;
        while (above + high[bucket] < k) {
            above += high[bucket];
            bucket--;
        }
        long[] low = new long[1 << 16];
        for (Tensor w : weights) {
            MemorySegment data = w.data();
            long size = w.elementCount();
            for (long start = 0; start < size; start += CHUNK) {
                int len = (int) Math.min(CHUNK, size - start);
                MemorySegment.copy(data, Tensor.INT_LE, start * 4, buffer, 0, len);
                for (int i = 0; i < len; i++) {
                    int key = buffer[i] & 0x7FFF_FFFF;
                    if (key >>> 16 == bucket) {
                        low[key & 0xFFFF]++;
                    }
                }
            }
        }
        int lowBits = low.length - 1;
        while (above + low[lowBits] < k) {
            above += low[lowBits];
            lowBits--;
        }
        return new Cut((bucket << 16) | lowBits, k - above);
    }

    /** The masks of {@code weights} under {@code cut}, ties handed out in list order. */
    static List<Mask> masks(List<Tensor> weights, Cut cut) {
        List<Mask> out = new ArrayList<>(weights.size());
        long tiesLeft = cut.ties();
        int[] buffer = new int[CHUNK];
        for (Tensor w : weights) {
            long size = w.elementCount();
            long[] words = new long[Math.toIntExact(Mask.wordCount(size))];
            long kept = 0;
            for (long start = 0; start < size; start += CHUNK) {
                int len = (int) Math.min(CHUNK, size - start);
                MemorySegment.copy(w.data(), Tensor.INT_LE, start * 4, buffer, 0, len);
                for (int i = 0; i < len; i++) {
                    int key = buffer[i] & 0x7FFF_FFFF;
                    boolean keep = key > cut.key();
                    if (key == cut.key() && tiesLeft > 0) {
                        keep = true;
                        tiesLeft--;
                    }
                    if (keep) {
                        long position = start + i;
                        words[(int) (position >>> 6)] |= 1L << position;
                        kept++;
                    }
                }
            }
            out.add(new Mask(w.name(), w.dims(), words, kept));
        }
        return out;
    }

    /** Population standard deviation of the weights, computed in double in two passes. */
    static double standardDeviation(Tensor weight) {
        long size = weight.elementCount();
        if (size == 0) {
            return 0;
        }
        float[] buffer = new float[CHUNK];
        double sum = 0;
        for (long start = 0; start < size; start += CHUNK) {
            int len = (int) Math.min(CHUNK, size - start);
            MemorySegment.copy(weight.data(), Tensor.FLOAT_LE, start * 4, buffer, 0, len);
            for (int i = 0; i < len; i++) {
                sum += buffer[i];
            }
        }
        double mean = sum / size;
        double squares = 0;
        for (long start = 0; start < size; start += CHUNK) {
            int len = (int) Math.min(CHUNK, size - start);
            MemorySegment.copy(weight.data(), Tensor.FLOAT_LE, start * 4, buffer, 0, len);
            for (int i = 0; i < len; i++) {
                double d = buffer[i] - mean;
                squares += d * d;
            }
        }
        return Math.sqrt(squares / size);
    }
}
