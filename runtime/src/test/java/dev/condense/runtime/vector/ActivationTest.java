// Activation.finish, the loop every kernel finishes its rows with, against the scalar definition.
package dev.condense.runtime.vector;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ActivationTest {

    static final List<Activation> ALL = List.of(Activation.NONE, Activation.RELU, Activation.clip(0f, 6f),
            Activation.clip(-1.5f, 0.25f), Activation.leakyRelu(0.1f));

    /** Inputs that test the compares' edges: signed zeros, NaN, infinities, the bounds themselves. */
    static float[] values(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 6f, -1.5f, 0.25f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i % 5 == 0 ? special[(i / 5) % special.length] : (float) (rng.nextGaussian() * 4);
        }
        return v;
    }

    /** The scalar definition of finish: bias, then the residual, then the activation, in float. */
    static float expected(Activation act, float x, float bias, float add) {
        return act.apply(x + bias + add);
    }

    @Test
    void finishMatchesTheScalarDefinitionBitForBit() {
        // Lengths around the vector width, so both the vector loop and the tail run, and offsets off zero.
        for (Activation act : ALL) {
            for (int n : new int[] {0, 1, 7, 8, 9, 16, 31, 33, 100}) {
                for (boolean residual : new boolean[] {false, true}) {
                    float[] src = values(n + 3, n);
                    float[] add = residual ? values(n + 5, n + 1) : null;
                    float bias = n % 2 == 0 ? 0f : -0.75f;
                    float[] dst = new float[n + 4];
                    act.finish(src, 3, bias, add, 5, dst, 4, n);
                    for (int j = 0; j < n; j++) {
                        float want = expected(act, src[3 + j], bias, residual ? add[5 + j] : 0f);
                        assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(dst[4 + j]),
                                act + " n=" + n + " residual=" + residual + " at " + j + ": input " + src[3 + j]
                                        + ", want " + want + ", got " + dst[4 + j]);
                    }
                }
            }
        }
    }

    @Test
    void finishInPlaceLeavesTheRestOfTheArrayAlone() {
        float[] a = values(40, 3);
        float[] before = a.clone();
        Activation.RELU.finish(a, 5, 1f, null, 0, a, 5, 20);
        for (int i = 0; i < a.length; i++) {
            float want = i >= 5 && i < 25 ? Activation.RELU.apply(before[i] + 1f) : before[i];
            assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(a[i]), "element " + i);
        }
    }

    @Test
    void reluAndClipKeepNanAndTurnNegativeZeroIntoZeroAsMathMaxDoes() {
        assertEquals(Float.floatToIntBits(Math.max(-0f, 0f)), Float.floatToIntBits(Activation.RELU.apply(-0f)));
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(Activation.clip(0f, 6f).apply(-0f)));
        assertTrue(Float.isNaN(Activation.RELU.apply(Float.NaN)));
        float[] out = new float[16];
        float[] in = new float[16];
        java.util.Arrays.fill(in, Float.NaN);
        in[1] = -0f;
        Activation.RELU.finish(in, 0, 0f, null, 0, out, 0, 16);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(out[1]));
    }

    @Test
    void fakeQuantizationIsQuantizeThenDequantizeOfTheActivation() {
        SplittableRandom rng = new SplittableRandom(9);
        float scale = 0.037f;
        for (Activation before : List.of(Activation.NONE, Activation.RELU, Activation.clip(-0.5f, 3f))) {
            for (int zero : new int[] {0, 17, 128}) {
                Activation a = Activation.fakeQuant(before, scale, zero, 0, 255);
                float[] src = new float[203];
                for (int i = 0; i < src.length; i++) {
                    // Ties on purpose: odd multiples of half a step.
                    src[i] = i % 5 == 0 ? (2 * rng.nextInt(200) - 200 + 1) * scale / 2 : (float) (rng.nextDouble() * 14 - 6);
                }
                float[] dst = new float[src.length];
                a.finish(src, 0, 0f, null, 0, dst, 0, src.length);
                for (int i = 0; i < src.length; i++) {
                    double q = Math.min(255, Math.max(0, Math.rint(before.apply(src[i]) / scale) + zero));
                    float expected = (float) ((q - zero) * scale);
                    assertEquals(expected, a.apply(src[i]), 1e-6f, before + " zero " + zero + " at " + src[i]);
                    assertEquals(a.apply(src[i]), dst[i], before + " zero " + zero + ": finish and apply at " + src[i]);
                }
            }
        }
    }
}
