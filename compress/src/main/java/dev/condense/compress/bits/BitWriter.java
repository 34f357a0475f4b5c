// Writes bit fields most-significant-bit first into a growing byte array, the bit order of every Condense stream.
package dev.condense.compress.bits;

import java.util.Arrays;

/**
 * An append-only bit stream. Bits fill each byte from its most significant bit down (MSB-first),
 * and a field of {@code n} bits is written with its own most significant bit first, so a canonical
 * Huffman code reads back as the integer it was assigned. The last byte is padded with zero bits.
 */
public final class BitWriter {
    private byte[] bytes;
    private int byteCount;
    /** Bits not yet flushed to {@code bytes}, right-aligned; fewer than 8 between calls. */
    private long pending;
    private int pendingBits;

    public BitWriter() {
        this(64);
    }

    public BitWriter(int initialCapacity) {
        bytes = new byte[Math.max(8, initialCapacity)];
    }

    /** Appends the low {@code bitCount} bits of {@code value} (0 to 32 bits; higher bits must be zero). */
    public void write(int value, int bitCount) {
        if (bitCount < 0 || bitCount > 32) {
            throw new IllegalArgumentException("bit count " + bitCount + " outside 0..32");
        }
        long field = value & 0xFFFF_FFFFL;
        if ((field >>> bitCount) != 0) {
            throw new IllegalArgumentException("value " + field + " does not fit in " + bitCount + " bits");
        }
        if (bytes.length - byteCount < 5) {
            grow(5);
        }
        pending = (pending << bitCount) | field;
        pendingBits += bitCount;
        while (pendingBits >= 8) {
            pendingBits -= 8;
            bytes[byteCount++] = (byte) (pending >>> pendingBits);
        }
        pending &= (1L << pendingBits) - 1;
    }

    /** Appends one bit. */
    public void writeBit(boolean bit) {
        write(bit ? 1 : 0, 1);
    }

    /** Number of bits written so far. */
    public long bitLength() {
        return (long) byteCount * 8 + pendingBits;
    }

    /** Number of bytes {@link #toByteArray()} returns: the bits rounded up to whole bytes. */
    public int byteLength() {
        return byteCount + (pendingBits > 0 ? 1 : 0);
    }

    /** The bits written so far, the last byte padded with zero bits. */
    public byte[] toByteArray() {
        byte[] out = Arrays.copyOf(bytes, byteLength());
        if (pendingBits > 0) {
            out[byteCount] = (byte) (pending << (8 - pendingBits));
        }
        return out;
    }

    private void grow(int needed) {
        long wanted = Math.max((long) bytes.length * 2, (long) byteCount + needed);
        if (wanted > Integer.MAX_VALUE - 8) {
            wanted = Integer.MAX_VALUE - 8;
            if (wanted < (long) byteCount + needed) {
                throw new IllegalStateException("bit stream longer than " + wanted + " bytes");
            }
        }
        bytes = Arrays.copyOf(bytes, (int) wanted);
    }
}
