// Reads uint8 IDX files (the MNIST family's images and labels), plain or gzip, checking every size.
package dev.condense.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * IDX is a big-endian header, the magic {@code 0x0000 TT NN} (element type TT, NN dimensions) and
 * NN int32 sizes, followed by the elements in row-major order. Condense reads the two uint8 forms
 * the MNIST family uses: labels (0x00000801, one dimension) and images
 * (0x00000803, three: count, rows, columns). A file is gzip when it starts with
 * the gzip magic bytes {@code 1f 8b}, whatever its name.
 *
 * <p>Sizes from the header are multiplied with overflow checks and compared with the bytes present
 * before the element array is allocated: exactly for a plain file; for gzip, against the most
 * DEFLATE can expand the compressed bytes (1032:1), after which a short
 * stream is reported with the counts expected and found. Bytes past the described elements are an
 * error too, since they mean the header and the data disagree.
 */
public final class IdxReader {

    /** Magic of a uint8 vector: MNIST-family labels. */
    public static final int UINT8_LABELS = 0x00000801;
    /** Magic of a uint8 rank-3 array: MNIST-family images, [count, rows, columns]. */
    public static final int UINT8_IMAGES = 0x00000803;
    /** Largest expansion of DEFLATE (a run-length-coded stream of one repeated byte). */
    public static final int MAX_DEFLATE_RATIO = 1032;
    /** Largest Java byte array the element data can go into. */
    public static final int MAX_ELEMENT_BYTES = Integer.MAX_VALUE - 8;

    private static final int READ_CHUNK = 1 << 16;

    private IdxReader() {
    }

    /**
     * Images from an IDX file of magic 0x00000803.
     *
     * @param pixels {@code count*rows*cols} bytes, image after image, row-major; the reader's array, not copied
     */
    public record Images(Path file, int count, int rows, int cols, byte[] pixels) {
        public Images {
            if (pixels.length != (long) count * rows * cols) {
                throw new IllegalArgumentException(file + ": " + count + " images of " + rows + "x" + cols
                        + " need " + (long) count * rows * cols + " bytes, got " + pixels.length);
            }
        }

        @Override
        public String toString() {
            return file + ": " + count + " images of " + rows + "x" + cols;
        }
    }

    /**
     * Labels from an IDX file of magic 0x00000801.
     *
     * @param values one unsigned byte per sample; the reader's array, not copied
     */
    public record Labels(Path file, byte[] values) {
        public int count() {
            return values.length;
        }

        /** Label {@code i} as an unsigned value. */
        public int get(int i) {
            return values[i] & 0xFF;
        }

        @Override
        public String toString() {
            return file + ": " + values.length + " labels";
        }
    }

    /** Reads an images file: magic 0x00000803, dims [count, rows, cols], then the pixels. */
    public static Images readImages(Path file) throws DatasetException {
        Contents c = read(file, UINT8_IMAGES, "pixels");
        if (c.dims[1] == 0 || c.dims[2] == 0) {
            throw new DatasetException(file + ": images of " + c.dims[1] + "x" + c.dims[2] + " pixels have no pixels;"
                    + " rows and columns must be positive");
        }
        return new Images(file, (int) c.dims[0], (int) c.dims[1], (int) c.dims[2], c.elements);
    }

    /** Reads a labels file: magic 0x00000801, dims [count], then one byte per label. */
    public static Labels readLabels(Path file) throws DatasetException {
        return new Labels(file, read(file, UINT8_LABELS, "labels").elements);
    }

    /** A parsed file: its dims (each at most {@link #MAX_ELEMENT_BYTES}) and elements. */
    private record Contents(long[] dims, byte[] elements) {
    }

