// Tests of the int8 encoding: exact round trips dense and sparse, with and without Huffman, its sizes, and refusal of malformed bytes.
package dev.condense.compress.layer;

import dev.condense.compress.FormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Int8CodecTest {

    /** A conv layer's weight: [out, in, kH, kW], quantized per output channel (axis 0). */
    static final long[] CONV = {64, 32, 3, 3};
    /** Share of weights kept by pruning in the test layer, Deep Compression's order for conv layers. */
    static final double DENSITY = 0.12;

    private static final LayerOptions DENSE = LayerOptions.dense();
    private static final LayerOptions DENSE_HUFFMAN = LayerOptions.dense().withHuffman(true);
    private static final LayerOptions SPARSE = LayerOptions.deepCompression(5).withHuffman(false);
    private static final LayerOptions SPARSE_HUFFMAN = LayerOptions.deepCompression(5);
    private static final LayerOptions[] ALL = {DENSE, DENSE_HUFFMAN, SPARSE, SPARSE_HUFFMAN,
            LayerOptions.deepCompression(1), LayerOptions.deepCompression(16).withHuffman(false)};

    /** A pruned layer quantized symmetric per output channel: Gaussian weights, |q| ≤ 127, pruned ones 0. */
    record Layer(byte[] values, Int8Quantization quantization) {
    }

    static Layer prunedConv(long seed, double density) {
        Random random = new Random(seed);
        int channels = (int) CONV[0];
        int perChannel = (int) (CONV[1] * CONV[2] * CONV[3]);
        byte[] q = new byte[channels * perChannel];
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            float[] w = new float[perChannel];
            float max = 0;
            for (int i = 0; i < perChannel; i++) {
                w[i] = random.nextDouble() < density ? (float) (random.nextGaussian() * (1 + c % 5)) : 0f;
                max = Math.max(max, Math.abs(w[i]));
            }
            scales[c] = max == 0 ? 1f : max / 127f;
            for (int i = 0; i < perChannel; i++) {
                q[c * perChannel + i] = (byte) Math.round(w[i] / scales[c]);
            }
        }
        return new Layer(q, Int8Quantization.symmetric(0, scales));
    }

    private static String name(LayerOptions o) {
        return (o.sparse() ? "sparse b=" + o.relativeIndexBits() : "dense") + (o.huffman() ? "+huffman" : "");
    }

    @Test
    void roundTripsExactBytesUnderEveryOption() throws FormatException {
        Layer layer = prunedConv(1, DENSITY);
        for (LayerOptions o : ALL) {
            EncodedLayer e = Int8Codec.encode(layer.values(), CONV, layer.quantization(), o);
            assertArrayEquals(layer.values(), Int8Codec.decode(e.bytes(), CONV, "w"), name(o));
            Int8Codec.Header h = Int8Codec.header(e.bytes(), CONV, "w");
            assertEquals(layer.quantization(), h.quantization(), name(o));
            assertEquals(o.sparse(), h.sparse(), name(o));
            assertEquals(o.huffman(), h.huffman(), name(o));
            assertEquals(e.byteSize(), h.sizes().totalBytes(), name(o));
            long nonZero = 0;
            for (byte v : layer.values()) {
                nonZero += v != 0 ? 1 : 0;
            }
            assertEquals(nonZero, h.sizes().keptCount(), name(o));
            assertArrayEquals(layer.quantization().dequantize(layer.values(), CONV),
                    Int8Codec.dequantize(e.bytes(), CONV, "w"), 0f, name(o));
        }
    }

    @Test
    void edgeCasesRoundTrip() throws FormatException {
        byte[][] cases = {new byte[0], new byte[1], {5}, new byte[100_000], allValues()};
        for (byte[] values : cases) {
            long[] dims = {values.length};
            for (LayerOptions o : ALL) {
                EncodedLayer e = Int8Codec.encode(values, dims, Int8Quantization.perTensor(false, 0.5f, 0), o);
                assertArrayEquals(values, Int8Codec.decode(e.bytes(), dims, "t"), values.length + " " + name(o));
            }
        }
        // An all-zero tensor of 100000 sparse at b = 16 is one filler per 65536 positions, and nothing else.
        EncodedLayer zeros = Int8Codec.encode(new byte[100_000], new long[] {100_000}, Int8Quantization.perTensor(false, 1f, 0),
                LayerOptions.deepCompression(16).withHuffman(false));
        assertEquals(1, zeros.sizes().entryCount());
        assertEquals(0, zeros.sizes().keptCount());
        assertEquals(32 + 5 + 8 + 2 + 1, zeros.byteSize());
    }

    private static byte[] allValues() {
        byte[] v = new byte[256];
        for (int i = 0; i < 256; i++) {
            v[i] = (byte) i;
        }
        return v;
    }

    @Test
    void perChannelZeroPointsMarkTheElementsThatAreNotStored() throws FormatException {
        // uint8 along axis 1 of [2, 3, 4]: channel c's pruned weights are stored as its zero point.
        long[] dims = {2, 3, 4};
        byte[] zps = {(byte) 128, 0, (byte) 255};
        Int8Quantization q = new Int8Quantization(true, 1, new float[] {0.5f, 0.25f, 2f}, zps);
        byte[] values = new byte[24];
        for (int p = 0; p < 24; p++) {
            values[p] = zps[(p / 4) % 3];
        }
        values[1] = 7;
        values[9] = 0; // channel 2's zero point is 255, so 0 is a kept value there
        values[22] = 1;
        for (LayerOptions o : new LayerOptions[] {LayerOptions.deepCompression(2), LayerOptions.deepCompression(3).withHuffman(false)}) {
            EncodedLayer e = Int8Codec.encode(values, dims, q, o);
            assertEquals(3, e.sizes().keptCount(), name(o));
            assertArrayEquals(values, Int8Codec.decode(e.bytes(), dims, "t"), name(o));
            Int8Quantization back = Int8Codec.header(e.bytes(), dims, "t").quantization();
            assertEquals(q, back);
            assertArrayEquals(new float[] {0.5f, 0.25f, 2f}, back.scales(), 0f);
            assertEquals(128, back.zeroPoint(0));
            assertEquals(255, back.zeroPoint(2));
            float[] real = Int8Codec.dequantize(e.bytes(), dims, "t");
            assertEquals((7 - 128) * 0.5f, real[1], 0f);
            assertEquals((0 - 255) * 2f, real[9], 0f);
            assertEquals(0f, real[0], 0f);
        }
    }

    @Test
    void sparseIsSmallerForAPrunedLayerAndHuffmanShrinksSkewedValues() {
        Layer layer = prunedConv(2, DENSITY);
        long dense = Int8Codec.encode(layer.values(), CONV, layer.quantization(), DENSE).byteSize();
        long denseHuffman = Int8Codec.encode(layer.values(), CONV, layer.quantization(), DENSE_HUFFMAN).byteSize();
        long sparse = Int8Codec.encode(layer.values(), CONV, layer.quantization(), SPARSE).byteSize();
        long sparseHuffman = Int8Codec.encode(layer.values(), CONV, layer.quantization(), SPARSE_HUFFMAN).byteSize();
        System.out.printf("int8 conv %s, %.0f%% kept: dense %d, dense+Huffman %d, sparse(5) %d, sparse(5)+Huffman %d bytes%n",
                Arrays.toString(CONV), 100 * DENSITY, dense, denseHuffman, sparse, sparseHuffman);
        long n = 64 * 32 * 9;
        assertEquals(32 + 5 * 64 + n, dense, "dense: header, scales and zero points, one byte per weight");
        // At 12% density a kept weight costs 8 + 5 bits sparse against 8 / 0.12 dense: well under half.
        assertTrue(sparse < dense / 2, sparse + " vs " + dense);
        // Gaussian weights scaled to the channel's maximum leave little to gain on the values; gaps a bit more.
        assertTrue(sparseHuffman < sparse, sparseHuffman + " vs " + sparse);
        // Dense, the value stream is mostly the zero symbol: Huffman gives it one bit.
        assertTrue(denseHuffman < dense / 3, denseHuffman + " vs " + dense);
    }

    @Test
    void huffmanShrinksSkewedValues() {
        // Kept values with a geometric magnitude (most of them ±1..±4), as after pruning a heavy-tailed layer.
        Random random = new Random(6);
        byte[] values = new byte[(int) (64 * 32 * 9)];
        for (int p = 0; p < values.length; p++) {
            if (random.nextDouble() < DENSITY) {
                int magnitude = 1 + (int) Math.min(126, -Math.log(random.nextDouble()) * 2);
                values[p] = (byte) (random.nextBoolean() ? magnitude : -magnitude);
            }
        }
        Int8Quantization q = Int8Quantization.symmetric(0, filled(64, 0.01f));
        EncodedLayer plain = Int8Codec.encode(values, CONV, q, SPARSE);
        EncodedLayer coded = Int8Codec.encode(values, CONV, q, SPARSE_HUFFMAN);
        System.out.printf("skewed int8 values: value stream %d bits plain, %d Huffman-coded; total %d vs %d bytes%n",
                plain.sizes().weightBits(), coded.sizes().weightBits(), plain.byteSize(), coded.byteSize());
        assertEquals(8 * plain.sizes().entryCount(), plain.sizes().weightBits());
        assertTrue(coded.sizes().weightBits() < plain.sizes().weightBits() / 2,
                coded.sizes().weightBits() + " vs " + plain.sizes().weightBits());
        assertTrue(coded.byteSize() < plain.byteSize() * 0.7, coded.byteSize() + " vs " + plain.byteSize());
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void encodingIsDeterministic() {
        Layer layer = prunedConv(3, 0.3);
        for (LayerOptions o : ALL) {
            assertArrayEquals(Int8Codec.encode(layer.values(), CONV, layer.quantization(), o).toByteArray(),
                    Int8Codec.encode(layer.values(), CONV, layer.quantization(), o).toByteArray(), name(o));
        }
    }

    // ---- malformed input ----

    private static byte[] encoded(LayerOptions o) {
        Layer layer = prunedConv(4, DENSITY);
        return Int8Codec.encode(layer.values(), CONV, layer.quantization(), o).toByteArray();
    }

    private static String refused(byte[] bytes, long[] dims) {
        return assertThrows(FormatException.class, () -> Int8Codec.decode(MemorySegment.ofArray(bytes), dims, "conv1.weight"))
                .getMessage();
    }

    private static byte[] withFloat(byte[] bytes, int offset, float v) {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putFloat(offset, v);
        return b;
    }

    private static byte[] withLong(byte[] bytes, int offset, long v) {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(offset, v);
        return b;
    }

    private static byte[] withByte(byte[] bytes, int offset, int v) {
        byte[] b = bytes.clone();
        b[offset] = (byte) v;
        return b;
    }

    @Test
    void refusesBadScales() {
        byte[] ok = encoded(SPARSE_HUFFMAN);
        int scale5 = Int8Codec.HEADER_BYTES + 4 * 5;
        assertEquals("conv1.weight: scale 5 is 0.0 (bits 0x0); a scale must be finite and positive",
                refused(withFloat(ok, scale5, 0f), CONV));
        assertTrue(refused(withFloat(ok, scale5, -0.5f), CONV).contains("scale 5 is -0.5"));
        assertTrue(refused(withFloat(ok, scale5, Float.NaN), CONV).contains("scale 5 is NaN"));
        assertTrue(refused(withFloat(ok, scale5, Float.POSITIVE_INFINITY), CONV).contains("scale 5 is Infinity"));
        assertTrue(refused(withFloat(ok, scale5, -0f), CONV).contains("scale 5 is -0.0"));
    }

    @Test
    void refusesHeaderFieldsOutsideTheirRanges() {
        byte[] ok = encoded(SPARSE_HUFFMAN);
        assertEquals("conv1.weight: int8 encoding version 2; this reader reads version 1", refused(withByte(ok, 0, 2), CONV));
        assertTrue(refused(withByte(ok, 1, 0x0B), CONV).contains("invalid int8 flags 0xb"));
        assertTrue(refused(withByte(ok, 2, 17), CONV).contains("relativeIndexBits 17, expected 1..16"));
        assertTrue(refused(withByte(ok, 3, 4), CONV).contains("quantization axis 4 is not a dimension of [64, 32, 3, 3]"));
        assertTrue(refused(withByte(ok, 3, 1), CONV).contains("declares 64 channels (scales and zero points), the axis 1 of"
                + " [64, 32, 3, 3] has 32"));
        assertTrue(refused(withByte(ok, 3, 0xFF), CONV).contains("declares 64 channels (scales and zero points), the per-tensor"
                + " quantization has 1"));
        assertEquals("conv1.weight: int8 encoding declares 18433 elements, the tensor [64, 32, 3, 3] has 18432",
                refused(withLong(ok, 4, 18433), CONV));
        assertTrue(refused(withLong(ok, 12, Long.MAX_VALUE), CONV).contains("entries for 18432 elements"));
        assertTrue(refused(withLong(ok, 20, 1L << 40), CONV).contains("declares 1099511627776 kept weights in"));
        byte[] hugeChannels = withLong(encoded(DENSE), 4, 1L << 30);
        hugeChannels = withByte(withByte(withByte(withByte(hugeChannels, 28, 0), 29, 0), 30, 0), 31, 0x40);
        hugeChannels = withLong(hugeChannels, 12, 1L << 30);
        // dims claim 2^30 channels: 5 GiB of scales, refused from the length before anything is allocated
        long[] wide = {1L << 30};
        assertTrue(refused(hugeChannels, wide).contains("needs"), refused(hugeChannels, wide));
    }

    @Test
    void refusesDimsOtherThanTheEncodedOnes() {
        byte[] ok = encoded(DENSE);
        assertEquals("conv1.weight: int8 encoding declares 18432 elements, the tensor [64, 32, 3, 4] has 24576",
                refused(ok, new long[] {64, 32, 3, 4}));
        assertTrue(refused(ok, new long[] {32, 64, 3, 3}).contains("declares 64 channels (scales and zero points), the axis 0"
                + " of [32, 64, 3, 3] has 32"));
    }

    @Test
    void refusesKeptCountsFillersAndTrailingBytes() {
        byte[] ok = encoded(SPARSE);
        long kept = ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getLong(20);
        assertEquals("conv1.weight: header declares " + (kept - 1) + " kept weights (values other than the zero point) but the"
                + " streams hold " + kept, refused(withLong(ok, 20, kept - 1), CONV));
        byte[] longer = Arrays.copyOf(ok, ok.length + 1);
        assertEquals("conv1.weight: 1 bytes follow the last section (at offset " + ok.length + " of " + longer.length + ")",
                refused(longer, CONV));
        // A stored zero (the zero point) must be a filler: 3 elements, kept at 0 and 2, b = 1 so no filler is needed.
        long[] dims = {3};
        byte[] small = Int8Codec.encode(new byte[] {1, 0, 1}, dims, Int8Quantization.perTensor(false, 1f, 0),
                LayerOptions.deepCompression(1).withHuffman(false)).toByteArray();
        // m = 2, gaps 1 and 2 (bits 0 1); rewrite the first value to 0: a zero entry with gap 1.
        int values = small.length - 2;
        assertEquals(1, small[values]);
        byte[] zeroEntry = withLong(withByte(small, values, 0), 20, 1);
        assertEquals("conv1.weight: value stream: entry 0 at position 0 holds its channel's zero point 0 with gap 1; such an"
                + " entry is a filler, whose gap must be 2", refused(zeroEntry, dims));
    }

    @Test
    void refusesCorruptedHuffmanStreams() {
        byte[] ok = encoded(SPARSE_HUFFMAN);
        // Every truncation fails with a FormatException, never an unchecked exception.
        for (int length = 0; length < ok.length; length++) {
            byte[] cut = Arrays.copyOf(ok, length);
            assertThrows(FormatException.class, () -> Int8Codec.decode(MemorySegment.ofArray(cut), CONV, "cut"),
                    "cut at " + length);
        }
        // Flipping bytes in the streams either fails with a FormatException or decodes to different bytes.
        Random random = new Random(5);
        Layer layer = prunedConv(4, DENSITY);
        int failures = 0;
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = ok.clone();
            int at = Int8Codec.HEADER_BYTES + 5 * 64 + random.nextInt(b.length - Int8Codec.HEADER_BYTES - 5 * 64);
            b[at] ^= (byte) (1 + random.nextInt(255));
            try {
                byte[] back = Int8Codec.decode(MemorySegment.ofArray(b), CONV, "flipped");
                assertFalse(Arrays.equals(layer.values(), back), "a flip at " + at + " went unnoticed");
            } catch (FormatException e) {
                assertTrue(e.getMessage().startsWith("flipped: "), e.getMessage());
                failures++;
            }
        }
        assertTrue(failures > 100, failures + " of 300 flips refused");
        // The value table declared one byte longer than its tokens fill.
        byte[] dense = encoded(DENSE_HUFFMAN);
        int table = Int8Codec.HEADER_BYTES + 5 * 64;
        int length = ByteBuffer.wrap(dense).order(ByteOrder.LITTLE_ENDIAN).getInt(table);
        byte[] b = dense.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(table, length + 1);
        assertTrue(refused(b, CONV).contains("value code-length table"), refused(b, CONV));
    }

    @Test
    void encoderAndQuantizationRejectInconsistentInput() {
        assertEquals("zero point 200 outside -128..127 (int8)",
                assertThrows(IllegalArgumentException.class, () -> Int8Quantization.perTensor(false, 1f, 200)).getMessage());
        assertEquals("zero point -1 outside 0..255 (uint8)",
                assertThrows(IllegalArgumentException.class, () -> Int8Quantization.perTensor(true, 1f, -1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Int8Quantization.symmetric(0, 1f, 0f)).getMessage()
                .contains("scale 1 is 0.0"));
        assertThrows(IllegalArgumentException.class, () -> Int8Quantization.symmetric(0, Float.NaN));
        assertEquals("quantization axis 0 of [3, 2] has 3 channels, 2 scales and zero points given",
                assertThrows(IllegalArgumentException.class, () -> Int8Codec.encode(new byte[6], new long[] {3, 2},
                        Int8Quantization.symmetric(0, 1f, 1f), DENSE)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Int8Codec.encode(new byte[5], new long[] {3, 2},
                Int8Quantization.perTensor(false, 1f, 0), DENSE));
    }
}
