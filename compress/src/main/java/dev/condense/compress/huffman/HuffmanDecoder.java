// Decodes a canonical Huffman code with a lookup table on the first bits and canonical ranges for longer codes.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitReader;

/**
 * The decoding half of a {@link HuffmanCode}. One peek of {@code maxLength} bits per symbol: its
 * first {@link #TABLE_BITS} (or fewer) bits index a table whose entry holds the symbol and its length
 * for every code that short; a longer code is found by comparing its prefixes with the first code of
 * each length (canonical codes of one length are consecutive integers). No per-bit tree walk.
 */
public final class HuffmanDecoder {
    /** Width of the direct lookup table: 1024 entries cover codes of up to 10 bits. */
    public static final int TABLE_BITS = 10;

    private final int maxLength;
    private final int tableBits;
    /** Entry {@code symbol << 5 | length} for a code of at most tableBits bits; 0 when the code is longer or absent. */
    private final int[] table;
    private final int[] firstCode = new int[HuffmanCode.MAX_LENGTH + 1];
    private final int[] countOfLength = new int[HuffmanCode.MAX_LENGTH + 1];
    private final int[] firstIndex = new int[HuffmanCode.MAX_LENGTH + 1];
    /** Symbols ordered by (length, symbol): canonical order. */
    private final int[] sortedSymbols;

    HuffmanDecoder(HuffmanCode code) {
        int[] lengths = code.lengths();
        int[] codes = code.codes();
        maxLength = code.maxLength();
        tableBits = Math.min(maxLength, TABLE_BITS);
        table = new int[1 << tableBits];
        for (int s = 0; s < lengths.length; s++) {
            countOfLength[lengths[s]]++;
        }
        countOfLength[0] = 0;
        int index = 0;
        for (int len = 1; len <= HuffmanCode.MAX_LENGTH; len++) {
            firstIndex[len] = index;
            index += countOfLength[len];
        }
        sortedSymbols = new int[index];
        int[] fill = firstIndex.clone();
        for (int s = 0; s < lengths.length; s++) {
            int len = lengths[s];
            if (len == 0) {
                continue;
            }
            if (fill[len] == firstIndex[len]) {
                firstCode[len] = codes[s];
            }
            sortedSymbols[fill[len]++] = s;
            if (len <= tableBits) {
                int start = codes[s] << (tableBits - len);
                int span = 1 << (tableBits - len);
                int entry = s << 5 | len;
                for (int i = start; i < start + span; i++) {
                    table[i] = entry;
                }
            }
        }
    }

    /** Reads one symbol; a bit pattern that is no code, or a code running past the stream's end, is a {@link FormatException}. */
    public int decode(BitReader in) throws FormatException {
        if (maxLength == 0) {
            throw new FormatException(in.source() + ": a symbol is expected at bit " + in.position()
                    + " but the code table is empty");
        }
        int bits = in.peek(maxLength);
        int entry = table[bits >>> (maxLength - tableBits)];
        if (entry != 0) {
            in.skip(entry & 31);
            return entry >>> 5;
        }
        return decodeLong(in, bits);
    }

    /** Reads {@code count} symbols into {@code out[from ..]}. */
    public void decode(BitReader in, int[] out, int from, int count) throws FormatException {
        for (int i = from; i < from + count; i++) {
            out[i] = decode(in);
        }
    }

    /** The longest code length, the number of bits {@link #decode} peeks at. */
    public int maxLength() {
        return maxLength;
    }

    private int decodeLong(BitReader in, int bits) throws FormatException {
        for (int len = tableBits + 1; len <= maxLength; len++) {
            int offset = (bits >>> (maxLength - len)) - firstCode[len];
            if (offset >= 0 && offset < countOfLength[len]) {
                in.skip(len);
                return sortedSymbols[firstIndex[len] + offset];
            }
        }
        String pattern = Integer.toBinaryString(bits | 1 << maxLength).substring(1);
        throw new FormatException(in.source() + ": bits " + pattern + " at bit " + in.position()
                + " are no code of this table (longest code " + maxLength + " bits)");
    }
}
