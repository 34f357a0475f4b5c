// Conv.splitRow's shuffles against the element-by-element definition, for every pad parity and width.
package dev.condense.runtime.vector.ops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SplitRowTest {

    @Test
    void matchesThePerPixelDefinition() {
        for (int width = 1; width <= 70; width++) {
            for (int padLeft = 0; padLeft <= 3; padLeft++) {
                for (int extra = 0; extra <= 2; extra++) {
                    int half = Math.ceilDiv(width + padLeft + extra, 2);
                    float[] x = new float[width + 5];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = i * 1.5f - 7;
                    }
                    float[] expected = new float[2 * half + 4];
                    float[] got = new float[2 * half + 4];
                    java.util.Arrays.fill(expected, Float.NaN);
                    java.util.Arrays.fill(got, Float.NaN);
                    for (int ix = 0; ix < width; ix++) {
                        int px = ix + padLeft;
                        if ((px >> 1) < half) {
                            expected[2 + (px & 1) * half + (px >> 1)] = x[3 + ix];
                        }
                    }
                    Conv.splitRow(x, 3, width, padLeft, half, got, 2, 2 + half);
                    assertArrayEquals(expected, got, "width " + width + ", padLeft " + padLeft + ", half " + half);
                }
            }
        }
    }
}
