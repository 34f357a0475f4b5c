// A canonical Huffman code given by its code lengths: building length-limited lengths, checking a set, assigning codes.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;

import java.util.Arrays;

/**
 * A canonical prefix code over the symbols {@code 0 .. lengths.length - 1}: symbol {@code s} has a
 * code of {@code lengths[s]} bits, or none when that is 0. Codes are assigned canonically (shorter
 * codes first, equal lengths in symbol order, consecutive values; the rule of RFC 1951 section
 * 3.2.2), so the lengths alone define the code and are all a stream needs to store.
 *
 * <p>A valid set of lengths is either complete (Kraft sum exactly 1), or has exactly one symbol,
 * whose code is then the single bit 0, or has no symbol at all (the code of an empty stream). No
 * length exceeds {@link #MAX_LENGTH}. Over-subscribed and incomplete sets are rejected: the
 * constructor throws {@link IllegalArgumentException}, {@link #fromLengths} a {@link FormatException}.
 */
public record HuffmanCode(int[] lengths) {

    /** The longest code any Condense stream may use; 16 bits code an alphabet of up to 65536 symbols. */
    public static final int MAX_LENGTH = 16;
    /** The limit {@link #build(long[])} applies. */
    public static final int DEFAULT_LENGTH_LIMIT = MAX_LENGTH;

    public HuffmanCode {
        lengths = lengths.clone();
        String problem = problem(lengths);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The code with these lengths, or a {@link FormatException} naming {@code source} when they are no valid code. */
    public static HuffmanCode fromLengths(int[] lengths, String source) throws FormatException {
        String problem = problem(lengths);
        if (problem != null) {
            throw new FormatException(source + ": " + problem);
        }
        return new HuffmanCode(lengths);
    }

    /** Optimal code lengths for these symbol frequencies, none longer than {@link #DEFAULT_LENGTH_LIMIT}. */
    public static HuffmanCode build(long[] frequencies) {
        return build(frequencies, DEFAULT_LENGTH_LIMIT);
    }

    /**
     * Code lengths that minimise the coded size {@code sum(frequency * length)} among all prefix
     * codes whose lengths are at most {@code lengthLimit} (1 to {@link #MAX_LENGTH}), by the
     * package-merge algorithm. Symbols of frequency 0 get no code. Deterministic: ties are broken
     * by symbol number. One used symbol gets length 1; none gives the empty code.
     */
    public static HuffmanCode build(long[] frequencies, int lengthLimit) {
        return new HuffmanCode(PackageMerge.lengths(frequencies, lengthLimit));
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    public int length(int symbol) {
        return lengths[symbol];
    }

    public int alphabetSize() {
        return lengths.length;
    }

    /** Number of symbols that have a code. */
    public int usedSymbols() {
        int used = 0;
        for (int l : lengths) {
            used += l > 0 ? 1 : 0;
        }
        return used;
    }

    /** The longest code length, 0 for the empty code. */
    public int maxLength() {
        int max = 0;
        for (int l : lengths) {
            max = Math.max(max, l);
        }
        return max;
    }

    /** The canonical codes: {@code codes()[s]} holds symbol s's code in its low {@code length(s)} bits. */
    public int[] codes() {
        int[] countOfLength = new int[MAX_LENGTH + 1];
        for (int l : lengths) {
            countOfLength[l]++;
        }
        countOfLength[0] = 0;
        int[] nextCode = new int[MAX_LENGTH + 1];
        int code = 0;
        for (int len = 1; len <= MAX_LENGTH; len++) {
            code = (code + countOfLength[len - 1]) << 1;
            nextCode[len] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            if (lengths[s] > 0) {
                codes[s] = nextCode[lengths[s]]++;
            }
        }
        return codes;
    }

    /** Total coded size in bits of a stream with these symbol frequencies. */
    public long codedBits(long[] frequencies) {
        long bits = 0;
        for (int s = 0; s < frequencies.length; s++) {
            if (frequencies[s] > 0) {
                if (s >= lengths.length || lengths[s] == 0) {
                    throw new IllegalArgumentException("symbol " + s + " occurs " + frequencies[s] + " times but has no code");
                }
                bits = Math.addExact(bits, Math.multiplyExact(frequencies[s], (long) lengths[s]));
            }
        }
        return bits;
    }

    public HuffmanEncoder encoder() {
        return new HuffmanEncoder(this);
    }

    public HuffmanDecoder decoder() {
        return new HuffmanDecoder(this);
    }

    /** What is wrong with these lengths as a code, or null when they are a valid one. */
    static String problem(int[] lengths) {
        long kraft = 0;
        int used = 0;
        int single = -1;
        for (int s = 0; s < lengths.length; s++) {
            int l = lengths[s];
            if (l < 0 || l > MAX_LENGTH) {
                return "symbol " + s + " has code length " + l + ", outside 0.." + MAX_LENGTH;
            }
            if (l > 0) {
                kraft += 1L << (MAX_LENGTH - l);
                used++;
                single = s;
            }
        }
        long full = 1L << MAX_LENGTH;
        if (used == 0) {
            return null;
        }
        if (used == 1) {
            return lengths[single] == 1 ? null
                    : "the only coded symbol " + single + " has length " + lengths[single] + ", a single symbol must have length 1";
        }
        if (kraft > full) {
            return "over-subscribed code: Kraft sum " + kraft + "/" + full + " exceeds 1 (" + used + " symbols)";
        }
        if (kraft < full) {
            return "incomplete code: Kraft sum " + kraft + "/" + full + " is below 1 (" + used + " symbols)";
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HuffmanCode other && Arrays.equals(lengths, other.lengths);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "HuffmanCode[alphabet=" + lengths.length + ", used=" + usedSymbols() + ", maxLength=" + maxLength() + "]";
    }
}
