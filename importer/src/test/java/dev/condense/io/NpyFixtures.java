// Builds .npy files byte by byte from the format description, for tests that must not trust the writer.
package dev.condense.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Hand-made .npy bytes: magic, version, header length, a header padded to a chosen alignment, data. */
final class NpyFixtures {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private NpyFixtures() {
    }

    /**
     * A well-formed file of format {@code major}.0 whose header is {@code dict} padded with spaces
     * and a newline so the data starts at a multiple of {@code alignment}.
     */
    static byte[] npy(int major, String dict, int alignment, byte[] data) {
        int preamble = major == 1 ? 10 : 12;
        int unpadded = preamble + dict.length() + 1;
        int total = (unpadded + alignment - 1) / alignment * alignment;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        return npyRaw(major, 0, header.length(), header.getBytes(StandardCharsets.ISO_8859_1), data);
    }

    /** A file with exactly the given version, declared header length, header bytes and data. */
    static byte[] npyRaw(int major, int minor, long declaredHeaderLength, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(major);
        out.write(minor);
        ByteBuffer length = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            length.putShort((short) declaredHeaderLength);
        } else {
            length.putInt((int) declaredHeaderLength);
        }
        out.writeBytes(length.array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A buffer of {@code size} bytes in {@code order}, to put elements into. */
    static ByteBuffer buffer(int size, ByteOrder order) {
        return ByteBuffer.allocate(size).order(order);
    }

    static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = buffer(values.length * 4, order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer b = buffer(values.length * 8, order);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    static byte[] ints(ByteOrder order, int... values) {
        ByteBuffer b = buffer(values.length * 4, order);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    static byte[] longs(ByteOrder order, long... values) {
        ByteBuffer b = buffer(values.length * 8, order);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    static byte[] shorts(ByteOrder order, int... values) {
        ByteBuffer b = buffer(values.length * 2, order);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }
}
