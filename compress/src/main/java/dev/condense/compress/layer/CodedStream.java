// The symbol stream sections that the layer and int8 encodings share: optional Huffman code-length table, bit length, bits.
package dev.condense.compress.layer;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitReader;
import dev.condense.compress.bits.BitWriter;
import dev.condense.compress.huffman.CodeLengthTable;
import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.huffman.HuffmanDecoder;
import dev.condense.compress.huffman.HuffmanEncoder;
import dev.condense.compress.sparse.RelativeIndex;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.IntPredicate;
import java.util.function.IntUnaryOperator;

/**
 * One section of {@link LayerCodec}'s and {@link Int8Codec}'s encodings (docs/FORMAT.md, sections 4
 * and 5) that holds a stream of symbols: when Huffman-coded, a u32 length and the code-length table of
 * {@link CodeLengthTable}; then the stream's u64 bit length; then its bits, MSB-first, padded with zero
 * bits to a whole byte. Without Huffman every symbol takes the same {@code width} bits. The relative
 * index of a sparse encoding is such a stream, each gap stored as {@code gap - 1}.
 *
 * <p>Reading checks every length against the bytes present and the bit length against the entry
 * count before anything is allocated; messages name the section as {@code "<name> stream"} and
 * {@code "<name> code-length table"}.
 */
final class CodedStream {

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private CodedStream() {
    }

    // ---- encoding ----

    /** A stream ready to write: its code-length table (null at fixed width) and the bits. */
    record Encoded(byte[] table, BitWriter stream) {
        static final Encoded NONE = new Encoded(null, new BitWriter());

        long tableBytes() {
            return table == null ? 0 : table.length;
        }

        /** Writes the section at {@code offset} of {@code out}; returns the offset after it. */
        long put(MemorySegment out, long offset) {
            if (table != null) {
                out.set(INT_LE, offset, table.length);
                offset += 4;
                MemorySegment.copy(table, 0, out, ValueLayout.JAVA_BYTE, offset, table.length);
                offset += table.length;
            }
            out.set(LONG_LE, offset, stream.bitLength());
            offset += 8;
            byte[] bits = stream.toByteArray();
            MemorySegment.copy(bits, 0, out, ValueLayout.JAVA_BYTE, offset, bits.length);
            return offset + bits.length;
        }
    }

    /**
     * Codes {@code count} symbols ({@code symbolAt(i)}, each in {@code 0..alphabet-1}): with the
     * Huffman code their frequencies give (lengths at most {@code lengthLimit}), or at {@code width} bits.
     */
    static Encoded encode(int count, IntUnaryOperator symbolAt, int alphabet, int width, boolean huffman, int lengthLimit) {
        BitWriter stream = new BitWriter((int) Math.min(LayerCodec.MAX_ELEMENTS, (long) count * width / 8 + 16));
        if (!huffman) {
            for (int i = 0; i < count; i++) {
                stream.write(symbolAt.applyAsInt(i), width);
            }
            return new Encoded(null, stream);
        }
        long[] frequencies = new long[alphabet];
        for (int i = 0; i < count; i++) {
            frequencies[symbolAt.applyAsInt(i)]++;
        }
        HuffmanCode code = HuffmanCode.build(frequencies, lengthLimit);
        HuffmanEncoder encoder = code.encoder();
        for (int i = 0; i < count; i++) {
            encoder.encode(symbolAt.applyAsInt(i), stream);
        }
        return new Encoded(CodeLengthTable.toBytes(code), stream);
    }

    /** The gaps of the relative index over the positions {@code 0..elements-1} where {@code kept} holds, fillers included. */
    static int[] indexGaps(int elements, IntPredicate kept, int relativeIndexBits) {
        int count = 0;
        for (int p = 0; p < elements; p++) {
            count += kept.test(p) ? 1 : 0;
        }
        int[] positions = new int[count];
        int k = 0;
        for (int p = 0; p < elements; p++) {
            if (kept.test(p)) {
                positions[k++] = p;
            }
        }
        return RelativeIndex.of(positions, elements, relativeIndexBits).gaps();
    }

    /** The relative indices, each stored as {@code gap - 1}. */
    static Encoded encodeIndex(int[] gaps, int relativeIndexBits, boolean huffman, int lengthLimit) {
        return encode(gaps.length, i -> gaps[i] - 1, 1 << relativeIndexBits, relativeIndexBits, huffman, lengthLimit);
    }

    // ---- decoding ----

    /**
     * A section found in an encoding, its lengths checked: the code (null at fixed width), the symbol
     * width without one, where the bits start and how many, the code-length table's bytes, and the
     * bytes of its length fields (the table's u32 length when Huffman-coded, the u64 bit length).
     */
    record Stored(HuffmanCode code, int width, long offset, long bitLength, long tableBytes, long lengthFieldBytes) {

        /** The bits of a section that is only a stream, without table or length fields. */
        static Stored bare(int width, long offset, long bitLength) {
            return new Stored(null, width, offset, bitLength, 0, 0);
        }

        /** The offset just past its bits. */
        long end() {
            return offset + (bitLength + 7) / 8;
        }

