// Stores a canonical Huffman code compactly as a run-length coded list of code lengths.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitReader;
import dev.condense.compress.bits.BitWriter;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The code-length table format (docs/FORMAT.md, "Huffman code-length table"). The lengths of
 * symbols 0, 1, 2, ... are written as 5-bit tokens, MSB-first:
 * <ul>
 *   <li>0 to 16: the length of the next symbol;</li>
 *   <li>{@value #ZERO_RUN}: the next r symbols have no code, r &ge; 1 following in Elias gamma code;</li>
 *   <li>{@value #REPEAT}: the next r symbols repeat the length of the previous symbol, r &ge; 1 in Elias gamma;</li>
 *   <li>19 to 31: invalid.</li>
 * </ul>
 * The table ends when all {@code alphabetSize} lengths are given (the alphabet size is known from
 * the context); a run may not pass it. A run token is used for a run of two or more.
 */
public final class CodeLengthTable {
    static final int TOKEN_BITS = 5;
    static final int ZERO_RUN = 17;
    static final int REPEAT = 18;
    /** Elias gamma prefixes longer than this cannot describe a run within an int-sized alphabet. */
    private static final int MAX_GAMMA_PREFIX = 30;

    private CodeLengthTable() {
    }

    /** Appends the table of {@code code}'s lengths to {@code out}. */
    public static void write(HuffmanCode code, BitWriter out) {
        int[] lengths = code.lengths();
        int s = 0;
        while (s < lengths.length) {
            int len = lengths[s];
            int run = 1;
            while (s + run < lengths.length && lengths[s + run] == len) {
                run++;
            }
            if (len == 0) {
                if (run >= 2) {
                    out.write(ZERO_RUN, TOKEN_BITS);
                    writeGamma(run, out);
                } else {
                    out.write(0, TOKEN_BITS);
                }
            } else {
                out.write(len, TOKEN_BITS);
                int repeats = run - 1;
                if (repeats >= 2) {
                    out.write(REPEAT, TOKEN_BITS);
                    writeGamma(repeats, out);
                } else if (repeats == 1) {
                    out.write(len, TOKEN_BITS);
                }
            }
            s += run;
        }
    }

    /** The table as bytes, padded with zero bits. */
    public static byte[] toBytes(HuffmanCode code) {
        BitWriter out = new BitWriter(16);
        write(code, out);
        return out.toByteArray();
    }

    /**
     * Reads a table of {@code alphabetSize} lengths (an alphabet the caller has already bounded:
     * the lengths array is allocated up front) and checks that they form a valid code
     * (not over-subscribed, not incomplete, no length above {@link HuffmanCode#MAX_LENGTH}).
     */
    public static HuffmanCode read(BitReader in, int alphabetSize) throws FormatException {
        int[] lengths = new int[alphabetSize];
        int s = 0;
        while (s < alphabetSize) {
            long tokenAt = in.position();
            int token = in.read(TOKEN_BITS);
            if (token <= HuffmanCode.MAX_LENGTH) {
                lengths[s++] = token;
            } else if (token == ZERO_RUN || token == REPEAT) {
                if (token == REPEAT && s == 0) {
                    throw new FormatException(in.source() + ": code-length table repeats a previous length at symbol 0 (bit "
                            + tokenAt + ")");
                }
                long run = readGamma(in);
                if (run > alphabetSize - s) {
                    throw new FormatException(in.source() + ": code-length table run of " + run + " at symbol " + s
                            + " passes the alphabet's end (" + alphabetSize + " symbols)");
                }
                int value = token == ZERO_RUN ? 0 : lengths[s - 1];
                for (int i = 0; i < run; i++) {
                    lengths[s++] = value;
                }
            } else {
                throw new FormatException(in.source() + ": code-length table token " + token + " at bit " + tokenAt
                        + " (symbol " + s + ") is invalid; tokens are 0.." + HuffmanCode.MAX_LENGTH + ", " + ZERO_RUN
                        + " (zero run) and " + REPEAT + " (repeat)");
            }
        }
        return HuffmanCode.fromLengths(lengths, in.source());
    }

    /**
     * Reads a table that fills exactly {@code byteLength} bytes of {@code bytes} from {@code offset}:
     * its last token ends in the last byte and the padding bits are zero.
     */
    public static HuffmanCode read(MemorySegment bytes, long offset, long byteLength, int alphabetSize, String source)
            throws FormatException {
        BitReader in = new BitReader(bytes, offset, byteLength * 8, source);
        HuffmanCode code = read(in, alphabetSize);
        long used = in.position();
        if ((used + 7) / 8 != byteLength) {
            throw new FormatException(source + ": code-length table ends after " + used + " bits but declares "
                    + byteLength + " bytes");
        }
        int padding = (int) (-used & 7);
        if (padding > 0 && (bytes.get(ValueLayout.JAVA_BYTE, offset + byteLength - 1) & ((1 << padding) - 1)) != 0) {
            throw new FormatException(source + ": code-length table padding bits are not zero");
        }
        return code;
    }

    /** Elias gamma code of {@code value} &ge; 1: as many zero bits as the value has bits after its leading 1, then the value. */
    private static void writeGamma(int value, BitWriter out) {
        int bits = 32 - Integer.numberOfLeadingZeros(value);
        out.write(0, bits - 1);
        out.write(value, bits);
    }

    private static long readGamma(BitReader in) throws FormatException {
        long start = in.position();
        int zeros = 0;
        while (!in.readBit()) {
            if (++zeros > MAX_GAMMA_PREFIX) {
                throw new FormatException(in.source() + ": code-length table run length at bit " + start
                        + " has a prefix of more than " + MAX_GAMMA_PREFIX + " zero bits");
            }
        }
        return (1L << zeros) | (in.read(zeros) & 0xFFFF_FFFFL);
    }
}
