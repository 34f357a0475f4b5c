// Tests of the relative index: fillers for long gaps and at the tail, round trips, and rejection of bad gap lists.
package dev.condense.compress.sparse;

import dev.condense.compress.FormatException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RelativeIndexTest {

    /** The kept positions among the entries: every entry whose position is in {@code kept}. */
    private static int[] keptAmong(RelativeIndex index, int[] kept) {
        return Arrays.stream(index.positions()).filter(p -> Arrays.binarySearch(kept, p) >= 0).toArray();
    }

    @Test
    void paperExampleWithThreeBitGaps() {
        // Deep Compression's figure: kept at 1, 4 and 15 with 3-bit indices (max gap 8): a filler at 12.
        RelativeIndex index = RelativeIndex.of(new int[] {1, 4, 15}, 16, 3);
        assertArrayEquals(new int[] {2, 3, 8, 3}, index.gaps());
        assertArrayEquals(new int[] {1, 4, 12, 15}, index.positions());
    }

    @Test
    void gapExactlyAtTheMaximumNeedsNoFillerAndOneMoreNeedsOne() {
        assertArrayEquals(new int[] {8}, RelativeIndex.of(new int[] {7}, 8, 3).gaps());
        assertArrayEquals(new int[] {8, 1}, RelativeIndex.of(new int[] {8}, 9, 3).gaps());
        assertArrayEquals(new int[] {8, 8}, RelativeIndex.of(new int[] {15}, 16, 3).gaps());
        assertArrayEquals(new int[] {8, 8, 1}, RelativeIndex.of(new int[] {16}, 17, 3).gaps());
    }

    @Test
    void allZerosNeedFillersUpToTheEndOnly() {
        RelativeIndex none = RelativeIndex.of(new int[0], 20, 2);
        // Max gap 4: fillers at 3, 7, 11, 15; from 15 the end (20) is 5 away: one more at 19.
        assertArrayEquals(new int[] {3, 7, 11, 15, 19}, none.positions());
        // The end counts as a kept position at n: with no entry, n - (-1) may be at most 4.
        assertEquals(0, RelativeIndex.of(new int[0], 3, 2).entryCount());
        assertArrayEquals(new int[] {3}, RelativeIndex.of(new int[0], 4, 2).positions());
        assertArrayEquals(new int[] {3}, RelativeIndex.of(new int[0], 7, 2).positions());
        assertArrayEquals(new int[] {3, 7}, RelativeIndex.of(new int[0], 8, 2).positions());
        assertEquals(0, RelativeIndex.of(new int[0], 0, 1).entryCount());
    }

    @Test
    void allNonZeroHasGapsOfOne() {
        int[] all = new int[1000];
        Arrays.setAll(all, i -> i);
        RelativeIndex index = RelativeIndex.of(all, 1000, 1);
        assertEquals(1000, index.entryCount());
        assertTrue(Arrays.stream(index.gaps()).allMatch(g -> g == 1));
    }

    @Test
    void oneNonZeroAtTheVeryEnd() {
        RelativeIndex index = RelativeIndex.of(new int[] {99_999}, 100_000, 8);
        // 99999 + 1 = 100000 = 390 * 256 + 160: 390 fillers, then the kept entry.
        assertEquals(391, index.entryCount());
        assertEquals(99_999, index.positions()[390]);
        assertEquals(160, index.gaps()[390]);
    }

    @Test
    void hugeGapsWithOneBitIndices() {
        RelativeIndex index = RelativeIndex.of(new int[] {0, 1_000_000}, 1_000_001, 1);
        assertEquals(1 + 499_999 + 1, index.entryCount());
        int[] positions = index.positions();
        assertEquals(1_000_000, positions[positions.length - 1]);
    }

    @Test
    void randomRoundTripsRecoverTheKeptPositions() throws FormatException {
        Random random = new Random(17);
        for (int trial = 0; trial < 200; trial++) {
            int count = random.nextInt(5000);
            double density = random.nextDouble() * random.nextDouble();
            boolean[] mask = new boolean[count];
            for (int i = 0; i < count; i++) {
                mask[i] = random.nextDouble() < density;
            }
            int bits = 1 + random.nextInt(16);
            RelativeIndex index = RelativeIndex.ofMask(mask, bits);
            int[] kept = java.util.stream.IntStream.range(0, count).filter(i -> mask[i]).toArray();
            assertArrayEquals(kept, keptAmong(index, kept), "trial " + trial);
            int[] gaps = index.gaps();
            assertTrue(Arrays.stream(gaps).allMatch(g -> g >= 1 && g <= 1 << bits));
            assertEquals(index, RelativeIndex.fromGaps(bits, count, gaps, "s"));
            assertArrayEquals(index.positions(), RelativeIndex.toPositions(bits, count, gaps.clone(), "s"));
            // Entry count: kept weights plus (distance - 1) / maxGap fillers per gap, the end included.
            long expected = kept.length;
            int previous = -1;
            for (int i = 0; i <= kept.length; i++) {
                int next = i < kept.length ? kept[i] : count;
                expected += (next - previous - 1) / (1 << bits);
                previous = next;
            }
            assertEquals(expected, index.entryCount(), "trial " + trial);
        }
    }

    @Test
    void ofNonZerosTreatsBothZerosAsPruned() {
        RelativeIndex index = RelativeIndex.ofNonZeros(new float[] {0f, -0f, 3f, 0f, Float.NaN}, 4);
        assertArrayEquals(new int[] {2, 4}, index.positions());
    }

    @Test
    void decodingRejectsGapsOutOfRangePositionsPastTheEndAndLongTails() {
        FormatException zeroGap = assertThrows(FormatException.class, () -> RelativeIndex.fromGaps(3, 10, new int[] {1, 0}, "idx"));
        assertEquals("idx: entry 1 has gap 0, outside 1..8", zeroGap.getMessage());
        FormatException wide = assertThrows(FormatException.class, () -> RelativeIndex.fromGaps(3, 20, new int[] {9}, "idx"));
        assertEquals("idx: entry 0 has gap 9, outside 1..8", wide.getMessage());
        FormatException past = assertThrows(FormatException.class, () -> RelativeIndex.toPositions(3, 10, new int[] {8, 3}, "idx"));
        assertEquals("idx: entry 1 lands at position 10, past the tensor's 10 elements", past.getMessage());
        FormatException tail = assertThrows(FormatException.class, () -> RelativeIndex.fromGaps(2, 10, new int[] {2}, "idx"));
        assertEquals("idx: the last entry is at position 1, leaving 8 trailing elements without fillers (at most 3 allowed with 2-bit gaps)",
                tail.getMessage());
    }

    @Test
    void encoderRejectsUnsortedOrOutOfRangePositions() {
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[] {3, 3}, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[] {5, 2}, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[] {10}, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[] {-1}, 10, 4));
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[0], 10, 17));
        assertThrows(IllegalArgumentException.class, () -> RelativeIndex.of(new int[0], 10, 0));
    }
}