        /** A reader of its symbols; {@code stream} names it in error messages. */
        Symbols open(MemorySegment bytes, String stream) {
            return new Symbols(new BitReader(bytes, offset, bitLength, stream), code == null ? null : code.decoder(), width);
        }
    }

    /** Reads the symbols of one stream in order, Huffman-decoded or at a fixed width. */
    static final class Symbols {
        private final BitReader in;
        private final HuffmanDecoder decoder;
        private final int width;

        private Symbols(BitReader in, HuffmanDecoder decoder, int width) {
            this.in = in;
            this.decoder = decoder;
            this.width = width;
        }

        int next() throws FormatException {
            return decoder != null ? decoder.decode(in) : in.read(width);
        }

        /** Checks that the stream holds nothing after the last symbol. */
        void expectEnd() throws FormatException {
            in.expectEnd();
        }
    }

    /**
     * Reads the section {@code name} at {@code offset} of {@code b}: a stream of {@code entries}
     * symbols from {@code alphabet}, Huffman-coded or {@code width} bits each.
     */
    static Stored read(MemorySegment b, long offset, String name, int alphabet, boolean huffman, int width, long entries,
                       String source) throws FormatException {
        HuffmanCode code = null;
        long tableBytes = 0;
        if (huffman) {
            tableBytes = readU32(b, offset, name + " code-length table length", source);
            offset += 4;
            need(b, offset, tableBytes, name + " code-length table", source);
            code = CodeLengthTable.read(b, offset, tableBytes, alphabet, source + ": " + name + " code-length table");
            offset += tableBytes;
        }
        long bits = readBitLength(b, offset, name + " stream", source);
        offset += 8;
        if (huffman ? entries > bits : bits != entries * width) {
            throw new FormatException(source + ": " + name + " stream of " + bits + " bits cannot hold " + entries
                    + " entries (" + (huffman ? "at least 1 bit each" : "exactly " + width + " bits each") + ")");
        }
        return new Stored(code, width, offset, bits, tableBytes, (huffman ? 4 : 0) + 8);
    }

    /**
     * Reads the relative index of {@code entries} gaps over {@code elements} elements, checking also
     * that gaps of at most {@code 2^relativeIndexBits} can span the elements.
     */
    static Stored readIndex(MemorySegment b, long offset, int relativeIndexBits, boolean huffman, long entries,
                            long elements, String source) throws FormatException {
        int alphabet = 1 << relativeIndexBits;
        Stored index = read(b, offset, "index", alphabet, huffman, relativeIndexBits, entries, source);
        if (elements > (entries + 1) << relativeIndexBits) {
            throw new FormatException(source + ": " + entries + " entries with gaps of at most " + alphabet
                    + " cannot span " + elements + " elements (at most " + ((entries + 1) << relativeIndexBits) + ")");
        }
        return index;
    }

    /** The positions of the {@code entries} entries that the relative index {@code index} of {@code b} gives. */
    static int[] positions(MemorySegment b, Stored index, int relativeIndexBits, int elements, int entries, String source)
            throws FormatException {
        String stream = source + ": index stream";
        int[] gaps = new int[entries];
        Symbols in = index.open(b, stream);
        for (int i = 0; i < entries; i++) {
            gaps[i] = in.next() + 1;
        }
        in.expectEnd();
        return RelativeIndex.toPositions(relativeIndexBits, elements, gaps, stream);
    }

    /**
     * The part-by-part sizes of an encoding with a fixed header of {@code fixedHeaderBytes}, from its
     * index (null when dense) and value sections.
     */
    static LayerSizes sizes(long elements, long entries, long kept, long fixedHeaderBytes, long codebookBytes,
                            Stored index, Stored values) {
        long indexFieldBytes = index == null ? 0 : index.lengthFieldBytes();
        long indexTableBytes = index == null ? 0 : index.tableBytes();
        long indexBits = index == null ? 0 : index.bitLength();
        return new LayerSizes(elements, entries, kept, fixedHeaderBytes + indexFieldBytes + values.lengthFieldBytes(),
                codebookBytes, indexTableBytes + values.tableBytes(), indexBits, values.bitLength());
    }

    /** Checks that {@code length} bytes at {@code offset} lie within the encoding; {@code what} names them. */
    static void need(MemorySegment b, long offset, long length, String what, String source) throws FormatException {
        if (length < 0 || length > b.byteSize() - offset) {
            throw new FormatException(source + ": " + what + " needs " + length + " bytes at offset " + offset + " but only "
                    + Math.max(0, b.byteSize() - offset) + " of the encoding's " + b.byteSize() + " remain");
        }
    }

    private static long readU32(MemorySegment b, long offset, String what, String source) throws FormatException {
        need(b, offset, 4, what, source);
        return b.get(INT_LE, offset) & 0xFFFF_FFFFL;
    }

    /** A section's bit length, checked to fit in the bytes after its length field. */
    private static long readBitLength(MemorySegment b, long offset, String what, String source) throws FormatException {
        need(b, offset, 8, what + " bit length", source);
        long bits = b.get(LONG_LE, offset);
        long available = b.byteSize() - offset - 8;
        if (bits < 0 || bits > available * 8) {
            throw new FormatException(source + ": " + what + " declares " + Long.toUnsignedString(bits) + " bits but only "
                    + available + " bytes remain");
        }
        return bits;
    }
}
