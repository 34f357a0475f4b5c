// Tests of the layout planner: its predicted sizes are the codec's to the byte, and it picks the smallest layout.
package dev.condense.compress.pipeline;

import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.layer.EncodedLayer;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.compress.layer.SharedWeights;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerLayoutTest {

    private static final int LIMIT = HuffmanCode.DEFAULT_LENGTH_LIMIT;

    /**
     * The entropy bound: a random mask of density p costs at least n H(p) bits, the codebook
     * indices at least their empirical entropy. With Huffman coding both streams stay within this
     * share of it (plus the header, codebook and tables) on layers of tens of thousands of weights.
     */
    private static final double ENTROPY_SLACK = 0.03;

    /** Gaussian weights of which a share {@code density} survive (at random positions), with {@code k} centroids or none. */
    private record Layer(float[] weights, SharedWeights sharing) {
    }

    private static Layer layer(long seed, int n, double density, int k) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] w = new float[n];
        int[] indices = new int[n];
        for (int i = 0; i < n; i++) {
            if (rng.nextDouble() < density) {
                double g = rng.nextGaussian();
                w[i] = (float) (g == 0 ? 1 : g);
                // Centroid use skewed like k-means on a bell curve: middle indices far more often.
                indices[i] = k == 0 ? 0 : Math.clamp((long) Math.floor(k / 2.0 + g * k / 8.0), 0, k - 1);
            }
        }
        SharedWeights sharing = null;
        if (k > 0) {
            float[] codebook = new float[k];
            for (int c = 0; c < k; c++) {
                codebook[c] = -1 + 2f * c / k;
            }
            sharing = new SharedWeights(codebook, indices);
        }
        return new Layer(w, sharing);
    }

    private static long encodedBytes(Layer l, LayerLayout layout, boolean huffman) {
        LayerOptions options = new LayerOptions(layout.sparse(), layout.sparse() ? layout.relativeIndexBits() : 8, huffman,
                LIMIT);
        EncodedLayer e = l.sharing() == null ? LayerCodec.encode(l.weights(), options)
                : LayerCodec.encode(l.weights(), l.sharing(), options);
        return e.byteSize();
    }

    @Test
    void predictedSizesAreTheEncodingsToTheByte() {
        long seed = 1;
        int checked = 0;
        for (double density : new double[] {0, 0.001, 0.04, 0.09, 0.35, 0.84, 1}) {
            for (int k : new int[] {0, 2, 32, 256}) {
                for (boolean huffman : new boolean[] {true, false}) {
                    for (int rule : new int[] {LayerLayout.AUTO, 1, 3, 8, 16}) {
                        Layer l = layer(seed++, 5000, density, k);
                        LayerLayout layout = LayerLayout.choose(l.weights(), l.sharing(), huffman, LIMIT, rule);
                        String what = "density " + density + ", k " + k + ", huffman " + huffman + ", rule " + rule
                                + ": " + layout;
                        if (layout.raw()) {
                            assertEquals(4L * 5000, layout.bytes(), what);
                        } else {
                            assertEquals(encodedBytes(l, layout, huffman), layout.bytes(), what);
                            checked++;
                        }
                        if (layout.sparse() && rule != LayerLayout.AUTO) {
                            assertEquals(rule, layout.relativeIndexBits(), what);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 200, checked + " encoded layouts checked");
    }

    @Test
    void everyFixedWidthPredictionMatchesAndAutoTakesTheSmallest() {
        Layer l = layer(77, 20_000, 0.09, 32);
        for (boolean huffman : new boolean[] {true, false}) {
            LayerLayout auto = LayerLayout.choose(l.weights(), l.sharing(), huffman, LIMIT, LayerLayout.AUTO);
            for (int b = 1; b <= 16; b++) {
                LayerLayout fixed = LayerLayout.choose(l.weights(), l.sharing(), huffman, LIMIT, b);
                assertTrue(auto.bytes() <= fixed.bytes(), "auto " + auto + " vs b=" + b + " " + fixed);
                if (fixed.sparse()) {
                    assertEquals(encodedBytes(l, fixed, huffman), fixed.bytes(), "b=" + b + ", huffman " + huffman);
                }
            }
        }
    }

    @Test
    void widthsFollowTheCoding() {
        Layer l = layer(3, 200_000, 0.09, 32);
        LayerLayout huffman = LayerLayout.choose(l.weights(), l.sharing(), true, LIMIT, LayerLayout.AUTO);
        LayerLayout fixed = LayerLayout.choose(l.weights(), l.sharing(), false, LIMIT, LayerLayout.AUTO);
        assertTrue(huffman.sparse() && fixed.sparse(), huffman + " " + fixed);
        // Huffman coding makes long gaps cheap, so no fillers pay off; at fixed width narrow indices win.
        assertTrue(huffman.relativeIndexBits() >= 7, huffman.toString());
        assertTrue(fixed.relativeIndexBits() >= 3 && fixed.relativeIndexBits() <= 5, fixed.toString());
    }

    @Test
    void mostlyKeptLayersGoDenseAndTinyOnesRaw() {
        Layer dense = layer(4, 50_000, 0.9, 256);
        LayerLayout layout = LayerLayout.choose(dense.weights(), dense.sharing(), true, LIMIT, LayerLayout.AUTO);
        assertFalse(layout.sparse(), layout.toString());
        assertFalse(layout.raw(), layout.toString());
        assertEquals(encodedBytes(dense, layout, true), layout.bytes());

        // 150 weights against a 256-entry codebook of 1 KiB: the raw 600 bytes are smaller.
        Layer tiny = layer(5, 150, 0.6, 256);
        LayerLayout raw = LayerLayout.choose(tiny.weights(), tiny.sharing(), true, LIMIT, LayerLayout.AUTO);
        assertTrue(raw.raw(), raw.toString());
        assertEquals(600, raw.bytes());

        Layer unshared = layer(6, 10_000, 1, 0);
        assertTrue(LayerLayout.choose(unshared.weights(), null, true, LIMIT, LayerLayout.AUTO).raw(),
                "nothing pruned, nothing shared: raw fp32");
    }

    @Test
    void huffmanCodedLayersStayCloseToTheEntropyBound() {
        for (double density : new double[] {0.04, 0.09, 0.35}) {
            int n = 100_000;
            Layer l = layer(11, n, density, 32);
            long kept = 0;
            long[] counts = new long[32];
            for (int i = 0; i < n; i++) {
                if (l.weights()[i] != 0) {
                    kept++;
                    counts[l.sharing().indexAt(i)]++;
                }
            }
            double p = (double) kept / n;
            double maskBits = -n * (p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2);
            double valueBits = 0;
            for (long c : counts) {
                valueBits -= c == 0 ? 0 : c * Math.log((double) c / kept) / Math.log(2);
            }
            LayerLayout layout = LayerLayout.choose(l.weights(), l.sharing(), true, LIMIT, LayerLayout.AUTO);
            double bound = (maskBits + valueBits) / 8;
            double overhead = 4 * 32 + 200; // codebook, header, code-length tables
            assertTrue(layout.bytes() <= bound * (1 + ENTROPY_SLACK) + overhead,
                    "density " + density + ": " + layout.bytes() + " bytes, entropy bound " + Math.round(bound));
            assertTrue(layout.bytes() >= bound, "no lossless code beats the entropy: " + layout.bytes() + " < " + bound);
        }
    }
}
