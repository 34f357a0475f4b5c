// Deep Compression's relative index: the positions of kept weights as bounded gaps, with filler entries for long gaps.
package dev.condense.compress.sparse;

import dev.condense.compress.FormatException;

import java.util.Arrays;

/**
 * The positions of the entries of a sparse tensor of {@code elementCount} weights, stored as gaps:
 * entry {@code i} sits at {@code position[i] = position[i-1] + gaps[i]} with {@code position[-1] = -1},
 * and every gap is between 1 and {@link #maxGap()} = {@code 2^relativeIndexBits}, so it fits in
 * {@code relativeIndexBits} bits as {@code gap - 1}.
 *
 * <p>Where two kept weights lie further apart than {@code maxGap}, a <em>filler</em> entry is placed
 * {@code maxGap} after the previous entry, as often as needed; a filler is an entry whose value is
 * zero (the value stream marks it, see {@code LayerCodec}). The end of the tensor counts as a kept
 * position at {@code elementCount}: fillers also bridge the zeros after the last kept weight, so
 * {@code elementCount - position[last] <= maxGap} always holds. That bounds the element count by
 * {@code (entries + 1) * maxGap}, which lets a reader check a declared count against the bytes
 * present before allocating the tensor.
 */
public record RelativeIndex(int relativeIndexBits, int elementCount, int[] gaps) {

    public static final int MIN_BITS = 1;
    public static final int MAX_BITS = 16;

