// Tests of the int8 layout planner: its predicted size is the encoding's to the byte, and no other layout is smaller.
package dev.condense.compress.pipeline;

import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.layer.LayerOptions;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Int8LayoutTest {

    /** int8 symmetric per channel along axis 0, or uint8 along axis 1 with a different zero point per channel. */
    private static Int8Quantization quantization(boolean unsigned, long[] dims) {
        if (!unsigned) {
            float[] scales = new float[(int) dims[0]];
            java.util.Arrays.fill(scales, 0.01f);
            return Int8Quantization.symmetric(0, scales);
        }
        int channels = (int) dims[1];
        float[] scales = new float[channels];
        byte[] zeroPoints = new byte[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = 0.01f * (c + 1);
            zeroPoints[c] = (byte) (100 + 10 * c);
        }
        return new Int8Quantization(true, 1, scales, zeroPoints);
    }

    private static byte[] values(Random random, long[] dims, Int8Quantization q, double density) {
        int n = (int) (dims[0] * dims[1] * dims[2]);
        long inner = q.inner(dims);
        byte[] v = new byte[n];
        for (int p = 0; p < n; p++) {
            int c = (int) ((p / inner) % q.channels());
            int zero = q.zeroPoint(c);
            int value = random.nextDouble() < density ? zero + 1 + (int) Math.abs(random.nextGaussian() * 10) : zero;
            v[p] = (byte) Math.min(q.unsigned() ? 255 : 127, value);
        }
        return v;
    }

    @Test
    void thePredictionIsTheEncodingsSizeAndTheSmallest() {
        Random random = new Random(11);
        long[] dims = {16, 6, 300};
        for (boolean unsigned : new boolean[] {false, true}) {
            Int8Quantization q = quantization(unsigned, dims);
            for (double density : new double[] {0, 0.002, 0.05, 0.3, 0.9, 1}) {
                byte[] v = values(random, dims, q, density);
                for (boolean huffman : new boolean[] {false, true}) {
                    for (int rule : new int[] {LayerLayout.AUTO, 1, 4, 16}) {
                        String what = (unsigned ? "uint8" : "int8") + " density " + density + " huffman " + huffman
                                + " rule " + rule;
                        Int8Layout layout = Int8Layout.choose(v, dims, q, huffman, HuffmanCode.DEFAULT_LENGTH_LIMIT, rule);
                        LayerOptions chosen = new LayerOptions(layout.sparse(), layout.sparse() ? layout.relativeIndexBits() : 8,
                                layout.huffman(), HuffmanCode.DEFAULT_LENGTH_LIMIT);
                        assertEquals(layout.bytes(), Int8Codec.encode(v, dims, q, chosen).byteSize(), what);
                        assertTrue(huffman || !layout.huffman(), what);
                        // No layout the rule allows is smaller.
                        int from = rule == LayerLayout.AUTO ? 1 : rule;
                        int to = rule == LayerLayout.AUTO ? 16 : rule;
                        for (boolean h : huffman ? new boolean[] {false, true} : new boolean[] {false}) {
                            LayerOptions dense = LayerOptions.dense().withHuffman(h);
                            assertTrue(layout.bytes() <= Int8Codec.encode(v, dims, q, dense).byteSize(), what + " dense " + h);
                            for (int b = from; b <= to; b++) {
                                LayerOptions sparse = LayerOptions.deepCompression(b).withHuffman(h);
                                assertTrue(layout.bytes() <= Int8Codec.encode(v, dims, q, sparse).byteSize(),
                                        what + " sparse " + b + " " + h);
                            }
                        }
                        if (density >= 0.9) {
                            assertFalse(layout.sparse(), what + ": nearly every weight kept is stored dense");
                        }
                        if (density <= 0.05 && (rule == LayerLayout.AUTO || rule == 16)) {
                            // (With 1-bit gaps every other position is a filler, and dense wins.)
                            assertTrue(layout.sparse(), what + ": a layer pruned to 5% is stored sparse");
                        }
                    }
                }
            }
        }
    }
}
