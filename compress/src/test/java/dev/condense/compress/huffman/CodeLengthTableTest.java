// Tests of the code-length table: round trips, compactness, and rejection of malformed tables.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitReader;
import dev.condense.compress.bits.BitWriter;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodeLengthTableTest {

    private static HuffmanCode roundTrip(HuffmanCode code) throws FormatException {
        byte[] bytes = CodeLengthTable.toBytes(code);
        return CodeLengthTable.read(MemorySegment.ofArray(bytes), 0, bytes.length, code.alphabetSize(), "table");
    }

    @Test
    void roundTripsRandomCodes() throws FormatException {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int alphabet = 1 + random.nextInt(trial < 250 ? 400 : 70_000);
            long[] frequencies = new long[alphabet];
            int density = 1 + random.nextInt(10);
            for (int s = 0; s < alphabet; s++) {
                frequencies[s] = random.nextInt(density) == 0 ? 1 + random.nextInt(1 << random.nextInt(20)) : 0;
            }
            if (alphabet > 65536) {
                for (int s = 65536; s < alphabet; s++) {
                    frequencies[s] = 0;
                }
            }
            HuffmanCode code = HuffmanCode.build(frequencies);
            assertEquals(code, roundTrip(code), "trial " + trial);
        }
    }

    @Test
    void tablesAreCompact() throws FormatException {
        // 256 symbols of length 8: one literal, one repeat token and a 15-bit run of 255.
        long[] uniform = new long[256];
        java.util.Arrays.fill(uniform, 10);
        assertEquals(4, CodeLengthTable.toBytes(HuffmanCode.build(uniform)).length);

        // 65536 symbols, 40 used: dominated by zero runs.
        long[] sparse = new long[65536];
        Random random = new Random(3);
        for (int i = 0; i < 40; i++) {
            sparse[random.nextInt(65536)] = 1 + random.nextInt(100);
        }
        byte[] table = CodeLengthTable.toBytes(HuffmanCode.build(sparse));
        assertTrue(table.length < 40 * 5, "table of " + table.length + " bytes");
        assertEquals(HuffmanCode.build(sparse), roundTrip(HuffmanCode.build(sparse)));
    }

    @Test
    void emptyAndSingleSymbolCodesRoundTrip() throws FormatException {
        HuffmanCode empty = HuffmanCode.build(new long[1000]);
        assertEquals(empty, roundTrip(empty));
        long[] one = new long[1000];
        one[999] = 5;
        assertEquals(HuffmanCode.build(one), roundTrip(HuffmanCode.build(one)));
    }

    private static FormatException reject(int alphabet, int... fields) {
        // fields: pairs of (value, bits)
        BitWriter out = new BitWriter();
        for (int i = 0; i < fields.length; i += 2) {
            out.write(fields[i], fields[i + 1]);
        }
        byte[] bytes = out.toByteArray();
        return assertThrows(FormatException.class, () -> CodeLengthTable.read(new BitReader(bytes, 0, out.bitLength(), "t"), alphabet));
    }

    @Test
    void rejectsOverSubscribedIncompleteAndTooLongTables() {
        assertEquals("t: over-subscribed code: Kraft sum 98304/65536 exceeds 1 (3 symbols)",
                reject(3, 1, 5, 1, 5, 1, 5).getMessage());
        assertEquals("t: incomplete code: Kraft sum 49152/65536 is below 1 (2 symbols)",
                reject(3, 1, 5, 2, 5, 0, 5).getMessage());
        assertEquals("t: code-length table token 19 at bit 0 (symbol 0) is invalid; tokens are 0..16, 17 (zero run) and 18 (repeat)",
                reject(2, 19, 5).getMessage());
    }

    @Test
    void rejectsRunsPastTheAlphabetAndRepeatsWithoutAPreviousLength() {
        // Zero run of 5 (gamma 00101) in an alphabet of 4.
        assertEquals("t: code-length table run of 5 at symbol 0 passes the alphabet's end (4 symbols)",
                reject(4, 17, 5, 0b00101, 5).getMessage());
        assertEquals("t: code-length table repeats a previous length at symbol 0 (bit 0)",
                reject(4, 18, 5, 1, 1).getMessage());
        FormatException truncated = reject(4, 1, 5);
        assertTrue(truncated.getMessage().startsWith("t: needs 5 bits at bit 5"), truncated.getMessage());
        FormatException longPrefix = reject(4, 17, 5, 0, 31, 0, 1);
        assertTrue(longPrefix.getMessage().contains("prefix of more than 30 zero bits"), longPrefix.getMessage());
    }

    @Test
    void rejectsTrailingBytesAndDirtyPadding() {
        byte[] table = CodeLengthTable.toBytes(HuffmanCode.build(new long[] {1, 1}));
        // Two literal 1s: 10 bits in 2 bytes.
        assertEquals(2, table.length);
        byte[] longer = java.util.Arrays.copyOf(table, 3);
        FormatException e = assertThrows(FormatException.class,
                () -> CodeLengthTable.read(MemorySegment.ofArray(longer), 0, 3, 2, "t"));
        assertEquals("t: code-length table ends after 10 bits but declares 3 bytes", e.getMessage());
        table[1] |= 1;
        assertThrows(FormatException.class, () -> CodeLengthTable.read(MemorySegment.ofArray(table), 0, 2, 2, "t"));
    }
}