    public RelativeIndex {
        checkBits(relativeIndexBits);
        if (elementCount < 0) {
            throw new IllegalArgumentException("element count " + elementCount + " is negative");
        }
        gaps = gaps.clone();
        String problem = problem(relativeIndexBits, elementCount, gaps, null);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * The index of the kept positions {@code positions} (strictly increasing, each in
     * {@code [0, elementCount)}), with the fillers the gaps require.
     */
    public static RelativeIndex of(int[] positions, int elementCount, int relativeIndexBits) {
        checkBits(relativeIndexBits);
        int maxGap = 1 << relativeIndexBits;
        int previous = -1;
        long entries = 0;
        for (int i = 0; i <= positions.length; i++) {
            int next = i < positions.length ? positions[i] : elementCount;
            if (next <= previous || (i < positions.length && next >= elementCount)) {
                throw new IllegalArgumentException("position " + next + " at " + i + " is not increasing within 0.."
                        + (elementCount - 1) + " (previous " + previous + ")");
            }
            entries += fillersBefore(next - (long) previous, maxGap) + (i < positions.length ? 1 : 0);
            previous = next;
        }
        if (entries > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(entries + " index entries do not fit in an array");
        }
        int[] gaps = new int[(int) entries];
        int e = 0;
        previous = -1;
        for (int i = 0; i <= positions.length; i++) {
            int next = i < positions.length ? positions[i] : elementCount;
            long gap = next - (long) previous;
            while (gap > maxGap) {
                gaps[e++] = maxGap;
                gap -= maxGap;
            }
            if (i < positions.length) {
                gaps[e++] = (int) gap;
            }
            previous = next;
        }
        return new RelativeIndex(relativeIndexBits, elementCount, gaps);
    }

    /** The index of the non-zero weights (a zero of either sign is a pruned weight). */
    public static RelativeIndex ofNonZeros(float[] weights, int relativeIndexBits) {
        int kept = 0;
        for (float w : weights) {
            kept += w != 0 ? 1 : 0;
        }
        int[] positions = new int[kept];
        int k = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] != 0) {
                positions[k++] = i;
            }
        }
        return of(positions, weights.length, relativeIndexBits);
    }

    /** The index of the positions where {@code mask} is true. */
    public static RelativeIndex ofMask(boolean[] mask, int relativeIndexBits) {
        int kept = 0;
        for (boolean m : mask) {
            kept += m ? 1 : 0;
        }
        int[] positions = new int[kept];
        int k = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                positions[k++] = i;
            }
        }
        return of(positions, mask.length, relativeIndexBits);
    }

    /**
     * The index stored as {@code gaps} (e.g. just decoded), or a {@link FormatException} naming
     * {@code source} when a gap is out of range, an entry falls outside the tensor or the last
     * entry leaves more than {@code maxGap} zeros at the end.
     */
    public static RelativeIndex fromGaps(int relativeIndexBits, int elementCount, int[] gaps, String source)
            throws FormatException {
        String problem = problem(relativeIndexBits, elementCount, gaps, source);
        if (problem != null) {
            throw new FormatException(problem);
        }
        return new RelativeIndex(relativeIndexBits, elementCount, gaps);
    }

    /** Number of filler entries a gap of {@code distance} positions needs: {@code (distance - 1) / maxGap}. */
    public static long fillersBefore(long distance, int maxGap) {
        return (distance - 1) / maxGap;
    }

    /**
     * Turns decoded {@code gaps} into entry positions <em>in place</em> (no second array for a
     * layer of 10^8 entries) and checks them as {@link #fromGaps} does; returns the same array.
     */
    public static int[] toPositions(int relativeIndexBits, int elementCount, int[] gaps, String source)
            throws FormatException {
        String problem = problem(relativeIndexBits, elementCount, gaps, source);
        if (problem != null) {
            throw new FormatException(problem);
        }
        int previous = -1;
        for (int i = 0; i < gaps.length; i++) {
            previous += gaps[i];
            gaps[i] = previous;
        }
        return gaps;
    }

    /** The largest gap one entry can express: {@code 2^relativeIndexBits}. */
    public int maxGap() {
        return 1 << relativeIndexBits;
    }

    public int entryCount() {
        return gaps.length;
    }

    @Override
    public int[] gaps() {
        return gaps.clone();
    }

    /** The position of every entry, fillers included, in increasing order. */
    public int[] positions() {
        int[] positions = new int[gaps.length];
        int previous = -1;
        for (int i = 0; i < gaps.length; i++) {
            previous += gaps[i];
            positions[i] = previous;
        }
        return positions;
    }

    private static void checkBits(int relativeIndexBits) {
        if (relativeIndexBits < MIN_BITS || relativeIndexBits > MAX_BITS) {
            throw new IllegalArgumentException("relativeIndexBits " + relativeIndexBits + " outside " + MIN_BITS + ".." + MAX_BITS);
        }
    }

    /** What is wrong with these gaps, or null. */
    private static String problem(int relativeIndexBits, int elementCount, int[] gaps, String source) {
        String where = source == null ? "" : source + ": ";
        if (relativeIndexBits < MIN_BITS || relativeIndexBits > MAX_BITS) {
            return where + "relativeIndexBits " + relativeIndexBits + " outside " + MIN_BITS + ".." + MAX_BITS;
        }
        int maxGap = 1 << relativeIndexBits;
        long position = -1;
        for (int i = 0; i < gaps.length; i++) {
            if (gaps[i] < 1 || gaps[i] > maxGap) {
                return where + "entry " + i + " has gap " + gaps[i] + ", outside 1.." + maxGap;
            }
            position += gaps[i];
            if (position >= elementCount) {
                return where + "entry " + i + " lands at position " + position + ", past the tensor's " + elementCount
                        + " elements";
            }
        }
        if (elementCount - position > maxGap) {
            return where + "the last entry is at position " + position + ", leaving " + (elementCount - 1 - position)
                    + " trailing elements without fillers (at most " + (maxGap - 1) + " allowed with "
                    + relativeIndexBits + "-bit gaps)";
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelativeIndex other && relativeIndexBits == other.relativeIndexBits
                && elementCount == other.elementCount && Arrays.equals(gaps, other.gaps);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * relativeIndexBits + elementCount) + Arrays.hashCode(gaps);
    }

    @Override
    public String toString() {
        return "RelativeIndex[relativeIndexBits=" + relativeIndexBits + ", elementCount=" + elementCount
                + ", entries=" + gaps.length + "]";
    }
}
