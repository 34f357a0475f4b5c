// Which weights of one tensor survive pruning: a bitmap over the tensor's flat (row-major) positions.
package dev.condense.prune;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * A pruning mask for the initializer {@code tensorName}: bit {@code i % 64} of {@code words[i / 64]}
 * is set when flat position {@code i} is kept. Bits past the last position are zero, and
 * {@code kept} is the number of set bits; the constructor checks both. Immutable: the arrays are
 * copied in and out.
 */
public record Mask(String tensorName, long[] dims, long[] words, long kept) {

    public Mask {
        Objects.requireNonNull(tensorName, "tensorName");
        dims = dims.clone();
        words = words.clone();
        long size = Tensor.elementCount(dims);
        long expectedWords = wordCount(size);
        if (words.length != expectedWords) {
            throw new IllegalArgumentException("mask of '" + tensorName + "' " + Arrays.toString(dims) + " needs "
                    + expectedWords + " words, got " + words.length);
        }
        int tailBits = (int) (size % 64);
        if (tailBits != 0 && (words[words.length - 1] >>> tailBits) != 0) {
            throw new IllegalArgumentException("mask of '" + tensorName + "' sets bits past its " + size + " positions");
        }
        long counted = 0;
        for (long w : words) {
            counted += Long.bitCount(w);
        }
        if (counted != kept) {
            throw new IllegalArgumentException("mask of '" + tensorName + "' keeps " + counted + " positions, not " + kept);
        }
    }

    /** A mask from its bitmap, counting the kept positions. */
    public static Mask of(String tensorName, long[] dims, long[] words) {
        long kept = 0;
        for (long w : words) {
            kept += Long.bitCount(w);
        }
        return new Mask(tensorName, dims, words, kept);
    }

    /** A mask that keeps every position. */
    public static Mask keepAll(String tensorName, long[] dims) {
        long size = Tensor.elementCount(dims);
        long[] words = new long[Math.toIntExact(wordCount(size))];
        Arrays.fill(words, -1L);
        if (size % 64 != 0) {
            words[words.length - 1] = (1L << (size % 64)) - 1;
        }
        return new Mask(tensorName, dims, words, size);
    }

    /** A mask that keeps exactly the non-zero elements of an fp32 tensor (e.g. one pruned earlier). */
    public static Mask ofNonZero(Tensor weight) {
        requireFloat(weight);
        long size = weight.elementCount();
        long[] words = new long[Math.toIntExact(wordCount(size))];
        MemorySegment data = weight.data();
        for (long i = 0; i < size; i++) {
            if (data.getAtIndex(Tensor.FLOAT_LE, i) != 0f) {
                words[(int) (i >>> 6)] |= 1L << i;
            }
        }
        return of(weight.name(), weight.dims(), words);
    }

    static long wordCount(long size) {
        return (size + 63) >>> 6;
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public long[] words() {
        return words.clone();
    }

    /** Number of positions. */
    public long size() {
        return Tensor.elementCount(dims);
    }

    public long pruned() {
        return size() - kept;
    }

    /** kept / size; 1 for an empty tensor. */
    public double keptFraction() {
        long size = size();
        return size == 0 ? 1.0 : (double) kept / size;
    }

    public boolean isKept(long position) {
        Objects.checkIndex(position, size());
        return (words[(int) (position >>> 6)] & (1L << position)) != 0;
    }

    /** Positions kept by both masks (pruning again after retraining keeps what was pruned, pruned). */
    public Mask and(Mask other) {
        if (!Arrays.equals(dims, other.dims)) {
            throw new IllegalArgumentException("masks of '" + tensorName + "' " + Arrays.toString(dims) + " and '"
                    + other.tensorName + "' " + Arrays.toString(other.dims) + " differ in shape");
        }
        long[] both = new long[words.length];
        for (int i = 0; i < both.length; i++) {
            both[i] = words[i] & other.words[i];
        }
        return of(tensorName, dims, both);
    }

    /**
     * A new tensor equal to {@code weight} with +0 at every pruned position. {@code weight} must be
     * fp32 of this mask's dims; its name is kept.
     */
    public Tensor applyTo(Tensor weight) {
        requireFloat(weight);
        if (!Arrays.equals(dims, weight.dims())) {
            throw new IllegalArgumentException("mask of '" + tensorName + "' has shape " + Arrays.toString(dims)
                    + " but tensor '" + weight.name() + "' has " + Arrays.toString(weight.dims()));
        }
        long size = size();
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(Math.multiplyExact(size, 4L))]);
        MemorySegment.copy(weight.data(), 0, out, 0, out.byteSize());
        for (int w = 0; w < words.length; w++) {
            long prunedBits = ~words[w];
            long base = (long) w << 6;
            while (prunedBits != 0) {
                long position = base + Long.numberOfTrailingZeros(prunedBits);
                if (position >= size) {
                    break;
                }
                out.setAtIndex(Tensor.FLOAT_LE, position, 0f);
                prunedBits &= prunedBits - 1;
            }
        }
        return new Tensor(weight.name(), DataType.FLOAT, weight.dims(), out);
    }

    private static void requireFloat(Tensor weight) {
        if (weight.dtype() != DataType.FLOAT) {
            throw new IllegalArgumentException("tensor '" + weight.name() + "' is " + weight.dtype()
                    + "; masks apply to float32 weights");
        }
    }

    // Records compare arrays by identity; masks compare by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && tensorName.equals(m.tensorName) && Arrays.equals(dims, m.dims)
                && kept == m.kept && Arrays.equals(words, m.words);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tensorName, Arrays.hashCode(dims), Arrays.hashCode(words));
    }

    @Override
    public String toString() {
        return "Mask[" + tensorName + " " + Arrays.toString(dims) + ", kept " + kept + "]";
    }
}
