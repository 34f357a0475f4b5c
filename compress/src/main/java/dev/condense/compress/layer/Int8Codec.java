// Encodes an int8 (or uint8) tensor with its scales and zero points, dense or sparse with a relative index, optionally Huffman-coded.
package dev.condense.compress.layer;

import dev.condense.compress.FormatException;
import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.sparse.RelativeIndex;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reference codec of the int8 encoding (docs/FORMAT.md, "The int8 encoding"): the quantized
 * values of one tensor, its {@link Int8Quantization} (axis, a scale and a zero point per channel)
 * in the header, and the values either dense (one byte per element) or sparse (Deep Compression's
 * {@link RelativeIndex} over the elements that differ from their channel's zero point, i.e. the
 * weights that do not dequantize to 0, with fillers). With Huffman on, the value stream (and the
 * index stream when sparse) is Huffman-coded with the canonical code of {@link HuffmanCode}.
 *
 * <p>Values come back byte for byte. A reader checks every count and length against the bytes
 * present before allocating, and the scales (finite, positive) and channel count against the
 * tensor's dimensions, which the tensor entry header supplies.
 */
public final class Int8Codec {

    public static final int VERSION = 1;
    /** Fixed header; the scales and zero points follow. */
    public static final int HEADER_BYTES = 32;
    /** The axis byte of a per-tensor quantization. */
    public static final int PER_TENSOR_AXIS = 0xFF;
    /** Value symbols: the 256 byte values, a byte's unsigned value its symbol. */
    static final int VALUE_ALPHABET = 256;

    static final int SPARSE = 1;
    static final int HUFFMAN = 2;
    static final int UNSIGNED = 4;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Int8Codec() {
    }

    // ---- encoding ----

