// Encodes one layer's weights the way Deep Compression stores them (relative index, shared weights, Huffman) and decodes them back.
package dev.condense.compress.layer;

import dev.condense.compress.FormatException;
import dev.condense.compress.sparse.RelativeIndex;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * The reference codec of the layer encoding (docs/FORMAT.md, "Layer encoding"). Input: a dense fp32
 * layer in which pruned weights are zero, optionally with {@link SharedWeights}. With sharing, a kept
 * weight is stored as its codebook index and decodes to its centroid; without, it is stored as raw
 * fp32 and decodes bit for bit. Pruned weights decode to +0.0.
 *
 * <p>Entries: when sparse, one per kept weight plus the fillers of the {@link RelativeIndex}; when
 * dense, one per weight. A zero entry (filler or pruned weight) carries the reserved codebook index
 * {@code k} (one past the last centroid, present in the alphabet only when used) or the raw value
 * +0.0. Decoding checks every declared count and length against the bytes present before it
 * allocates anything sized by them, and decodes in O(n) with table-driven Huffman decoders.
 */
public final class LayerCodec {

    public static final int VERSION = 1;
    public static final int HEADER_BYTES = 32;
    /** The largest element count this reader decodes: one Java float array. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    static final int SPARSE = 1;
    static final int SHARED = 2;
    static final int HUFFMAN = 4;
    static final int ZERO_SYMBOL = 8;

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LayerCodec() {
    }

    // ---- encoding ----

    /** Encodes {@code weights} (zero = pruned), kept weights as raw fp32. */
    public static EncodedLayer encode(float[] weights, LayerOptions options) {
        return encodeWeights(weights, null, options);
    }

    /** Encodes {@code weights} (zero = pruned), kept weights as indices into {@code sharing}'s codebook. */
    public static EncodedLayer encode(float[] weights, SharedWeights sharing, LayerOptions options) {
        return encodeWeights(weights, Objects.requireNonNull(sharing, "sharing"), options);
    }

    /** Encodes little-endian fp32 {@code weights} (ONNX's raw layout, as {@code Tensor.data()}); copies them to an array first. */
    public static EncodedLayer encode(MemorySegment weights, LayerOptions options) {
        return encodeWeights(toFloats(weights), null, options);
    }

    /** Encodes little-endian fp32 {@code weights} with weight sharing; copies them to an array first. */
    public static EncodedLayer encode(MemorySegment weights, SharedWeights sharing, LayerOptions options) {
        return encodeWeights(toFloats(weights), Objects.requireNonNull(sharing, "sharing"), options);
    }

    private static float[] toFloats(MemorySegment weights) {
        if (weights.byteSize() % 4 != 0 || weights.byteSize() / 4 > MAX_ELEMENTS) {
            throw new IllegalArgumentException("weights of " + weights.byteSize()
                    + " bytes: expected a whole number of fp32 values, at most " + MAX_ELEMENTS);
        }
        float[] w = new float[(int) (weights.byteSize() / 4)];
        MemorySegment.copy(weights, FLOAT_LE, 0, w, 0, w.length);
        return w;
    }