    private static Contents read(Path file, int expectedMagic, String elementName) throws DatasetException {
        long fileSize;
        try {
            if (Files.isDirectory(file)) {
                throw new DatasetException(file + " is a folder, not an IDX file");
            }
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), READ_CHUNK)) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            if (!gzip) {
                return parse(file, raw, expectedMagic, elementName, fileSize, false);
            }
            GZIPInputStream in;
            try {
                in = new GZIPInputStream(raw, READ_CHUNK);
            } catch (IOException e) {
                throw notGzip(file, fileSize, e);
            }
            try (in) {
                return parse(file, in, expectedMagic, elementName, fileSize, true);
            }
        } catch (NoSuchFileException e) {
            throw new DatasetException("IDX file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new DatasetException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    private static DatasetException notGzip(Path file, long fileSize, IOException e) {
        return new DatasetException(file + " starts like gzip (1f 8b) but is not a valid gzip stream (" + fileSize
                + " bytes on disk): " + e.getMessage(), e);
    }

    /** Reads the header and elements from {@code in} (decompressed already when {@code gzip}). */
    private static Contents parse(Path file, InputStream in, int expectedMagic, String elementName, long fileSize,
                                  boolean gzip) throws DatasetException {
        int expectedRank = expectedMagic & 0xFF;
        String form = gzip ? " (gzip)" : "";
        byte[] magicBytes = readHeader(file, in, 4, fileSize, gzip);
        if (magicBytes.length < 4) {
            throw new DatasetException(file + form + " holds " + magicBytes.length
                    + " bytes, too few for the 4-byte IDX magic");
        }
        int magic = bigEndianInt(magicBytes, 0);
        if (magic != expectedMagic) {
            throw new DatasetException(file + form + ": expected IDX magic " + hex(expectedMagic) + " ("
                    + describe(expectedMagic) + "), found " + hex(magic) + " (" + describe(magic) + ")");
        }
        int dimBytes = 4 * expectedRank;
        byte[] dimField = readHeader(file, in, dimBytes, fileSize, gzip);
        if (dimField.length < dimBytes) {
            throw new DatasetException(file + form + ": the header is cut short: " + expectedRank + " dimensions need "
                    + dimBytes + " bytes after the magic, found " + dimField.length);
        }
        long[] dims = new long[expectedRank];
        for (int d = 0; d < expectedRank; d++) {
            // IDX sizes are unsigned; a value past 2^31 is a corrupt header, reported as such below.
            dims[d] = Integer.toUnsignedLong(bigEndianInt(dimField, 4 * d));
        }
        long count;
        try {
            count = 1;
            for (long d : dims) {
                count = Math.multiplyExact(count, d);
            }
        } catch (ArithmeticException e) {
            throw new DatasetException(file + form + ": dims " + Arrays.toString(dims) + " overflow: their product"
                    + " exceeds 2^63 bytes of " + elementName, e);
        }
        if (count > MAX_ELEMENT_BYTES) {
            throw new DatasetException(file + form + ": dims " + Arrays.toString(dims) + " describe " + count
                    + " bytes of " + elementName + ", more than the " + MAX_ELEMENT_BYTES + " one array can hold");
        }
        long headerBytes = 4L + dimBytes;
        if (!gzip) {
            long present = fileSize - headerBytes;
            if (present != count) {
                throw new DatasetException(file + ": dims " + Arrays.toString(dims) + ": expected " + count + " bytes of "
                        + elementName + " after the " + headerBytes + "-byte header, found " + present
                        + (present < count ? " (the file is truncated)" : " (the file has bytes past its data)"));
            }
        } else if (Math.addExact(count, headerBytes) > Math.multiplyExact(fileSize, (long) MAX_DEFLATE_RATIO)) {
            throw new DatasetException(file + form + ": dims " + Arrays.toString(dims) + " need " + count + " bytes of "
                    + elementName + ", more than " + fileSize + " compressed bytes can expand to (DEFLATE expands"
                    + " at most " + MAX_DEFLATE_RATIO + ":1); the file is truncated or its header is corrupt");
        }
        byte[] elements = new byte[(int) count];
        int filled = 0;
        try {
            while (filled < elements.length) {
                int n = in.read(elements, filled, Math.min(READ_CHUNK, elements.length - filled));
                if (n < 0) {
                    break;
                }
                filled += n;
            }
        } catch (EOFException e) {
            throw new DatasetException(file + form + ": expected " + count + " bytes of " + elementName + ", found "
                    + filled + " before the compressed stream ends early (the file is truncated)", e);
        } catch (IOException e) {
            if (gzip) {
                throw new DatasetException(file + form + ": the gzip stream is corrupt after " + filled + " of "
                        + count + " bytes of " + elementName + ": " + e.getMessage(), e);
            }
            throw new DatasetException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
        if (filled < elements.length) {
            throw new DatasetException(file + form + ": expected " + count + " bytes of " + elementName + ", found "
                    + filled + " (the file is truncated)");
        }
        if (gzip) {
            long extra = countRemaining(file, in);
            if (extra > 0) {
                throw new DatasetException(file + form + ": dims " + Arrays.toString(dims) + " need " + count
                        + " bytes of " + elementName + ", but " + extra + " more bytes follow them");
            }
        }
        return new Contents(dims, elements);
    }

    /**
     * Up to {@code n} header bytes; fewer at the end of the data. A gzip stream cut short inside
     * the header reads as a short header, since the header's own message says more than the codec's.
     */
    private static byte[] readHeader(Path file, InputStream in, int n, long fileSize, boolean gzip)
            throws DatasetException {
        byte[] buffer = new byte[n];
        int filled = 0;
        try {
            while (filled < n) {
                int r = in.read(buffer, filled, n - filled);
                if (r < 0) {
                    break;
                }
                filled += r;
            }
        } catch (EOFException e) {
            // gzip truncated inside the header: report what arrived
        } catch (IOException e) {
            if (gzip) {
                throw notGzip(file, fileSize, e);
            }
            throw new DatasetException("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
        return filled == n ? buffer : Arrays.copyOf(buffer, filled);
    }

    /** Bytes left in a decompressed stream (counted, not kept), or a clear error if the rest is corrupt. */
    private static long countRemaining(Path file, InputStream in) throws DatasetException {
        try {
            long extra = 0;
            byte[] sink = new byte[READ_CHUNK];
            for (int n; (n = in.read(sink)) > 0; ) {
                extra += n;
            }
            return extra;
        } catch (IOException e) {
            throw new DatasetException(file + " (gzip): the gzip stream is corrupt after the IDX data: "
                    + e.getMessage(), e);
        }
    }

    private static int bigEndianInt(byte[] b, int offset) {
        return (b[offset] & 0xFF) << 24 | (b[offset + 1] & 0xFF) << 16 | (b[offset + 2] & 0xFF) << 8
                | (b[offset + 3] & 0xFF);
    }

    static String hex(int magic) {
        return String.format("0x%08x", magic);
    }

    /** What an IDX magic number announces, or that it is none. */
    private static String describe(int magic) {
        if ((magic & 0xFFFF0000) != 0) {
            return "not an IDX file";
        }
        String type = switch ((magic >>> 8) & 0xFF) {
            case 0x08 -> "uint8";
            case 0x09 -> "int8";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> null;
        };
        if (type == null) {
            return "not an IDX file";
        }
        int rank = magic & 0xFF;
        String what = magic == UINT8_LABELS ? "labels, " : magic == UINT8_IMAGES ? "images, " : "";
        return type + " " + what + rank + (rank == 1 ? " dim" : " dims");
    }
}