    /**
     * Encodes {@code values} (flat, row-major, a tensor of {@code dims}) quantized as {@code quantization}.
     * {@code options.sparse()} stores only the elements that differ from their channel's zero point;
     * {@code options.huffman()} Huffman-codes the value stream, and the index stream when sparse.
     */
    public static EncodedLayer encode(byte[] values, long[] dims, Int8Quantization quantization, LayerOptions options) {
        Objects.requireNonNull(quantization, "quantization");
        long count = elementCount(dims);
        if (count != values.length) {
            throw new IllegalArgumentException(values.length + " values for dims " + Arrays.toString(dims) + " (" + count
                    + " elements)");
        }
        if (dims.length > PER_TENSOR_AXIS - 1 || values.length > LayerCodec.MAX_ELEMENTS) {
            throw new IllegalArgumentException("rank " + dims.length + " or " + values.length + " elements beyond the encoding");
        }
        String problem = quantization.problemWith(dims);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        int n = values.length;
        boolean sparse = options.sparse();
        boolean huffman = options.huffman();
        int b = sparse ? options.relativeIndexBits() : 0;
        Channels channels = new Channels(quantization, dims);

        int kept = 0;
        for (int p = 0; p < n; p++) {
            kept += values[p] != channels.zeroPointAt(p) ? 1 : 0;
        }
        int[] gaps = sparse ? CodedStream.indexGaps(n, p -> values[p] != channels.zeroPointAt(p), b) : null;
        int entries = sparse ? gaps.length : n;

        // Entry symbols: the stored byte's unsigned value; a filler carries its channel's zero point.
        int[] symbols = new int[entries];
        int position = -1;
        for (int i = 0; i < entries; i++) {
            position = sparse ? position + gaps[i] : i;
            symbols[i] = values[position] & 0xFF;
        }

        int c = quantization.channels();
        CodedStream.Encoded index = sparse
                ? CodedStream.encodeIndex(gaps, b, huffman, options.huffmanLengthLimit())
                : CodedStream.Encoded.NONE;
        CodedStream.Encoded valueStream = huffman
                ? CodedStream.encode(entries, i -> symbols[i], VALUE_ALPHABET, 8, true, options.huffmanLengthLimit())
                : CodedStream.Encoded.NONE;

        long header = HEADER_BYTES + (sparse ? 8 + (huffman ? 4 : 0) : 0) + (huffman ? 8 + 4 : 0);
        long tables = index.tableBytes() + valueStream.tableBytes();
        long weightBits = huffman ? valueStream.stream().bitLength() : 8L * entries;
        LayerSizes sizes = new LayerSizes(n, entries, kept, header, 5L * c, tables, index.stream().bitLength(), weightBits);
        if (sizes.totalBytes() > LayerCodec.MAX_ELEMENTS) {
            throw new IllegalArgumentException("int8 encoding of " + sizes.totalBytes() + " bytes exceeds one array");
        }
        MemorySegment out = MemorySegment.ofArray(new byte[(int) sizes.totalBytes()]);
        int flags = (sparse ? SPARSE : 0) | (huffman ? HUFFMAN : 0) | (quantization.unsigned() ? UNSIGNED : 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) VERSION);
        out.set(ValueLayout.JAVA_BYTE, 1, (byte) flags);
        out.set(ValueLayout.JAVA_BYTE, 2, (byte) b);
        out.set(ValueLayout.JAVA_BYTE, 3, (byte) (quantization.perTensor() ? PER_TENSOR_AXIS : quantization.axis()));
        out.set(LONG_LE, 4, n);
        out.set(LONG_LE, 12, entries);
        out.set(LONG_LE, 20, kept);
        out.set(INT_LE, 28, c);
        long offset = HEADER_BYTES;
        for (int ch = 0; ch < c; ch++) {
            out.set(FLOAT_LE, offset + 4L * ch, quantization.scale(ch));
        }
        offset += 4L * c;
        MemorySegment.copy(quantization.zeroPoints(), 0, out, ValueLayout.JAVA_BYTE, offset, c);
        offset += c;
        if (sparse) {
            offset = index.put(out, offset);
        }
        if (huffman) {
            offset = valueStream.put(out, offset);
        } else {
            for (int s : symbols) {
                out.set(ValueLayout.JAVA_BYTE, offset++, (byte) s);
            }
        }
        if (offset != out.byteSize()) {
            throw new IllegalStateException("int8 encoding wrote " + offset + " of its " + out.byteSize() + " bytes");
        }
        return new EncodedLayer(out, sizes);
    }

    // ---- decoding ----

    /** The header of an int8 encoding, checked: flags, quantization and the part-by-part sizes. */
    public record Header(boolean sparse, boolean huffman, int relativeIndexBits, Int8Quantization quantization,
                         LayerSizes sizes) {
    }

    /** The checked header of {@code bytes}, an encoding of a tensor of {@code dims}; {@code source} names it in messages. */
    public static Header header(MemorySegment bytes, long[] dims, String source) throws FormatException {
        Sections s = parse(bytes, dims, source);
        return new Header(s.sparse(), s.huffman(), s.relativeIndexBits, s.quantization, s.sizes);
    }

    /** The part-by-part sizes of an encoding, from its header and section lengths (checked, not decoded). */
    public static LayerSizes sizes(MemorySegment bytes, long[] dims, String source) throws FormatException {
        return parse(bytes, dims, source).sizes;
    }

    /** The stored values, one byte per element, as the tensor holds them. */
    public static byte[] decode(MemorySegment bytes, long[] dims, String source) throws FormatException {
        Sections s = parse(bytes, dims, source);
        byte[] out = new byte[(int) s.sizes.elementCount()];
        decode(bytes, s, MemorySegment.ofArray(out), source);
        return out;
    }

    /** Decodes into {@code out}, exactly one byte per element (ONNX's raw layout of int8 and uint8), overwritten entirely. */
    public static void decode(MemorySegment bytes, long[] dims, String source, MemorySegment out) throws FormatException {
        Sections s = parse(bytes, dims, source);
        if (out.byteSize() != s.sizes.elementCount()) {
            throw new IllegalArgumentException(source + ": " + s.sizes.elementCount() + " elements need as many bytes, the output has "
                    + out.byteSize());
        }
        decode(bytes, s, out, source);
    }

    /** The real values {@code (q - zeroPoint) * scale} of the decoded tensor. */
    public static float[] dequantize(MemorySegment bytes, long[] dims, String source) throws FormatException {
        Sections s = parse(bytes, dims, source);
        byte[] values = new byte[(int) s.sizes.elementCount()];
        decode(bytes, s, MemorySegment.ofArray(values), source);
        return s.quantization.dequantize(values, dims);
    }

    private static void decode(MemorySegment bytes, Sections s, MemorySegment out, String source) throws FormatException {
        int n = (int) s.sizes.elementCount();
        int m = (int) s.sizes.entryCount();
        Channels channels = new Channels(s.quantization, s.dims);
        int[] positions = null;
        if (s.sparse()) {
            positions = CodedStream.positions(bytes, s.index, s.relativeIndexBits, n, m, source);
            // Positions without an entry hold their channel's zero point: they dequantize to 0.
            if (channels.uniform()) {
                out.fill(channels.zeroPointAt(0));
            } else {
                for (int p = 0; p < n; p++) {
                    out.set(ValueLayout.JAVA_BYTE, p, channels.zeroPointAt(p));
                }
            }
        }
        String stream = source + (s.huffman() ? ": Huffman-coded value stream" : ": value stream");
        CodedStream.Symbols in = s.values.open(bytes, stream);
        int maxGap = 1 << s.relativeIndexBits;
        long kept = 0;
        int previous = -1;
        for (int i = 0; i < m; i++) {
            byte v = (byte) in.next();
            int position = positions != null ? positions[i] : i;
            if (v == channels.zeroPointAt(position)) {
                if (positions != null && position - previous != maxGap) {
                    throw new FormatException(stream + ": entry " + i + " at position " + position + " holds its channel's"
                            + " zero point " + s.quantization.value(v) + " with gap " + (position - previous)
                            + "; such an entry is a filler, whose gap must be " + maxGap);
                }
            } else {
                kept++;
            }
            out.set(ValueLayout.JAVA_BYTE, position, v);
            previous = position;
        }
        in.expectEnd();
        if (kept != s.sizes.keptCount()) {
            throw new FormatException(source + ": header declares " + s.sizes.keptCount() + " kept weights (values other than"
                    + " the zero point) but the streams hold " + kept);
        }
    }

    /** The channel of each flat position, and its zero point. */
    private static final class Channels {
        private final long inner;
        private final int count;
        private final byte[] zeroPoints;
        private final boolean uniform;

        Channels(Int8Quantization q, long[] dims) {
            this.inner = Math.max(1, q.inner(dims));
            this.count = Math.max(1, q.channels());
            this.zeroPoints = q.zeroPoints();
            boolean same = true;
            for (byte z : zeroPoints) {
                same &= z == zeroPoints[0];
            }
            this.uniform = same;
        }

        boolean uniform() {
            return uniform;
        }

        byte zeroPointAt(long position) {
            return uniform ? (zeroPoints.length == 0 ? 0 : zeroPoints[0]) : zeroPoints[(int) ((position / inner) % count)];
        }
    }

    /** Header fields and section offsets, every count checked against the bytes present. */
    private record Sections(int flags, int relativeIndexBits, long[] dims, Int8Quantization quantization,
                            CodedStream.Stored index, CodedStream.Stored values, LayerSizes sizes) {
        boolean sparse() {
            return (flags & SPARSE) != 0;
        }

        boolean huffman() {
            return (flags & HUFFMAN) != 0;
        }
    }

    private static long elementCount(long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    private static Sections parse(MemorySegment b, long[] dims, String source) throws FormatException {
        long size = b.byteSize();
        if (size < HEADER_BYTES) {
            throw new FormatException(source + ": int8 encoding of " + size + " bytes is shorter than its " + HEADER_BYTES
                    + "-byte header");
        }
        int version = b.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        if (version != VERSION) {
            throw new FormatException(source + ": int8 encoding version " + version + "; this reader reads version " + VERSION);
        }
        int flags = b.get(ValueLayout.JAVA_BYTE, 1) & 0xFF;
        if ((flags & ~(SPARSE | HUFFMAN | UNSIGNED)) != 0) {
            throw new FormatException(source + ": invalid int8 flags 0x" + Integer.toHexString(flags)
                    + " (bits: 1 sparse, 2 huffman, 4 unsigned)");
        }
        boolean sparse = (flags & SPARSE) != 0;
        boolean huffman = (flags & HUFFMAN) != 0;
        boolean unsigned = (flags & UNSIGNED) != 0;
        int relativeIndexBits = b.get(ValueLayout.JAVA_BYTE, 2) & 0xFF;
        if (sparse ? relativeIndexBits < RelativeIndex.MIN_BITS || relativeIndexBits > RelativeIndex.MAX_BITS
                : relativeIndexBits != 0) {
            throw new FormatException(source + ": relativeIndexBits " + relativeIndexBits + ", expected "
                    + (sparse ? RelativeIndex.MIN_BITS + ".." + RelativeIndex.MAX_BITS : "0 for a dense tensor"));
        }
        int axisByte = b.get(ValueLayout.JAVA_BYTE, 3) & 0xFF;
        if (axisByte != PER_TENSOR_AXIS && axisByte >= dims.length) {
            throw new FormatException(source + ": quantization axis " + axisByte + " is not a dimension of "
                    + Arrays.toString(dims) + " (0.." + (dims.length - 1) + ", or " + PER_TENSOR_AXIS + " per tensor)");
        }
        long n = b.get(LONG_LE, 4);
        long m = b.get(LONG_LE, 12);
        long kept = b.get(LONG_LE, 20);
        long c = b.get(INT_LE, 28) & 0xFFFF_FFFFL;
        long count;
        try {
            count = elementCount(dims);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new FormatException(source + ": dimensions " + Arrays.toString(dims) + " make no element count", e);
        }
        if (n < 0 || n > LayerCodec.MAX_ELEMENTS || n != count) {
            throw new FormatException(source + ": int8 encoding declares " + Long.toUnsignedString(n) + " elements, the tensor "
                    + Arrays.toString(dims) + " has " + count + (n < 0 || n > LayerCodec.MAX_ELEMENTS
                    ? " (at most " + LayerCodec.MAX_ELEMENTS + " are supported)" : ""));
        }
        if (m < 0 || m > n || (!sparse && m != n)) {
            throw new FormatException(source + ": declares " + Long.toUnsignedString(m) + " entries for " + n + " elements"
                    + (sparse ? " (at most one per element)" : " (a dense tensor has one per element)"));
        }
        if (kept < 0 || kept > m) {
            throw new FormatException(source + ": declares " + Long.toUnsignedString(kept) + " kept weights in " + m + " entries");
        }
        long channels = axisByte == PER_TENSOR_AXIS ? 1 : dims[axisByte];
        if (c != channels) {
            throw new FormatException(source + ": declares " + c + " channels (scales and zero points), the "
                    + (axisByte == PER_TENSOR_AXIS ? "per-tensor quantization has 1" : "axis " + axisByte + " of "
                    + Arrays.toString(dims) + " has " + channels));
        }
        long offset = HEADER_BYTES;
        CodedStream.need(b, offset, 5 * c, c + " scales and zero points", source);
        float[] scales = new float[(int) c];
        MemorySegment.copy(b, FLOAT_LE, offset, scales, 0, (int) c);
        offset += 4 * c;
        String badScale = Int8Quantization.badScale(scales);
        if (badScale != null) {
            throw new FormatException(source + ": " + badScale);
        }
        byte[] zeroPoints = new byte[(int) c];
        MemorySegment.copy(b, ValueLayout.JAVA_BYTE, offset, zeroPoints, 0, (int) c);
        offset += c;
        Int8Quantization quantization = new Int8Quantization(unsigned,
                axisByte == PER_TENSOR_AXIS ? Int8Quantization.PER_TENSOR : axisByte, scales, zeroPoints);

        CodedStream.Stored index = null;
        if (sparse) {
            index = CodedStream.readIndex(b, offset, relativeIndexBits, huffman, m, n, source);
            offset = index.end();
        }

        CodedStream.Stored values;
        if (huffman) {
            values = CodedStream.read(b, offset, "value", VALUE_ALPHABET, true, 8, m, source);
        } else {
            CodedStream.need(b, offset, m, m + " int8 values", source);
            values = CodedStream.Stored.bare(8, offset, 8 * m);
        }
        offset = values.end();
        if (offset != size) {
            throw new FormatException(source + ": " + (size - offset) + " bytes follow the last section (at offset " + offset
                    + " of " + size + ")");
        }
        LayerSizes sizes = CodedStream.sizes(n, m, kept, HEADER_BYTES, 5 * c, index, values);
        return new Sections(flags, relativeIndexBits, dims.clone(), quantization, index, values, sizes);
    }
}
