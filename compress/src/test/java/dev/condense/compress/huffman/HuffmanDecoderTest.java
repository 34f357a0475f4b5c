// Tests of the table-driven Huffman decoder against a bit-by-bit reference decoder, on random and adversarial streams.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitReader;
import dev.condense.compress.bits.BitWriter;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuffmanDecoderTest {

    /** Encodes {@code symbols} with a code built from their frequencies; returns the code and the stream. */
    private record Coded(HuffmanCode code, byte[] bytes, long bitLength) {
    }

    private static Coded encode(int[] symbols, int alphabet, int limit) {
        long[] frequencies = new long[alphabet];
        for (int s : symbols) {
            frequencies[s]++;
        }
        HuffmanCode code = HuffmanCode.build(frequencies, limit);
        BitWriter out = new BitWriter();
        code.encoder().encode(symbols, 0, symbols.length, out);
        assertEquals(code.codedBits(frequencies), out.bitLength());
        return new Coded(code, out.toByteArray(), out.bitLength());
    }

    private static int[] decode(Coded c, int count) throws FormatException {
        BitReader in = new BitReader(c.bytes, 0, c.bitLength, "test");
        int[] out = new int[count];
        c.code.decoder().decode(in, out, 0, count);
        in.expectEnd();
        return out;
    }

    /** The reference twin: reads one bit at a time until the bits so far are a code. */
    private static int[] decodeBitByBit(Coded c, int count) throws FormatException {
        Map<Long, Integer> byLengthAndCode = new HashMap<>();
        int[] codes = c.code.codes();
        for (int s = 0; s < c.code.alphabetSize(); s++) {
            if (c.code.length(s) > 0) {
                byLengthAndCode.put((long) c.code.length(s) << 32 | codes[s], s);
            }
        }
        BitReader in = new BitReader(c.bytes, 0, c.bitLength, "reference");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            int value = 0;
            Integer symbol = null;
            for (int len = 1; symbol == null; len++) {
                value = value << 1 | in.read(1);
                symbol = byLengthAndCode.get((long) len << 32 | value);
            }
            out[i] = symbol;
        }
        return out;
    }

    private static int[] skewed(Random random, int count, int alphabet) {
        int[] symbols = new int[count];
        for (int i = 0; i < count; i++) {
            // Geometric-ish: small symbols common, large ones rare, so lengths spread out.
            double u = random.nextDouble();
            symbols[i] = (int) Math.min(alphabet - 1, Math.floor(-Math.log(1 - u) * alphabet / 12.0));
        }
        return symbols;
    }

    @Test
    void roundTripsRandomStreamsAndAgreesWithTheReferenceDecoder() throws FormatException {
        Random random = new Random(2024);
        for (int alphabet : new int[] {2, 3, 17, 32, 256, 1000, 4096}) {
            int[] symbols = skewed(random, 20_000, alphabet);
            Coded c = encode(symbols, alphabet, 16);
            assertArrayEquals(symbols, decode(c, symbols.length), "alphabet " + alphabet);
            assertArrayEquals(symbols, decodeBitByBit(c, symbols.length), "reference, alphabet " + alphabet);
        }
    }

    @Test
    void decodesAnAlphabetOf65536WithLongCodesBeyondTheTable() throws FormatException {
        Random random = new Random(5);
        int alphabet = 65536;
        int[] symbols = new int[200_000];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = random.nextInt(8) == 0 ? random.nextInt(alphabet) : random.nextInt(16);
        }
        symbols[0] = 0;
        symbols[1] = alphabet - 1;
        Coded c = encode(symbols, alphabet, 16);
        assertTrue(c.code.maxLength() > HuffmanDecoder.TABLE_BITS, "max length " + c.code.maxLength());
        assertArrayEquals(symbols, decode(c, symbols.length));
    }

    @Test
    void decodesMaximalLengthCodesFromFibonacciFrequencies() throws FormatException {
        long[] fib = new long[24];
        fib[0] = 1;
        fib[1] = 1;
        for (int s = 2; s < fib.length; s++) {
            fib[s] = fib[s - 1] + fib[s - 2];
        }
        for (int limit : new int[] {11, 16}) {
            HuffmanCode code = HuffmanCode.build(fib, limit);
            assertEquals(limit, code.maxLength());
            int[] symbols = new int[fib.length * 3];
            for (int i = 0; i < symbols.length; i++) {
                symbols[i] = i % fib.length;
            }
            BitWriter out = new BitWriter();
            code.encoder().encode(symbols, 0, symbols.length, out);
            Coded c = new Coded(code, out.toByteArray(), out.bitLength());
            assertArrayEquals(symbols, decode(c, symbols.length), "limit " + limit);
            assertArrayEquals(symbols, decodeBitByBit(c, symbols.length), "reference, limit " + limit);
        }
    }

    @Test
    void aSingleDistinctSymbolCostsOneBitEachAndOtherBitsAreRejected() throws FormatException {
        int[] symbols = new int[1000];
        Arrays.fill(symbols, 41);
        Coded c = encode(symbols, 64, 16);
        assertEquals(1000, c.bitLength);
        assertArrayEquals(symbols, decode(c, symbols.length));

        BitReader ones = new BitReader(new byte[] {(byte) 0x80}, 0, 1, "single");
        FormatException e = assertThrows(FormatException.class, () -> c.code.decoder().decode(ones));
        assertEquals("single: bits 1 at bit 0 are no code of this table (longest code 1 bits)", e.getMessage());
    }

    @Test
    void allSymbolsEqualFrequencyGivesFixedLengthCodes() throws FormatException {
        int[] symbols = new int[256 * 8];
        for (int i = 0; i < symbols.length; i++) {
            symbols[i] = i % 256;
        }
        Coded c = encode(symbols, 256, 16);
        assertEquals(8L * symbols.length, c.bitLength);
        assertArrayEquals(symbols, decode(c, symbols.length));
    }

    @Test
    void emptyStreamDecodesNothingAndEmptyCodeRefusesToDecode() throws FormatException {
        Coded c = encode(new int[0], 16, 16);
        assertEquals(0, c.bitLength);
        assertEquals(0, decode(c, 0).length);
        FormatException e = assertThrows(FormatException.class,
                () -> c.code.decoder().decode(new BitReader(new byte[1], "empty")));
        assertEquals("empty: a symbol is expected at bit 0 but the code table is empty", e.getMessage());
    }

    @Test
    void truncatedStreamFailsWithFormatException() {
        Random random = new Random(8);
        int[] symbols = skewed(random, 5000, 300);
        Coded c = encode(symbols, 300, 16);
        for (long cut : new long[] {0, 1, c.bitLength / 2, c.bitLength - 1}) {
            BitReader in = new BitReader(c.bytes, 0, cut, "cut");
            FormatException e = assertThrows(FormatException.class, () -> {
                for (int i = 0; i < symbols.length; i++) {
                    c.code.decoder().decode(in);
                }
            });
            assertTrue(e.getMessage().startsWith("cut: needs "), e.getMessage());
        }
    }

    @Test
    void encoderRejectsSymbolsWithoutCode() {
        HuffmanCode code = HuffmanCode.build(new long[] {1, 0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> code.encoder().encode(1, new BitWriter()));
        assertEquals("symbol 1 has no code in this table (alphabet of 3)", e.getMessage());
    }
}
