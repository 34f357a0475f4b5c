// Tests of BitWriter and BitReader: MSB-first layout, round trips of random field widths, bounds.
package dev.condense.compress.bits;

import dev.condense.compress.FormatException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BitStreamTest {

    @Test
    void writesMostSignificantBitFirstAndPadsWithZeros() {
        BitWriter out = new BitWriter();
        out.write(0b101, 3);
        out.write(0b1, 1);
        out.write(0b11110000_1, 9);
        assertEquals(13, out.bitLength());
        assertEquals(2, out.byteLength());
        // 101 1 11110000 1 -> 1011_1111 0000_1000
        assertArrayEquals(new byte[] {(byte) 0b1011_1111, (byte) 0b0000_1000}, out.toByteArray());
    }

    @Test
    void roundTripsRandomFieldsOfEveryWidth() throws FormatException {
        Random random = new Random(42);
        int count = 20_000;
        int[] widths = new int[count];
        int[] values = new int[count];
        BitWriter out = new BitWriter(1);
        for (int i = 0; i < count; i++) {
            widths[i] = random.nextInt(33);
            values[i] = widths[i] == 0 ? 0 : random.nextInt() >>> (32 - widths[i]);
            out.write(values[i], widths[i]);
        }
        BitReader in = new BitReader(out.toByteArray(), 0, out.bitLength(), "test");
        for (int i = 0; i < count; i++) {
            assertEquals(values[i], in.read(widths[i]), "field " + i + " of " + widths[i] + " bits");
        }
        assertEquals(out.bitLength(), in.position());
        in.expectEnd();
    }

    @Test
    void peekDoesNotConsumeAndSeesZerosPastTheEnd() throws FormatException {
        BitReader in = new BitReader(new byte[] {(byte) 0xA5}, "one byte");
        assertEquals(0xA5, in.peek(8));
        assertEquals(0xA5 << 8, in.peek(16));
        assertEquals(0, in.position());
        assertEquals(0b1010, in.read(4));
        assertEquals(0b0101_0000_0000, in.peek(12));
    }

    @Test
    void readingPastTheDeclaredLengthIsAFormatExceptionQuotingThePosition() throws FormatException {
        BitReader in = new BitReader(new byte[] {(byte) 0xFF, (byte) 0xFF}, 0, 10, "index stream");
        assertEquals(0xFF, in.read(8));
        FormatException e = assertThrows(FormatException.class, () -> in.read(3));
        assertEquals("index stream: needs 3 bits at bit 8 but the stream has 10 bits (2 left)", e.getMessage());
        assertEquals(3, in.read(2));
        assertThrows(FormatException.class, in::readBit);
    }

    @Test
    void expectEndRejectsUnreadBitsAndNonZeroPadding() throws FormatException {
        BitReader partial = new BitReader(new byte[] {(byte) 0b1100_0000}, 0, 3, "s");
        partial.read(2);
        FormatException unread = assertThrows(FormatException.class, partial::expectEnd);
        assertTrue(unread.getMessage().contains("1 of 3 bits left unread"), unread.getMessage());

        BitReader dirty = new BitReader(new byte[] {(byte) 0b1100_0001}, 0, 3, "s");
        dirty.read(3);
        FormatException padding = assertThrows(FormatException.class, dirty::expectEnd);
        assertTrue(padding.getMessage().contains("padding bits after bit 3 are not zero (last byte 0xc1)"), padding.getMessage());
    }

    @Test
    void readsAWindowInsideALargerArray() throws FormatException {
        byte[] bytes = new byte[40];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        BitReader in = new BitReader(bytes, 13, 16 * 8, "window");
        for (int i = 13; i < 29; i++) {
            assertEquals(i, in.read(8));
        }
        assertThrows(FormatException.class, () -> in.read(1));
    }

    @Test
    void writerRejectsValuesWiderThanTheField() {
        BitWriter out = new BitWriter();
        assertThrows(IllegalArgumentException.class, () -> out.write(4, 2));
        assertThrows(IllegalArgumentException.class, () -> out.write(1, 33));
        out.write(-1, 32);
        assertEquals(32, out.bitLength());
    }

    @Test
    void readerRejectsAStreamLongerThanItsBytes() {
        assertThrows(IllegalArgumentException.class, () -> new BitReader(new byte[2], 1, 9, "s"));
    }
}
