// Builds IDX file contents (plain or gzip) for tests, including deliberately corrupt ones.
package dev.condense.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

final class IdxFiles {

    private IdxFiles() {
    }

    /** A file of {@code magic}, big-endian {@code dims}, then {@code elements}. */
    static byte[] idx(int magic, int[] dims, byte[] elements) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + elements.length);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        b.put(elements);
        return b.array();
    }

    static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return idx(IdxReader.UINT8_IMAGES, new int[] {count, rows, cols}, pixels);
    }

    static byte[] labels(byte[] labels) {
        return idx(IdxReader.UINT8_LABELS, new int[] {labels.length}, labels);
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
