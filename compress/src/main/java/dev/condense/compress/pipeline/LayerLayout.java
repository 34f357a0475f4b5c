// Chooses how one layer is stored (sparse with which relative-index width, dense, or raw) by computing each candidate's exact size.
package dev.condense.compress.pipeline;

import dev.condense.compress.huffman.CodeLengthTable;
import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.SharedWeights;
import dev.condense.compress.sparse.RelativeIndex;

import java.util.Arrays;

/**
 * A layer's layout and the exact size of its payload. The sizes come from symbol histograms, not
 * from encoding: one pass over the weights collects the distances between kept weights and the
 * codebook-index counts, and each candidate width b then costs a pass over the distinct distances
 * and the Huffman codes {@link LayerCodec} would build (same frequencies, same limit, same
 * code-length tables), so the predicted size is the encoding's length to the byte.
 *
 * <p>Why measure rather than fix b: with Huffman coding the gap stream costs close to its entropy
 * whatever b is, while every filler a narrow b needs adds an index and a codebook symbol, so wide
 * indices win (on the zoo's AlexNet and VGG-16, 8 bits and more); at fixed width every entry pays
 * b bits, so narrow ones win (4 or 5 bits at 4-9% density). And where most weights are kept,
 * Huffman's floor of one bit per gap makes a dense layer (pruned weights as a zero codebook
 * symbol) smaller than a sparse one.
 *
 * @param raw               store the final weights as raw fp32 (4 bytes each)
 * @param sparse            store a relative index (else every position)
 * @param relativeIndexBits the index width b when sparse, else 0
 * @param bytes             the payload's size
 */
record LayerLayout(boolean raw, boolean sparse, int relativeIndexBits, long bytes) {

    /** An index-bits rule of this value lets the planner choose the width (1 to 16) with the smallest payload. */
    static final int AUTO = 0;

    /** Distances up to this many positions are counted in an array; longer ones (rare) in a list. */
    private static final int DIRECT_DISTANCES = 1 << RelativeIndex.MAX_BITS;

    /**
     * The smallest layout of {@code weights} (zero = pruned): sparse at width {@code bitsRule} (or
     * every width when {@link #AUTO}), dense, or raw fp32. {@code sharing} is null when kept
     * weights are stored as fp32. Ties go to the earlier candidate: sparse by ascending width,
     * then dense, then raw.
     */
    static LayerLayout choose(float[] weights, SharedWeights sharing, boolean huffman, int lengthLimit, int bitsRule) {
        int n = weights.length;
        int k = sharing == null ? 0 : sharing.size();
        long[] valueCounts = new long[k + 1]; // codebook indices of kept weights; the zero symbol k is filled per layout
        long[] shortDistances = new long[DIRECT_DISTANCES + 1];
        long[] longDistances = new long[16];
        int longCount = 0;
        int kept = 0;
        int previous = -1;
        for (int p = 0; p < n; p++) {
            if (weights[p] != 0) {
                int d = p - previous;
                if (d <= DIRECT_DISTANCES) {
                    shortDistances[d]++;
                } else {
                    if (longCount == longDistances.length) {
                        longDistances = Arrays.copyOf(longDistances, 2 * longCount);
                    }
                    longDistances[longCount++] = d;
                }
                if (sharing != null) {
                    valueCounts[sharing.indexAt(p)]++;
                }
                kept++;
                previous = p;
            }
        }
        long endDistance = n - (long) previous; // the end counts as a kept position at n, without an entry

        LayerLayout best = null;
        int from = bitsRule == AUTO ? RelativeIndex.MIN_BITS : bitsRule;
        int to = bitsRule == AUTO ? RelativeIndex.MAX_BITS : bitsRule;
        for (int b = from; b <= to; b++) {
            long maxGap = 1L << b;
            long[] gapCounts = new long[(int) maxGap];
            long fillers = 0;
            for (int d = 1; d <= DIRECT_DISTANCES; d++) {
                if (shortDistances[d] != 0) {
                    fillers += addGap(gapCounts, d, shortDistances[d], maxGap);
                }
            }
            for (int i = 0; i < longCount; i++) {
                fillers += addGap(gapCounts, longDistances[i], 1, maxGap);
            }
            long endFillers = (endDistance - 1) / maxGap;
            gapCounts[(int) maxGap - 1] += endFillers;
            fillers += endFillers;
            long entries = kept + fillers;

            long header = LayerCodec.HEADER_BYTES + 8 + (huffman ? 4 : 0);
            long tables = 0;
            long indexBits;
            if (huffman) {
                HuffmanCode code = HuffmanCode.build(gapCounts, lengthLimit);
                indexBits = code.codedBits(gapCounts);
                tables += CodeLengthTable.toBytes(code).length;
            } else {
                indexBits = entries * b;
            }
            Values values = values(valueCounts, k, fillers, entries, sharing != null, huffman, lengthLimit);
            long bytes = header + values.headerBytes() + 4L * k + tables + values.tableBytes() + (indexBits + 7) / 8
                    + (values.bits() + 7) / 8;
            if (best == null || bytes < best.bytes()) {
                best = new LayerLayout(false, true, b, bytes);
            }
        }
        if (sharing != null) {
            // Dense with codebook indices: every position an entry, pruned ones the zero symbol.
            Values values = values(valueCounts, k, n - kept, n, true, huffman, lengthLimit);
            long bytes = LayerCodec.HEADER_BYTES + values.headerBytes() + 4L * k + values.tableBytes() + (values.bits() + 7) / 8;
            if (bytes < best.bytes()) {
                best = new LayerLayout(false, false, 0, bytes);
            }
        }
        if (4L * n < best.bytes()) {
            best = new LayerLayout(true, false, 0, 4L * n);
        }
        return best;
    }

    /** Adds {@code count} distances of {@code d} positions to the gap counts; returns the fillers they need. */
    private static long addGap(long[] gapCounts, long d, long count, long maxGap) {
        long fillers = (d - 1) / maxGap;
        gapCounts[(int) (d - fillers * maxGap - 1)] += count;
        if (fillers > 0) {
            gapCounts[(int) maxGap - 1] += fillers * count;
        }
        return fillers * count;
    }

    /** The value section's parts: its length fields, code-length table and stream bits. */
    private record Values(long headerBytes, long tableBytes, long bits) {
    }

    /** The value section of {@code entries} entries of which {@code zeros} are zero, as {@link LayerCodec} writes it. */
    private static Values values(long[] valueCounts, int k, long zeros, long entries, boolean shared, boolean huffman,
                                 int lengthLimit) {
        if (!shared) {
            return new Values(0, 0, 32 * entries);
        }
        int alphabet = k + (zeros > 0 ? 1 : 0);
        long[] counts = Arrays.copyOf(valueCounts, alphabet);
        if (zeros > 0) {
            counts[k] = zeros;
        }
        if (huffman) {
            HuffmanCode code = HuffmanCode.build(counts, lengthLimit);
            return new Values(8 + 4, CodeLengthTable.toBytes(code).length, code.codedBits(counts));
        }
        int width = Math.max(1, 32 - Integer.numberOfLeadingZeros(alphabet - 1));
        return new Values(8, 0, entries * width);
    }
}