    /** What {@link #decode} returns for an encoding of raw weights: kept weights as they are, pruned ones +0.0. */
    public static float[] reconstruct(float[] weights) {
        float[] out = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] != 0) {
                out[i] = weights[i];
            }
        }
        return out;
    }

    /** What {@link #decode} returns for an encoding with sharing: each kept weight its centroid, pruned ones +0.0. */
    public static float[] reconstruct(float[] weights, SharedWeights sharing) {
        float[] out = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] != 0) {
                out[i] = sharing.centroid(sharing.indexAt(i));
            }
        }
        return out;
    }

    /** The encoder; {@code sharing} is null for raw fp32 values. */
    private static EncodedLayer encodeWeights(float[] w, SharedWeights sharing, LayerOptions options) {
        int n = w.length;
        boolean shared = sharing != null;
        if (shared && sharing.weightCount() != n) {
            throw new IllegalArgumentException("sharing has " + sharing.weightCount() + " codebook indices for " + n + " weights");
        }
        boolean sparse = options.sparse();
        boolean huffman = options.huffman() && (sparse || shared);
        int relativeIndexBits = sparse ? options.relativeIndexBits() : 0;

        int kept = 0;
        for (int i = 0; i < n; i++) {
            kept += w[i] != 0 ? 1 : 0;
        }
        int[] gaps = sparse ? CodedStream.indexGaps(n, i -> w[i] != 0, relativeIndexBits) : null;
        int entries = sparse ? gaps.length : n;

        int k = shared ? sharing.size() : 0;
        CodedStream.Encoded index = sparse
                ? CodedStream.encodeIndex(gaps, relativeIndexBits, huffman, options.huffmanLengthLimit())
                : CodedStream.Encoded.NONE;
        int[] symbols = shared ? valueSymbols(w, gaps, entries, sharing) : null;
        boolean zeroSymbol = shared && Arrays.stream(symbols).anyMatch(symbol -> symbol == k);
        CodedStream.Encoded values = CodedStream.Encoded.NONE;
        if (shared) {
            // The zero symbol k joins the alphabet only when some entry is zero.
            int alphabet = k + (zeroSymbol ? 1 : 0);
            values = CodedStream.encode(entries, i -> symbols[i], alphabet, fixedWidth(alphabet), huffman,
                    options.huffmanLengthLimit());
        }

        long header = HEADER_BYTES + (sparse ? 8 + (huffman ? 4 : 0) : 0) + (shared ? 8 + (huffman ? 4 : 0) : 0);
        long tables = index.tableBytes() + values.tableBytes();
        long weightBits = shared ? values.stream().bitLength() : 32L * entries;
        LayerSizes sizes = new LayerSizes(n, entries, kept, header, 4L * k, tables, index.stream().bitLength(), weightBits);
        if (sizes.totalBytes() > MAX_ELEMENTS) {
            throw new IllegalArgumentException("layer encoding of " + sizes.totalBytes() + " bytes exceeds one array");
        }
        MemorySegment out = MemorySegment.ofArray(new byte[(int) sizes.totalBytes()]);
        int flags = (sparse ? SPARSE : 0) | (shared ? SHARED : 0) | (huffman ? HUFFMAN : 0) | (zeroSymbol ? ZERO_SYMBOL : 0);
        out.set(ValueLayout.JAVA_BYTE, 0, (byte) VERSION);
        out.set(ValueLayout.JAVA_BYTE, 1, (byte) flags);
        out.set(ValueLayout.JAVA_BYTE, 2, (byte) relativeIndexBits);
        out.set(LONG_LE, 4, n);
        out.set(LONG_LE, 12, entries);
        out.set(LONG_LE, 20, kept);
        out.set(INT_LE, 28, k);
        long offset = HEADER_BYTES;
        if (shared) {
            for (int c = 0; c < k; c++) {
                out.set(FLOAT_LE, offset + 4L * c, sharing.centroid(c));
            }
            offset += 4L * k;
        }
        if (sparse) {
            offset = index.put(out, offset);
        }
        if (shared) {
            offset = values.put(out, offset);
        } else {
            int position = -1;
            for (int i = 0; i < entries; i++) {
                position = sparse ? position + gaps[i] : i;
                float v = w[position];
                out.set(INT_LE, offset, v == 0 ? 0 : Float.floatToRawIntBits(v));
                offset += 4;
            }
        }
        if (offset != out.byteSize()) {
            throw new IllegalStateException("layer encoding wrote " + offset + " of its " + out.byteSize() + " bytes");
        }
        return new EncodedLayer(out, sizes);
    }

    /** The stored codebook index of the entry at {@code position}: the reserved zero symbol k for a zero weight. */
    private static int valueSymbol(float weight, int position, SharedWeights sharing) {
        if (weight == 0) {
            return sharing.size();
        }
        int index = sharing.indexAt(position);
        if (index < 0 || index >= sharing.size()) {
            throw new IllegalArgumentException("kept weight " + position + " has codebook index " + index
                    + ", outside 0.." + (sharing.size() - 1));
        }
        return index;
    }

    /** The codebook index of every entry: entry i at the position the gaps give, or at i when {@code gaps} is null. */
    private static int[] valueSymbols(float[] w, int[] gaps, int entries, SharedWeights sharing) {
        int[] symbols = new int[entries];
        int position = -1;
        for (int i = 0; i < entries; i++) {
            position = gaps != null ? position + gaps[i] : i;
            symbols[i] = valueSymbol(w[position], position, sharing);
        }
        return symbols;
    }

    /** Bits per codebook index without Huffman coding: enough for the alphabet, at least 1. */
    static int fixedWidth(int alphabet) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(alphabet - 1));
    }

    // ---- decoding ----

    /** Decodes an encoding to the dense layer; {@code source} names it in error messages. */
    public static float[] decode(byte[] bytes, String source) throws FormatException {
        return decode(MemorySegment.ofArray(bytes), source);
    }

    /** Decodes an encoding to the dense layer; {@code source} names it in error messages. */
    public static float[] decode(MemorySegment bytes, String source) throws FormatException {
        int n = (int) parse(bytes, source).sizes.elementCount();
        float[] dense = new float[n];
        decode(bytes, source, MemorySegment.ofArray(dense));
        return dense;
    }

    /** The number of elements an encoding holds, from its checked header and sections. */
    public static long elementCount(MemorySegment bytes, String source) throws FormatException {
        return parse(bytes, source).sizes.elementCount();
    }

    /**
     * Decodes an encoding into {@code out}, little-endian fp32 as ONNX stores tensors (a
     * {@code byte[]}-backed segment can become a tensor without another copy): exactly 4 bytes per
     * element, overwritten entirely, pruned positions +0.0.
     */
    public static void decode(MemorySegment bytes, String source, MemorySegment out) throws FormatException {
        Sections s = parse(bytes, source);
        int n = (int) s.sizes.elementCount();
        if (out.byteSize() != 4L * n) {
            throw new IllegalArgumentException(source + ": " + n + " elements need " + 4L * n + " bytes, the output has "
                    + out.byteSize());
        }
        int m = (int) s.sizes.entryCount();
        int[] positions = null;
        if (s.sparse()) {
            positions = CodedStream.positions(bytes, s.index, s.relativeIndexBits, n, m, source);
        }
        out.fill((byte) 0);
        long kept = s.shared() ? decodeShared(bytes, s, positions, out, source) : decodeRaw(bytes, s, positions, out, source);
        if (kept != s.sizes.keptCount()) {
            throw new FormatException(source + ": header declares " + s.sizes.keptCount() + " kept weights but the streams hold "
                    + kept);
        }
    }

    /** The part-by-part sizes of an encoding, from its header and section lengths (checked, not decoded). */
    public static LayerSizes sizes(MemorySegment bytes, String source) throws FormatException {
        return parse(bytes, source).sizes;
    }

    private static long decodeShared(MemorySegment bytes, Sections s, int[] positions, MemorySegment dense, String source)
            throws FormatException {
        String stream = source + ": codebook-index stream";
        CodedStream.Symbols in = s.values.open(bytes, stream);
        float[] codebook = s.codebook;
        int k = codebook.length;
        int zero = s.valueAlphabet > k ? k : -1;
        int maxGap = 1 << s.relativeIndexBits;
        int m = (int) s.sizes.entryCount();
        long kept = 0;
        int previous = -1;
        for (int i = 0; i < m; i++) {
            int symbol = in.next();
            int position = positions != null ? positions[i] : i;
            if (symbol == zero) {
                if (positions != null && position - previous != maxGap) {
                    throw new FormatException(stream + ": entry " + i + " at position " + position + " is a zero (index "
                            + zero + ") with gap " + (position - previous) + "; a filler's gap must be " + maxGap);
                }
            } else if (symbol >= k) {
                throw new FormatException(stream + ": entry " + i + " has codebook index " + symbol + ", outside 0.."
                        + (k - 1) + (zero >= 0 ? " or the zero index " + zero : ""));
            } else {
                dense.setAtIndex(FLOAT_LE, position, codebook[symbol]);
                kept++;
            }
            previous = position;
        }
        in.expectEnd();
        return kept;
    }

    private static long decodeRaw(MemorySegment bytes, Sections s, int[] positions, MemorySegment dense, String source)
            throws FormatException {
        int m = (int) s.sizes.entryCount();
        long kept = 0;
        if (positions == null) {
            MemorySegment.copy(bytes, s.values.offset(), dense, 0, 4L * m);
            for (int i = 0; i < m; i++) {
                kept += dense.getAtIndex(FLOAT_LE, i) != 0 ? 1 : 0;
            }
            return kept;
        }
        int maxGap = 1 << s.relativeIndexBits;
        int previous = -1;
        for (int i = 0; i < m; i++) {
            float v = bytes.get(FLOAT_LE, s.values.offset() + 4L * i);
            int position = positions[i];
            if (v == 0) {
                if (position - previous != maxGap) {
                    throw new FormatException(source + ": raw value stream: entry " + i + " at position " + position
                            + " is zero with gap " + (position - previous) + "; a filler's gap must be " + maxGap);
                }
            } else {
                dense.setAtIndex(FLOAT_LE, position, v);
                kept++;
            }
            previous = position;
        }
        return kept;
    }

    /** Header fields and section offsets, every count checked against the bytes present. */
    private record Sections(int flags, int relativeIndexBits, float[] codebook, int valueAlphabet,
                            CodedStream.Stored index, CodedStream.Stored values, LayerSizes sizes) {
        boolean sparse() {
            return (flags & SPARSE) != 0;
        }

        boolean shared() {
            return (flags & SHARED) != 0;
        }
    }

    private static Sections parse(MemorySegment b, String source) throws FormatException {
        long size = b.byteSize();
        if (size < HEADER_BYTES) {
            throw new FormatException(source + ": layer encoding of " + size + " bytes is shorter than its "
                    + HEADER_BYTES + "-byte header");
        }
        int version = b.get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        if (version != VERSION) {
            throw new FormatException(source + ": layer encoding version " + version + "; this reader reads version " + VERSION);
        }
        int flags = b.get(ValueLayout.JAVA_BYTE, 1) & 0xFF;
        boolean sparse = (flags & SPARSE) != 0;
        boolean shared = (flags & SHARED) != 0;
        boolean huffman = (flags & HUFFMAN) != 0;
        boolean zeroSymbol = (flags & ZERO_SYMBOL) != 0;
        if ((flags & ~(SPARSE | SHARED | HUFFMAN | ZERO_SYMBOL)) != 0 || (zeroSymbol && !shared)
                || (huffman && !sparse && !shared)) {
            throw new FormatException(source + ": invalid flags 0x" + Integer.toHexString(flags)
                    + " (bits: 1 sparse, 2 shared, 4 huffman with sparse or shared, 8 zero symbol with shared)");
        }
        int relativeIndexBits = b.get(ValueLayout.JAVA_BYTE, 2) & 0xFF;
        if (sparse ? relativeIndexBits < RelativeIndex.MIN_BITS || relativeIndexBits > RelativeIndex.MAX_BITS
                : relativeIndexBits != 0) {
            throw new FormatException(source + ": relativeIndexBits " + relativeIndexBits + ", expected "
                    + (sparse ? RelativeIndex.MIN_BITS + ".." + RelativeIndex.MAX_BITS : "0 for a dense layer"));
        }
        int reserved = b.get(ValueLayout.JAVA_BYTE, 3) & 0xFF;
        if (reserved != 0) {
            throw new FormatException(source + ": reserved header byte 3 is " + reserved + ", expected 0");
        }
        long n = b.get(LONG_LE, 4);
        long m = b.get(LONG_LE, 12);
        long kept = b.get(LONG_LE, 20);
        long k = b.get(INT_LE, 28) & 0xFFFF_FFFFL;
        if (n < 0 || n > MAX_ELEMENTS) {
            throw new FormatException(source + ": declares " + Long.toUnsignedString(n) + " elements; at most "
                    + MAX_ELEMENTS + " are supported");
        }
        if (m < 0 || m > n || (!sparse && m != n)) {
            throw new FormatException(source + ": declares " + Long.toUnsignedString(m) + " entries for " + n + " elements"
                    + (sparse ? " (at most one per element)" : " (a dense layer has one per element)"));
        }
        if (kept < 0 || kept > m) {
            throw new FormatException(source + ": declares " + Long.toUnsignedString(kept) + " kept weights in " + m + " entries");
        }
        if (shared ? k < 1 || k > SharedWeights.MAX_CENTROIDS : k != 0) {
            throw new FormatException(source + ": codebook size " + k + ", expected "
                    + (shared ? "1.." + SharedWeights.MAX_CENTROIDS : "0 without sharing"));
        }

        long offset = HEADER_BYTES;
        float[] codebook = null;
        if (shared) {
            CodedStream.need(b, offset, 4 * k, "codebook of " + k + " centroids", source);
            codebook = new float[(int) k];
            MemorySegment.copy(b, FLOAT_LE, offset, codebook, 0, (int) k);
            offset += 4 * k;
        }

        CodedStream.Stored index = null;
        if (sparse) {
            index = CodedStream.readIndex(b, offset, relativeIndexBits, huffman, m, n, source);
            offset = index.end();
        }

        CodedStream.Stored values;
        int valueAlphabet = (int) k + (zeroSymbol ? 1 : 0);
        if (shared) {
            values = CodedStream.read(b, offset, "codebook-index", valueAlphabet, huffman, fixedWidth(valueAlphabet), m,
                    source);
        } else {
            CodedStream.need(b, offset, 4 * m, m + " raw fp32 values", source);
            values = CodedStream.Stored.bare(32, offset, 32 * m);
        }
        offset = values.end();
        if (offset != size) {
            throw new FormatException(source + ": " + (size - offset) + " bytes follow the last section (at offset " + offset
                    + " of " + size + ")");
        }
        LayerSizes sizes = CodedStream.sizes(n, m, kept, HEADER_BYTES, 4 * k, index, values);
        return new Sections(flags, relativeIndexBits, codebook, valueAlphabet, index, values, sizes);
    }
}
