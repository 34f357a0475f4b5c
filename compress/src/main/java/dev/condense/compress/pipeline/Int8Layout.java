// Chooses how one int8 tensor is stored (dense or sparse at which relative-index width, Huffman-coded or not) from its exact sizes.
package dev.condense.compress.pipeline;

import dev.condense.compress.huffman.CodeLengthTable;
import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.sparse.RelativeIndex;

/**
 * An int8 tensor's layout and the exact size of its payload in the int8 encoding, computed from
 * symbol histograms as {@link LayerLayout} does for fp32 layers: for each candidate, the gap and
 * value counts {@link Int8Codec} would code, and the Huffman codes and code-length tables it would
 * build. A kept element is one that differs from its channel's zero point (a weight that does not
 * dequantize to 0); a filler carries the zero point of the position it lands on.
 *
 * @param sparse            store a relative index over the kept elements (else every element)
 * @param relativeIndexBits the index width b when sparse, else 0
 * @param huffman           Huffman-code the value stream (and the index stream when sparse)
 * @param bytes             the payload's size
 */
record Int8Layout(boolean sparse, int relativeIndexBits, boolean huffman, long bytes) {

    /**
     * The smallest layout of {@code values} (a tensor of {@code dims} quantized as {@code q}):
     * dense, then sparse at width {@code bitsRule} (every width when {@link LayerLayout#AUTO}), each
     * plain and, when {@code huffman}, Huffman-coded. Ties go to the earlier candidate, so sparse
     * and Huffman coding are chosen only when strictly smaller.
     */
    static Int8Layout choose(byte[] values, long[] dims, Int8Quantization q, boolean huffman, int lengthLimit, int bitsRule) {
        int n = values.length;
        long base = Int8Codec.HEADER_BYTES + 5L * q.channels();
        long inner = Math.max(1, q.inner(dims));
        int channels = Math.max(1, q.channels());
        byte[] zeroPoints = q.zeroPoints();
        boolean uniform = true;
        for (byte z : zeroPoints) {
            uniform &= z == zeroPoints[0];
        }
        int uniformSymbol = zeroPoints.length == 0 ? 0 : zeroPoints[0] & 0xFF;

        long[] allCounts = new long[256];
        long[] keptCounts = new long[256];
        int kept = 0;
        for (int p = 0; p < n; p++) {
            int symbol = values[p] & 0xFF;
            allCounts[symbol]++;
            int zero = uniform ? uniformSymbol : zeroPoints[(int) ((p / inner) % channels)] & 0xFF;
            if (symbol != zero) {
                keptCounts[symbol]++;
                kept++;
            }
        }
        int[] positions = new int[kept];
        for (int p = 0, k = 0; p < n; p++) {
            int zero = uniform ? uniformSymbol : zeroPoints[(int) ((p / inner) % channels)] & 0xFF;
            if ((values[p] & 0xFF) != zero) {
                positions[k++] = p;
            }
        }

        Int8Layout best = new Int8Layout(false, 0, false, base + n);
        if (huffman) {
            best = better(best, new Int8Layout(false, 0, true, base + huffmanBytes(allCounts, lengthLimit)));
        }
        int from = bitsRule == LayerLayout.AUTO ? RelativeIndex.MIN_BITS : bitsRule;
        int to = bitsRule == LayerLayout.AUTO ? RelativeIndex.MAX_BITS : bitsRule;
        for (int b = from; b <= to; b++) {
            int maxGap = 1 << b;
            long[] gapCounts = new long[maxGap];
            long[] valueCounts = keptCounts.clone();
            long fillers = 0;
            long previous = -1;
            for (int i = 0; i <= kept; i++) {
                long next = i < kept ? positions[i] : n;
                long distance = next - previous;
                long f = (distance - 1) >> b;
                if (f > 0) {
                    fillers += f;
                    gapCounts[maxGap - 1] += f;
                    if (uniform) {
                        valueCounts[uniformSymbol] += f;
                    } else {
                        for (long j = 1; j <= f; j++) {
                            long at = previous + (j << b);
                            valueCounts[zeroPoints[(int) ((at / inner) % channels)] & 0xFF]++;
                        }
                    }
                }
                if (i < kept) {
                    gapCounts[(int) (distance - (f << b) - 1)]++;
                }
                previous = next;
            }
            long entries = kept + fillers;
            long plain = base + 8 + (entries * b + 7) / 8 + entries;
            best = better(best, new Int8Layout(true, b, false, plain));
            if (huffman) {
                long coded = base + huffmanBytes(gapCounts, lengthLimit) + huffmanBytes(valueCounts, lengthLimit);
                best = better(best, new Int8Layout(true, b, true, coded));
            }
        }
        return best;
    }

    private static Int8Layout better(Int8Layout best, Int8Layout candidate) {
        return candidate.bytes() < best.bytes() ? candidate : best;
    }

    /** A Huffman-coded stream as the codec writes it: table length, table, bit length, bits. */
    private static long huffmanBytes(long[] counts, int lengthLimit) {
        HuffmanCode code = HuffmanCode.build(counts, lengthLimit);
        return 4 + CodeLengthTable.toBytes(code).length + 8 + (code.codedBits(counts) + 7) / 8;
    }
}
