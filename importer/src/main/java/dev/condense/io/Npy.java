// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0) as Condense tensors.
package dev.condense.io;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;

/**
 * The NumPy {@code .npy} codec. A file is the magic {@code \x93NUMPY}, a major and minor version
 * byte, the header length (a little-endian u16 in version 1.0, u32 in 2.0 and 3.0), the header (a
 * Python dict literal padded with spaces and ended by a newline) and the elements.
 *
 * <p>Reading accepts every dtype in {@link NpyDtype#SUPPORTED} in either byte order and C or
 * Fortran order; little-endian C-order data is mapped, not copied, and the rest is converted into
 * Condense's little-endian row-major layout. Every size is computed with overflow checks and
 * compared with the bytes the file holds before anything is mapped or allocated.
 *
 * <p>Writing produces what {@code numpy.save} does: little-endian C order, the header padded so
 * the data starts on a 64-byte boundary, version 1.0 unless the header outgrows its u16 length.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Bytes a file needs at its start to be recognised by {@link #hasMagic}. */
    static final int MAGIC_LENGTH = MAGIC.length;

    /** Data alignment of the files written; readers accept any (old NumPy aligned to 16). */
    static final int ALIGNMENT = 64;

    /** Largest header read; NumPy's own are under 200 bytes and it refuses long ones by default too. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    /** Bytes handed to one channel write. */
    private static final int WRITE_CHUNK = 1 << 24;

    private static final ValueLayout.OfShort SHORT_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LONG_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Npy() {
    }

    /** Whether {@code prefix} (the first bytes of a file) starts with the .npy magic. */
    static boolean hasMagic(byte[] prefix) {
        if (prefix.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a .npy file. The tensor is named after the file without its extension ({@code x.npy}
     * gives {@code x}); its data maps the file when no conversion is needed.
     *
     * @throws TensorFileException when the file is missing, unreadable, malformed, truncated, or
     *                             holds a dtype Condense does not read; the message names the file
     */
    public static Tensor read(Path file) throws TensorFileException {
        String source = file.toString();
        if (Files.isDirectory(file)) {
            throw new TensorFileException(source + " is a folder, not a .npy file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, baseName(file), source);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(source + " does not exist", e);
        } catch (IOException e) {
            throw new TensorFileException(source + ": cannot read it: " + reason(e), e);
        }
    }

    private static Tensor read(FileChannel channel, String name, String source) throws IOException, TensorFileException {
        long fileSize = channel.size();
        byte[] preamble = readFully(channel, 0, (int) Math.min(12, fileSize), source);
        for (int i = 0; i < Math.min(MAGIC.length, preamble.length); i++) {
            if (preamble[i] != MAGIC[i]) {
                throw new TensorFileException(source + " is not a .npy file: it starts with "
                        + escape(preamble, MAGIC.length) + " instead of the magic \\x93NUMPY");
            }
        }
        if (fileSize < MAGIC.length + 4) {
            throw new TensorFileException(source + " is " + fileSize + " bytes, too short for a .npy file (magic,"
                    + " version and header length alone take 10)");
        }
        int major = preamble[6] & 0xFF;
        int minor = preamble[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new TensorFileException(source + " is .npy format version " + major + "." + minor
                    + "; Condense reads versions 1.0, 2.0 and 3.0");
        }
        int lengthField = major == 1 ? 2 : 4;
        int preambleSize = 8 + lengthField;
        if (fileSize < preambleSize) {
            throw new TensorFileException(source + " is " + fileSize + " bytes, cut off inside the header length of"
                    + " format version " + major + ".0");
        }
        ByteBuffer lengthBytes = ByteBuffer.wrap(preamble, 8, lengthField).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthBytes.getShort() & 0xFFFFL : lengthBytes.getInt() & 0xFFFFFFFFL;
        long dataOffset = Math.addExact(preambleSize, headerLength);
        if (dataOffset > fileSize) {
            throw new TensorFileException(source + ": header length " + headerLength + " (bytes " + preambleSize
                    + " to " + dataOffset + ") goes beyond the end of the file at " + fileSize + " bytes");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new TensorFileException(source + ": header length " + headerLength + " exceeds the "
                    + MAX_HEADER_BYTES + " bytes Condense reads; a NumPy header is a short dict");
        }
        String headerText = ascii(readFully(channel, preambleSize, (int) headerLength, source), preambleSize, source);
        NpyHeader header = NpyHeader.parse(headerText, source);
        NpyDtype dtype = NpyDtype.parse(header.descr(), source);
        long[] shape = header.shape();
        String described = "shape " + NpyHeader.shapeText(shape) + " of " + PythonLiteral.repr(header.descr());
        long dataBytes;
        try {
            dataBytes = Math.multiplyExact(Tensor.elementCount(shape), (long) dtype.type().byteSize());
        } catch (ArithmeticException e) {
            throw new TensorFileException(source + ": " + described + " has more bytes than a 64-bit size can count");
        }
        long present = fileSize - dataOffset;
        if (present < dataBytes) {
            throw new TensorFileException(source + " is truncated: " + described + " needs " + dataBytes
                    + " bytes of data but the file holds " + present + " after its " + dataOffset + "-byte header");
        }
        if (present > dataBytes) {
            throw new TensorFileException(source + ": " + described + " needs " + dataBytes + " bytes of data but"
                    + " the file holds " + present + " after its " + dataOffset + "-byte header; the " + (present - dataBytes)
                    + " extra bytes may be further arrays saved into one file, which Condense does not read");
        }
        return new Tensor(name, dtype.type(), shape, data(channel, dataOffset, dataBytes, dtype, header.fortranOrder(), shape));
    }

    /** The elements in little-endian row-major order: mapped as they are, or converted into new memory. */
    private static MemorySegment data(FileChannel channel, long offset, long size, NpyDtype dtype, boolean fortranOrder,
            long[] shape) throws IOException {
        if (size == 0) {
            return MemorySegment.ofArray(new byte[0]);
        }
        boolean needsTranspose = fortranOrder && countAbove1(shape) > 1;
        if (!dtype.bigEndian() && !needsTranspose) {
            // Arena.ofAuto: the mapping lives as long as the tensor that holds it.
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, size, Arena.ofAuto());
        }
        try (Arena source = Arena.ofConfined()) {
            MemorySegment stored = channel.map(FileChannel.MapMode.READ_ONLY, offset, size, source);
            MemorySegment converted = Arena.ofAuto().allocate(size, 8);
            toLittleEndianRowMajor(stored, converted, dtype.type().byteSize(), dtype.bigEndian(),
                    needsTranspose ? shape : new long[] {size / dtype.type().byteSize()});
            return converted;
        }
    }

    private static int countAbove1(long[] shape) {
        int n = 0;
        for (long d : shape) {
            if (d > 1) {
                n++;
            }
        }
        return n;
    }

    /**
     * Copies column-major {@code stored} of the given shape into row-major {@code out}, swapping
     * each element's bytes when {@code bigEndian}. A rank-1 shape makes it a plain (swapping) copy.
     */
    static void toLittleEndianRowMajor(MemorySegment stored, MemorySegment out, int width, boolean bigEndian,
            long[] shape) {
        int rank = shape.length;
        // Column-major strides, in elements: axis 0 varies fastest in the stored data.
        long[] storedStride = new long[rank];
        long stride = 1;
        for (int axis = 0; axis < rank; axis++) {
            storedStride[axis] = stride;
            stride *= shape[axis];
        }
        long count = stride;
        long[] index = new long[rank];
        long from = 0;
        for (long to = 0; to < count; to++) {
            copyElement(stored, from, out, to, width, bigEndian);
            // Advance the row-major index (last axis fastest), keeping the stored position in step.
            for (int axis = rank - 1; axis >= 0; axis--) {
                from += storedStride[axis];
                if (++index[axis] < shape[axis]) {
                    break;
                }
                from -= storedStride[axis] * shape[axis];
                index[axis] = 0;
            }
        }
    }

    private static void copyElement(MemorySegment from, long i, MemorySegment to, long j, int width, boolean swap) {
        switch (width) {
            case 1 -> to.set(ValueLayout.JAVA_BYTE, j, from.get(ValueLayout.JAVA_BYTE, i));
            case 2 -> to.setAtIndex(Tensor.SHORT_LE, j, from.getAtIndex(swap ? SHORT_BE : Tensor.SHORT_LE, i));
            case 4 -> to.setAtIndex(Tensor.INT_LE, j, from.getAtIndex(swap ? INT_BE : Tensor.INT_LE, i));
            case 8 -> to.setAtIndex(Tensor.LONG_LE, j, from.getAtIndex(swap ? LONG_BE : Tensor.LONG_LE, i));
            default -> throw new IllegalArgumentException("no element is " + width + " bytes wide");
        }
    }

    /**
     * Writes {@code tensor} as a .npy file, creating missing folders. The file is written beside
     * the target under a temporary name and renamed into place when complete, so a failure leaves
     * neither a partial file nor the temporary one, and an existing file is replaced whole or not at all.
     *
     * @throws TensorFileException for a bfloat16 tensor (NumPy has no such dtype) or when the file
     *                             cannot be written; the message names the file
     */
    public static void write(Path file, Tensor tensor) throws TensorFileException {
        String target = file.toString();
        String descr = NpyDtype.descr(tensor.dtype(), tensor.name(), target);
        byte[] header = header(new NpyHeader(descr, false, tensor.dims()));
        Path absolute = file.toAbsolutePath();
        Path folder = absolute.getParent();
        Path temporary;
        try {
            Files.createDirectories(folder);
            temporary = TemporaryFiles.beside(folder, absolute.getFileName().toString());
        } catch (IOException e) {
            throw new TensorFileException(target + ": cannot write it: " + reason(e), e);
        }
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeFully(channel, ByteBuffer.wrap(header));
                MemorySegment data = tensor.data();
                for (long at = 0; at < data.byteSize(); at += WRITE_CHUNK) {
                    writeFully(channel, data.asSlice(at, Math.min(WRITE_CHUNK, data.byteSize() - at)).asByteBuffer());
                }
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            TensorFileException failure = new TensorFileException(target + ": cannot write it: " + reason(e), e);
            discard(temporary, failure);
            throw failure;
        } catch (RuntimeException e) {
            discard(temporary, e);
            throw e;
        }
    }

    /** Magic, version, header length and the padded header: all that precedes the data. */
    static byte[] header(NpyHeader header) {
        byte[] dict = header.format().getBytes(StandardCharsets.US_ASCII);
        int major = 1;
        int preamble = 10;
        int padded = paddedLength(preamble, dict.length);
        if (padded > 0xFFFF) {
            major = 2;
            preamble = 12;
            padded = paddedLength(preamble, dict.length);
        }
        ByteBuffer out = ByteBuffer.allocate(Math.addExact(preamble, padded)).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) padded);
        } else {
            out.putInt(padded);
        }
        out.put(dict);
        while (out.remaining() > 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** Length of the dict plus spaces and a newline that ends it on an {@link #ALIGNMENT} boundary. */
    private static int paddedLength(int preamble, int dictLength) {
        int unpadded = Math.addExact(Math.addExact(preamble, dictLength), 1);
        int aligned = Math.multiplyExact(Math.ceilDiv(unpadded, ALIGNMENT), ALIGNMENT);
        return aligned - preamble;
    }

    /** Removes the temporary file after a failure; a failure to remove it is attached to the first. */
    private static void discard(Path temporary, Throwable failure) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    private static byte[] readFully(FileChannel channel, long position, int length, String source)
            throws IOException, TensorFileException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new TensorFileException(source + " ended at byte " + (position + buffer.position())
                        + " while being read; was it changed meanwhile?");
            }
        }
        return buffer.array();
    }

    /** The header as text; NumPy writes ASCII (3.0 allows UTF-8 only for structured field names). */
    private static String ascii(byte[] header, int offset, String source) throws TensorFileException {
        for (int i = 0; i < header.length; i++) {
            if (header[i] < 0) {
                throw new TensorFileException(source + ": the header holds the non-ASCII byte "
                        + String.format("0x%02X", header[i] & 0xFF) + " at file offset " + (offset + i)
                        + "; a .npy header of a plain numeric array is ASCII");
            }
        }
        return new String(header, StandardCharsets.US_ASCII);
    }

    /** The first {@code n} bytes as printable text with Python-style escapes. */
    private static String escape(byte[] bytes, int n) {
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < Math.min(n, bytes.length); i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\' && b != '\'') {
                out.append((char) b);
            } else {
                out.append("\\x").append(HexFormat.of().toHexDigits((byte) b));
            }
        }
        return out.append("'").toString();
    }

    /** The file name without its last extension: the tensor name of a file read. */
    static String baseName(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** An I/O failure in words; Java's file exceptions often carry only a path. */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return "permission denied on " + denied.getFile();
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + " does not exist";
        }
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            return fs.getClass().getSimpleName() + " on " + fs.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
