// Tests of the layer encoding: exact round trips over every option, size accounting, and rejection of malformed bytes.
package dev.condense.compress.layer;

import dev.condense.compress.FormatException;
import dev.condense.compress.bits.BitWriter;
import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerCodecTest {

    /** The codec is lossless with respect to {@link LayerCodec#reconstruct}: not one bit may differ. */
    private static final int ROUND_TRIP_DIFFERING_BITS = 0;

    private static void assertBitExact(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            int differing = Integer.bitCount(Float.floatToRawIntBits(expected[i]) ^ Float.floatToRawIntBits(actual[i]));
            if (differing > ROUND_TRIP_DIFFERING_BITS) {
                assertEquals(expected[i], actual[i], what + ": element " + i);
            }
        }
    }

    private static float[] pruned(Random random, int n, double density) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            if (random.nextDouble() < density) {
                float v = (float) random.nextGaussian();
                w[i] = v == 0 ? 1e-3f : v;
            }
        }
        return w;
    }

    private static SharedWeights sharing(Random random, int n, int k) {
        float[] codebook = new float[k];
        for (int c = 0; c < k; c++) {
            codebook[c] = (float) random.nextGaussian();
        }
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            // Skewed so that Huffman coding has something to gain.
            indices[i] = Math.min(k - 1, (int) Math.abs(random.nextGaussian() * k / 4));
        }
        return new SharedWeights(codebook, indices);
    }

    private static LayerOptions[] allOptions(int relativeIndexBits) {
        return new LayerOptions[] {
            LayerOptions.deepCompression(relativeIndexBits),
            LayerOptions.deepCompression(relativeIndexBits).withHuffman(false),
            LayerOptions.dense(),
            LayerOptions.dense().withHuffman(true),
        };
    }

    private static float[] roundTrip(float[] w, SharedWeights s, LayerOptions o) throws FormatException {
        EncodedLayer encoded = s == null ? LayerCodec.encode(w, o) : LayerCodec.encode(w, s, o);
        assertEquals(encoded.sizes(), LayerCodec.sizes(encoded.bytes(), "layer"), "sizes parsed back for " + o);
        float[] decoded = LayerCodec.decode(encoded.bytes(), "layer");
        assertBitExact(s == null ? LayerCodec.reconstruct(w) : LayerCodec.reconstruct(w, s), decoded, o + (s == null ? " raw" : " shared k=" + s.size()));
        return decoded;
    }

    @Test
    void roundTripsRandomLayersUnderEveryOption() throws FormatException {
        Random random = new Random(1);
        for (int trial = 0; trial < 60; trial++) {
            int n = random.nextInt(20_000);
            float[] w = pruned(random, n, new double[] {0, 0.01, 0.1, 0.5, 1}[trial % 5]);
            int bits = new int[] {1, 2, 4, 5, 8, 16}[trial % 6];
            int k = new int[] {1, 2, 16, 32, 256, 3000}[random.nextInt(6)];
            SharedWeights s = sharing(random, n, k);
            for (LayerOptions o : allOptions(bits)) {
                roundTrip(w, null, o);
                roundTrip(w, s, o);
            }
        }
    }

    @Test
    void adversarialLayers() throws FormatException {
        Random random = new Random(2);
        int n = 10_000;
        float[] allZero = new float[n];
        float[] allNonZero = pruned(random, n, 1.1);
        float[] lastOnly = new float[n];
        lastOnly[n - 1] = 0.5f;
        float[] firstOnly = new float[n];
        firstOnly[0] = -2f;
        float[] atMaxGap = new float[n];
        float[] aboveMaxGap = new float[n];
        for (int i = 31; i < n; i += 32) {
            atMaxGap[i] = 1f;
        }
        for (int i = 32; i < n; i += 33) {
            aboveMaxGap[i] = 1f;
        }
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, 0f, 1f};
        for (float[] w : new float[][] {allZero, allNonZero, lastOnly, firstOnly, atMaxGap, aboveMaxGap, specials, new float[0]}) {
            SharedWeights s = sharing(random, w.length, 7);
            for (int bits : new int[] {1, 5, 16}) {
                for (LayerOptions o : allOptions(bits)) {
                    roundTrip(w, null, o);
                    roundTrip(w, s, o);
                }
            }
        }
        // -0.0 is pruned and decodes to +0.0; NaN is kept bit for bit.
        float[] decoded = roundTrip(specials, null, LayerOptions.deepCompression(4));
        assertEquals(0, Float.floatToRawIntBits(decoded[2]));
        assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(decoded[0]));
    }

    @Test
    void fillersAreCountedAndGapsAtTheMaximumNeedNone() throws FormatException {
        float[] atMax = new float[64];
        atMax[31] = 1f;
        atMax[63] = 2f;
        LayerSizes exact = LayerCodec.encode(atMax, LayerOptions.deepCompression(5).withHuffman(false)).sizes();
        assertEquals(2, exact.entryCount());
        assertEquals(0, exact.fillerCount());
        assertEquals(10, exact.indexBits());

        float[] above = new float[65];
        above[32] = 1f;
        above[64] = 2f;
        LayerSizes withFiller = LayerCodec.encode(above, LayerOptions.deepCompression(5).withHuffman(false)).sizes();
        assertEquals(3, withFiller.entryCount());
        assertEquals(1, withFiller.fillerCount());
        assertEquals(2, withFiller.keptCount());
        assertEquals(15, withFiller.indexBits());
        assertEquals(3 * 32, withFiller.weightBits());
    }

    @Test
    void hugeAllZeroLayerCostsOneFillerPerMaximalGap() throws FormatException {
        int n = 5_000_000;
        EncodedLayer encoded = LayerCodec.encode(new float[n], sharing(new Random(3), n, 4), LayerOptions.deepCompression(16));
        // 5,000,000 / 65,536: 76 fillers, each one bit of index and one bit of value with single-symbol codes.
        assertEquals(76, encoded.sizes().entryCount());
        assertEquals(76, encoded.sizes().indexBits());
        assertEquals(76, encoded.sizes().weightBits());
        assertTrue(encoded.byteSize() < 200, encoded.byteSize() + " bytes");
        float[] decoded = LayerCodec.decode(encoded.bytes(), "zeros");
        assertEquals(n, decoded.length);
        for (float v : decoded) {
            assertEquals(0f, v);
        }
    }

    @Test
    void largestCodebookRoundTripsWithHuffmanAndFixedWidth() throws FormatException {
        Random random = new Random(4);
        int n = 200_000;
        float[] w = pruned(random, n, 0.7);
        float[] codebook = new float[SharedWeights.MAX_CENTROIDS];
        for (int c = 0; c < codebook.length; c++) {
            codebook[c] = c * 1e-4f;
        }
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            indices[i] = random.nextInt(codebook.length);
        }
        SharedWeights s = new SharedWeights(codebook, indices);
        roundTrip(w, s, LayerOptions.deepCompression(8));
        roundTrip(w, s, LayerOptions.dense());
        roundTrip(w, s, LayerOptions.dense().withHuffman(true));
    }

    @Test
    void memorySegmentInputEncodesLikeTheArray() throws FormatException {
        Random random = new Random(5);
        float[] w = pruned(random, 3000, 0.2);
        SharedWeights s = sharing(random, 3000, 32);
        MemorySegment le = Tensor.ofFloats("w", new long[] {3000}, w).data();
        for (LayerOptions o : allOptions(5)) {
            assertEquals(-1, LayerCodec.encode(w, o).bytes().mismatch(LayerCodec.encode(le, o).bytes()), o.toString());
            assertEquals(-1, LayerCodec.encode(w, s, o).bytes().mismatch(LayerCodec.encode(le, s, o).bytes()), o.toString());
        }
    }

    @Test
    void encodingIsDeterministic() {
        Random random = new Random(6);
        float[] w = pruned(random, 5000, 0.3);
        SharedWeights s = sharing(random, 5000, 64);
        byte[] first = LayerCodec.encode(w, s, LayerOptions.deepCompression(5)).toByteArray();
        byte[] second = LayerCodec.encode(w.clone(), new SharedWeights(s.codebook(), s.indices()), LayerOptions.deepCompression(5)).toByteArray();
        assertArrayEquals(first, second);
    }

    @Test
    void partsSumToTheEncodingAndHuffmanShrinksSkewedStreams() {
        Random random = new Random(7);
        int n = 100_000;
        float[] w = pruned(random, n, 0.1);
        SharedWeights s = sharing(random, n, 32);
        LayerSizes fixed = LayerCodec.encode(w, s, LayerOptions.deepCompression(5).withHuffman(false)).sizes();
        LayerSizes huffman = LayerCodec.encode(w, s, LayerOptions.deepCompression(5)).sizes();
        assertEquals(fixed.entryCount(), huffman.entryCount());
        assertEquals(fixed.entryCount() * 5, fixed.indexBits());
        assertEquals(fixed.entryCount() * 6, fixed.weightBits(), "32 centroids and the zero symbol: 6 bits");
        assertEquals(0, fixed.huffmanTableBytes());
        assertTrue(huffman.huffmanTableBytes() > 0);
        assertTrue(huffman.indexBits() < fixed.indexBits(), huffman.indexBits() + " vs " + fixed.indexBits());
        assertTrue(huffman.weightBits() < fixed.weightBits(), huffman.weightBits() + " vs " + fixed.weightBits());
        assertEquals(LayerCodec.HEADER_BYTES + 16, fixed.headerBytes());
        assertEquals(LayerCodec.HEADER_BYTES + 24, huffman.headerBytes());
        assertEquals(32 * 4, huffman.codebookBytes());
    }

    @Test
    void compressionRateFormulaMatchesAFixedWidthSharedEncoding() {
        // Deep Compression, section 3: r = n*b / (n*log2(k) + k*b) for n weights of b bits shared among k centroids.
        Random random = new Random(8);
        int n = 250_000;
        int b = 32;
        float[] w = pruned(random, n, 1.1);
        for (int k : new int[] {2, 16, 256}) {
            SharedWeights s = sharing(random, n, k);
            EncodedLayer encoded = LayerCodec.encode(w, s, LayerOptions.dense());
            double log2k = Math.log(k) / Math.log(2);
            double formulaBits = n * log2k + (double) k * b;
            long overhead = LayerCodec.HEADER_BYTES + 8;
            assertEquals(formulaBits / 8, encoded.byteSize() - overhead, 1.0, "k=" + k);
            double rate = n * (double) b / formulaBits;
            assertEquals(rate, encoded.sizes().compressionRate(), rate * overhead / encoded.byteSize() + 1e-9, "k=" + k);
        }
    }

    // ---- rejection ----

    private static String error(byte[] bytes) {
        return assertThrows(FormatException.class, () -> LayerCodec.decode(bytes, "conv1.weight")).getMessage();
    }

    /** A header with the given fields, followed by {@code rest}. */
    private static byte[] header(int flags, int bits, long n, long m, long kept, int k, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(LayerCodec.HEADER_BYTES + rest.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 1).put((byte) flags).put((byte) bits).put((byte) 0).putLong(n).putLong(m).putLong(kept).putInt(k).put(rest);
        return b.array();
    }

    @Test
    void hugeDeclaredCountsInASmallEntryFailBeforeAllocating() {
        byte[] rest = new byte[100 - LayerCodec.HEADER_BYTES];
        assertEquals("conv1.weight: declares 2147483648 elements; at most 2147483639 are supported",
                error(header(0, 0, 1L << 31, 1L << 31, 0, 0, rest)));
        assertEquals("conv1.weight: 4000000 raw fp32 values needs 16000000 bytes at offset 32 but only 68 of the encoding's 100 remain",
                error(header(0, 0, 4_000_000, 4_000_000, 0, 0, rest)));
        // Sparse: 0 entries cannot span 2^30 elements even with 16-bit gaps.
        ByteBuffer stream = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0);
        byte[] sparse = header(LayerCodec.SPARSE, 16, 1L << 30, 0, 0, 0, stream.array());
        assertEquals("conv1.weight: 0 entries with gaps of at most 65536 cannot span 1073741824 elements (at most 65536)",
                error(sparse));
        // More entries than index bits.
        ByteBuffer bits = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(30).putInt(0);
        assertEquals("conv1.weight: index stream of 30 bits cannot hold 7 entries (exactly 5 bits each)",
                error(header(LayerCodec.SPARSE, 5, 100, 7, 7, 0, bits.array())));
        assertEquals("conv1.weight: codebook size 4294967295, expected 1..65535",
                error(header(LayerCodec.SHARED, 0, 10, 10, 10, -1, rest)));
        assertEquals("conv1.weight: index stream declares 9223372036854775807 bits but only 0 bytes remain",
                error(header(LayerCodec.SPARSE, 5, 10, 1, 1, 0, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(Long.MAX_VALUE).array())));
    }

    @Test
    void rejectsHeaderFieldsOutsideTheirRanges() {
        byte[] valid = LayerCodec.encode(new float[] {0, 1, 0, 2}, LayerOptions.deepCompression(3)).toByteArray();
        byte[] version = valid.clone();
        version[0] = 2;
        assertEquals("conv1.weight: layer encoding version 2; this reader reads version 1", error(version));
        byte[] flags = valid.clone();
        flags[1] = (byte) 0x10;
        assertTrue(error(flags).startsWith("conv1.weight: invalid flags 0x10"));
        byte[] bits = valid.clone();
        bits[2] = 17;
        assertEquals("conv1.weight: relativeIndexBits 17, expected 1..16", error(bits));
        byte[] reserved = valid.clone();
        reserved[3] = 1;
        assertEquals("conv1.weight: reserved header byte 3 is 1, expected 0", error(reserved));
        byte[] trailing = Arrays.copyOf(valid, valid.length + 1);
        assertTrue(error(trailing).startsWith("conv1.weight: 1 bytes follow the last section"), error(trailing));
        assertEquals("conv1.weight: layer encoding of 5 bytes is shorter than its 32-byte header", error(new byte[5]));
    }

    @Test
    void rejectsAFillerWhoseGapIsNotTheMaximum() {
        // n = 3, sparse with 2-bit gaps, one entry at position 0 carrying the zero symbol (k = 1, alphabet 2).
        BitWriter index = new BitWriter();
        index.write(0, 2);
        BitWriter values = new BitWriter();
        values.write(1, 1);
        ByteBuffer rest = ByteBuffer.allocate(4 + 8 + 1 + 8 + 1).order(ByteOrder.LITTLE_ENDIAN);
        rest.putFloat(0.5f).putLong(2).put(index.toByteArray()).putLong(1).put(values.toByteArray());
        byte[] bytes = header(LayerCodec.SPARSE | LayerCodec.SHARED | LayerCodec.ZERO_SYMBOL, 2, 3, 1, 0, 1, rest.array());
        assertEquals("conv1.weight: codebook-index stream: entry 0 at position 0 is a zero (index 1) with gap 1; a filler's gap must be 4",
                error(bytes));
    }

    @Test
    void rejectsAKeptCountThatDisagreesWithTheStreams() {
        byte[] valid = LayerCodec.encode(new float[] {0, 1, 0, 2}, LayerOptions.deepCompression(3)).toByteArray();
        byte[] wrong = valid.clone();
        wrong[20] = 1;
        assertEquals("conv1.weight: header declares 1 kept weights but the streams hold 2", error(wrong));
    }

    @Test
    void everyTruncationFailsWithFormatException() {
        Random random = new Random(9);
        float[] w = pruned(random, 2000, 0.2);
        SharedWeights s = sharing(random, 2000, 20);
        for (LayerOptions o : allOptions(4)) {
            byte[] valid = LayerCodec.encode(w, s, o).toByteArray();
            for (int length = 0; length < valid.length; length++) {
                byte[] cut = Arrays.copyOf(valid, length);
                String message = assertThrows(FormatException.class, () -> LayerCodec.decode(cut, "cut"), o + " at " + length)
                        .getMessage();
                assertTrue(message.startsWith("cut: "), message);
            }
        }
    }

    @Test
    void flippedBytesFailWithFormatExceptionOrDecodeButNeverThrowUnchecked() {
        Random random = new Random(10);
        float[] w = pruned(random, 3000, 0.15);
        SharedWeights s = sharing(random, 3000, 24);
        int rejected = 0;
        int trials = 0;
        for (LayerOptions o : allOptions(4)) {
            for (SharedWeights sharing : new SharedWeights[] {s, null}) {
                byte[] valid = (sharing == null ? LayerCodec.encode(w, o) : LayerCodec.encode(w, sharing, o)).toByteArray();
                for (int trial = 0; trial < 300; trial++) {
                    byte[] bad = valid.clone();
                    int at = trial < 64 ? trial % valid.length : random.nextInt(valid.length);
                    bad[at] ^= (byte) (1 << random.nextInt(8));
                    trials++;
                    try {
                        // A flip in a value or in the element count may decode: only the container's checksums catch those.
                        LayerCodec.decode(bad, "flip");
                    } catch (FormatException e) {
                        rejected++;
                        assertTrue(e.getMessage().startsWith("flip"), e.getMessage());
                    }
                }
            }
        }
        // The layer encoding has no checksum of its own (the container has); its structure still catches most flips.
        assertTrue(rejected > trials / 4, rejected + " of " + trials + " flips rejected");
    }

    @Test
    void encoderRejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class,
                () -> LayerCodec.encode(new float[3], new SharedWeights(new float[2], new int[4]), LayerOptions.dense()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerCodec.encode(new float[] {1, 2}, new SharedWeights(new float[2], new int[] {0, 2}), LayerOptions.dense()));
        assertEquals("kept weight 1 has codebook index 2, outside 0..1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SharedWeights(new float[65536], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> LayerOptions.deepCompression(0));
        assertThrows(IllegalArgumentException.class, () -> LayerOptions.deepCompression(5).withHuffmanLengthLimit(17));
    }
}
