// Writes symbols of a canonical Huffman code to a bit stream.
package dev.condense.compress.huffman;

import dev.condense.compress.bits.BitWriter;

/** The encoding half of a {@link HuffmanCode}: each symbol's code and length, looked up by symbol. */
public final class HuffmanEncoder {
    private final int[] codes;
    private final int[] lengths;

    HuffmanEncoder(HuffmanCode code) {
        this.codes = code.codes();
        this.lengths = code.lengths();
    }

    /** Appends the code of {@code symbol}; a symbol without a code is a caller's error. */
    public void encode(int symbol, BitWriter out) {
        int length = symbol >= 0 && symbol < lengths.length ? lengths[symbol] : 0;
        if (length == 0) {
            throw new IllegalArgumentException("symbol " + symbol + " has no code in this table (alphabet of "
                    + lengths.length + ")");
        }
        out.write(codes[symbol], length);
    }

    /** Appends the codes of {@code symbols[from .. from + count)}. */
    public void encode(int[] symbols, int from, int count, BitWriter out) {
        for (int i = from; i < from + count; i++) {
            encode(symbols[i], out);
        }
    }
}
