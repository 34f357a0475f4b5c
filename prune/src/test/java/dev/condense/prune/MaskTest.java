// Checks the mask record: counting, bounds, validation of its bitmap, combining masks and zeroing a tensor.
package dev.condense.prune;

import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskTest {

    @Test
    void keepAllSetsExactlyTheTensorsPositions() {
        Mask mask = Mask.keepAll("w", new long[] {5, 14});
        assertEquals(70, mask.size());
        assertEquals(70, mask.kept());
        assertEquals(0, mask.pruned());
        assertArrayEquals(new long[] {-1L, (1L << 6) - 1}, mask.words());
        assertTrue(mask.isKept(69));
        assertThrows(IndexOutOfBoundsException.class, () -> mask.isKept(70));
    }

    @Test
    void validatesItsBitmap() {
        long[] dims = {3, 3};
        assertEquals(3, Mask.of("w", dims, new long[] {0b1_0000_0101}).kept());
        assertThrows(IllegalArgumentException.class, () -> Mask.of("w", dims, new long[] {1L << 9}));
        assertThrows(IllegalArgumentException.class, () -> Mask.of("w", dims, new long[] {1, 0}));
        assertThrows(IllegalArgumentException.class, () -> new Mask("w", dims, new long[] {0b11}, 1));
    }

    @Test
    void isImmutableAndComparesByContent() {
        long[] words = {0b1010};
        Mask mask = Mask.of("w", new long[] {4}, words);
        words[0] = 0b1111;
        mask.words()[0] = 0b1111;
        assertEquals(2, mask.kept());
        assertFalse(mask.isKept(0));
        assertEquals(mask, Mask.of("w", new long[] {4}, new long[] {0b1010}));
        assertNotEquals(mask, Mask.of("w", new long[] {4}, new long[] {0b0110}));
        assertEquals(0.5, mask.keptFraction());
    }

    @Test
    void andKeepsWhatBothKeep() {
        Mask a = Mask.of("w", new long[] {4}, new long[] {0b1110});
        Mask b = Mask.of("w", new long[] {4}, new long[] {0b0111});
        assertEquals(Mask.of("w", new long[] {4}, new long[] {0b0110}), a.and(b));
        assertThrows(IllegalArgumentException.class, () -> a.and(Mask.keepAll("w", new long[] {2, 2})));
    }

    @Test
    void appliesZerosAtPrunedPositionsToANewTensor() {
        Tensor w = Tensor.ofFloats("w", new long[] {2, 3}, 1, -2, 3, -4, 5, -6);
        Mask mask = Mask.of("w", new long[] {2, 3}, new long[] {0b101010});
        Tensor pruned = mask.applyTo(w);
        assertArrayEquals(new float[] {0, -2, 0, -4, 0, -6}, pruned.toFloatArray());
        assertArrayEquals(new float[] {1, -2, 3, -4, 5, -6}, w.toFloatArray());
        assertEquals(Mask.of("w", new long[] {2, 3}, new long[] {0b101010}), Mask.ofNonZero(pruned));
        assertThrows(IllegalArgumentException.class, () -> mask.applyTo(w.reshaped(new long[] {3, 2})));
        assertThrows(IllegalArgumentException.class, () -> mask.applyTo(Tensor.ofInts("w", new long[] {2, 3},
                1, 2, 3, 4, 5, 6)));
    }
}
