// Reads an MSB-first bit stream from bytes (an array or a memory segment), never past the stream's declared length.
package dev.condense.compress.bits;

import dev.condense.compress.FormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads what {@link BitWriter} wrote. The stream is {@code bitLength} bits starting at a byte
 * offset; {@link #peek} may look past the end (it sees the padding, then zero bits) so a table
 * decoder can index with a fixed width, but {@link #skip} and {@link #read} refuse to consume a
 * bit beyond {@code bitLength} and throw a {@link FormatException} naming the stream.
 */
public final class BitReader {
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final MemorySegment bytes;
    private final long end;
    private final long bitLength;
    private final String source;
    private long position;
    private long nextByte;
    /**
     * The upcoming bits, left-aligned: the top {@code windowBits} are the next bits of the stream.
     * Bits below those are either zero or already the true bits that follow, so OR-ing the same
     * bytes in again on the next refill is harmless.
     */
    private long window;
    private int windowBits;

    /**
     * A reader of {@code bitLength} bits starting at byte {@code offset} of {@code bytes};
     * {@code source} names the stream in error messages (e.g. "tensors/3-fc1.weight: index stream").
     * The caller has checked that the bits fit; here that is a precondition.
     */
    public BitReader(MemorySegment bytes, long offset, long bitLength, String source) {
        long byteLength = (bitLength + 7) >>> 3;
        if (bitLength < 0 || offset < 0 || offset > bytes.byteSize() - byteLength) {
            throw new IllegalArgumentException(source + ": " + bitLength + " bits at byte " + offset
                    + " do not fit in " + bytes.byteSize() + " bytes");
        }
        this.bytes = bytes;
        this.end = offset + byteLength;
        this.bitLength = bitLength;
        this.source = source;
        this.nextByte = offset;
    }

    /** A reader of {@code bitLength} bits starting at {@code bytes[offset]}. */
    public BitReader(byte[] bytes, int offset, long bitLength, String source) {
        this(MemorySegment.ofArray(bytes), offset, bitLength, source);
    }

    /** A reader of all the bits of {@code bytes}. */
    public BitReader(byte[] bytes, String source) {
        this(bytes, 0, (long) bytes.length * 8, source);
    }

    /**
     * The next {@code bitCount} bits (1 to 32) as an unsigned integer, without consuming them.
     * Past the end of the stream the result is filled with whatever padding and zero bits follow.
     */
    public int peek(int bitCount) {
        if (windowBits < bitCount) {
            refill();
        }
        return (int) (window >>> (64 - bitCount));
    }

    /** Consumes {@code bitCount} bits (0 to 32) that the last {@link #peek} looked at or that are buffered. */
    public void skip(int bitCount) throws FormatException {
        if (bitCount > bitLength - position) {
            throw pastEnd(bitCount);
        }
        if (windowBits < bitCount) {
            refill();
        }
        window <<= bitCount;
        windowBits -= bitCount;
        position += bitCount;
    }

    /** Reads a field of {@code bitCount} bits (0 to 32), MSB first. */
    public int read(int bitCount) throws FormatException {
        if (bitCount == 0) {
            return 0;
        }
        if (bitCount < 0 || bitCount > 32) {
            throw new IllegalArgumentException("bit count " + bitCount + " outside 0..32");
        }
        int value = peek(bitCount);
        skip(bitCount);
        return value;
    }

    public boolean readBit() throws FormatException {
        return read(1) != 0;
    }

    /** Bits consumed so far. */
    public long position() {
        return position;
    }

    public long bitLength() {
        return bitLength;
    }

    public long remaining() {
        return bitLength - position;
    }

    /** The stream's name, as error messages quote it. */
    public String source() {
        return source;
    }

    /**
     * Checks that every bit was consumed and that the padding up to the next byte boundary is zero,
     * so one stream has exactly one encoding.
     */
    public void expectEnd() throws FormatException {
        if (position != bitLength) {
            throw new FormatException(source + ": " + (bitLength - position) + " of " + bitLength
                    + " bits left unread after the last symbol");
        }
        int padding = (int) (-bitLength & 7);
        int last = padding > 0 ? bytes.get(ValueLayout.JAVA_BYTE, end - 1) & 0xFF : 0;
        if ((last & ((1 << padding) - 1)) != 0) {
            throw new FormatException(source + ": padding bits after bit " + bitLength + " are not zero (last byte 0x"
                    + Integer.toHexString(last) + ")");
        }
    }

    private FormatException pastEnd(int bitCount) {
        return new FormatException(source + ": needs " + bitCount + " bits at bit " + position + " but the stream has "
                + bitLength + " bits (" + (bitLength - position) + " left)");
    }

    private void refill() {
        if (end - nextByte >= 8) {
            // Whole bytes that fit below the buffered bits; the partial one's bits are true bits too.
            long next = bytes.get(LONG_BE, nextByte);
            window |= next >>> windowBits;
            int taken = (63 - windowBits) >>> 3;
            nextByte += taken;
            windowBits += taken << 3;
        } else {
            while (windowBits <= 56) {
                long b = nextByte < end ? bytes.get(ValueLayout.JAVA_BYTE, nextByte) & 0xFF : 0;
                nextByte++;
                window |= b << (56 - windowBits);
                windowBits += 8;
            }
        }
    }
}
