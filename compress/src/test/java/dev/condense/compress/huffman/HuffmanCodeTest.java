// Tests of HuffmanCode: optimal length-limited lengths, canonical codes, and the rejection of invalid length sets.
package dev.condense.compress.huffman;

import dev.condense.compress.FormatException;
import org.junit.jupiter.api.Test;

import java.util.PriorityQueue;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuffmanCodeTest {

    @Test
    void assignsCanonicalCodesAsRfc1951Does() {
        // The example of RFC 1951, 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) for A..H.
        HuffmanCode code = new HuffmanCode(new int[] {3, 3, 3, 3, 3, 2, 4, 4});
        assertArrayEquals(new int[] {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111}, code.codes());
    }

    @Test
    void buildsOptimalLengthsForSkewedFrequencies() {
        HuffmanCode code = HuffmanCode.build(new long[] {1, 1, 2, 4});
        assertArrayEquals(new int[] {3, 3, 2, 1}, code.lengths());
        assertEquals(1 * 3 + 1 * 3 + 2 * 2 + 4 * 1, code.codedBits(new long[] {1, 1, 2, 4}));
    }

    @Test
    void matchesUnlimitedHuffmanCostWhenTheLimitDoesNotBind() {
        Random random = new Random(7);
        int compared = 0;
        for (int trial = 0; trial < 200; trial++) {
            int alphabet = 2 + random.nextInt(300);
            long[] frequencies = new long[alphabet];
            for (int s = 0; s < alphabet; s++) {
                frequencies[s] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(1000);
            }
            frequencies[0] = Math.max(1, frequencies[0]);
            frequencies[1] = Math.max(1, frequencies[1]);
            HuffmanCode code = HuffmanCode.build(frequencies, 16);
            if (unlimitedMaxLength(frequencies) <= 16) {
                assertEquals(huffmanCost(frequencies), code.codedBits(frequencies), "trial " + trial);
                compared++;
            } else {
                // A rare symbol would sit deeper than 16 bits: the limit binds and costs a little.
                assertTrue(code.codedBits(frequencies) > huffmanCost(frequencies), "trial " + trial);
                assertEquals(16, code.maxLength());
            }
        }
        assertTrue(compared > 150, compared + " of 200 trials had a non-binding limit");
    }

    @Test
    void fibonacciFrequenciesAreLimitedToTheLengthLimitAndStayComplete() {
        // Unlimited Huffman gives Fibonacci weights a code as deep as the alphabet (here 29).
        long[] frequencies = new long[30];
        frequencies[0] = 1;
        frequencies[1] = 1;
        for (int s = 2; s < frequencies.length; s++) {
            frequencies[s] = frequencies[s - 1] + frequencies[s - 2];
        }
        assertEquals(29, unlimitedMaxLength(frequencies));
        for (int limit : new int[] {5, 8, 12, 15, 16}) {
            HuffmanCode code = HuffmanCode.build(frequencies, limit);
            assertEquals(limit, code.maxLength(), "limit " + limit);
            assertEquals(1L << 16, kraftTimes65536(code.lengths()), "complete at limit " + limit);
            assertTrue(code.codedBits(frequencies) >= huffmanCost(frequencies));
        }
        // Coded size decreases as the limit loosens, until it reaches the unlimited optimum.
        long previous = Long.MAX_VALUE;
        for (int limit = 5; limit <= 16; limit++) {
            long bits = HuffmanCode.build(frequencies, limit).codedBits(frequencies);
            assertTrue(bits <= previous, "limit " + limit);
            previous = bits;
        }
    }

    @Test
    void lengthLimitedCodeIsOptimalAgainstExhaustiveSearchOnSmallAlphabets() {
        Random random = new Random(99);
        for (int trial = 0; trial < 300; trial++) {
            int alphabet = 2 + random.nextInt(6);
            long[] frequencies = new long[alphabet];
            for (int s = 0; s < alphabet; s++) {
                frequencies[s] = 1 + random.nextInt(random.nextBoolean() ? 5 : 500);
            }
            int limit = Math.max(3, 32 - Integer.numberOfLeadingZeros(alphabet - 1));
            long best = exhaustiveBest(frequencies, limit, new int[alphabet], 0);
            assertEquals(best, HuffmanCode.build(frequencies, limit).codedBits(frequencies), "trial " + trial);
        }
    }

    @Test
    void oneUsedSymbolGetsLengthOneAndNoneGivesTheEmptyCode() {
        HuffmanCode single = HuffmanCode.build(new long[] {0, 0, 17, 0});
        assertArrayEquals(new int[] {0, 0, 1, 0}, single.lengths());
        assertEquals(0, single.codes()[2]);
        HuffmanCode empty = HuffmanCode.build(new long[5]);
        assertEquals(0, empty.maxLength());
        assertEquals(0, empty.usedSymbols());
    }

    @Test
    void fullAlphabetOf65536SymbolsFitsSixteenBits() {
        long[] frequencies = new long[65536];
        java.util.Arrays.fill(frequencies, 3);
        HuffmanCode code = HuffmanCode.build(frequencies);
        assertEquals(16, code.maxLength());
        assertEquals(65536, code.usedSymbols());
        for (int l : code.lengths()) {
            assertEquals(16, l);
        }
        long[] tooMany = new long[65537];
        java.util.Arrays.fill(tooMany, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HuffmanCode.build(tooMany, 16));
        assertTrue(e.getMessage().contains("65537 used symbols"), e.getMessage());
    }

    @Test
    void buildIsDeterministicWithTies() {
        long[] frequencies = {5, 5, 5, 5, 5, 5, 5};
        // Ties go by symbol number: lower symbols sort first among equals and take the longer codes.
        assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3, 2}, HuffmanCode.build(frequencies).lengths());
        assertArrayEquals(HuffmanCode.build(frequencies).lengths(), HuffmanCode.build(frequencies.clone()).lengths());
    }

    @Test
    void rejectsOverSubscribedCodes() {
        FormatException e = assertThrows(FormatException.class, () -> HuffmanCode.fromLengths(new int[] {1, 1, 1}, "table"));
        assertEquals("table: over-subscribed code: Kraft sum 98304/65536 exceeds 1 (3 symbols)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HuffmanCode(new int[] {1, 2, 2, 2}));
    }

    @Test
    void rejectsIncompleteCodes() {
        FormatException e = assertThrows(FormatException.class, () -> HuffmanCode.fromLengths(new int[] {1, 2, 0}, "table"));
        assertEquals("table: incomplete code: Kraft sum 49152/65536 is below 1 (2 symbols)", e.getMessage());
        FormatException single = assertThrows(FormatException.class, () -> HuffmanCode.fromLengths(new int[] {0, 3}, "t"));
        assertEquals("t: the only coded symbol 1 has length 3, a single symbol must have length 1", single.getMessage());
    }

    @Test
    void rejectsLengthsAboveTheLimitAndNegativeOnes() {
        int[] lengths = new int[4];
        lengths[2] = 17;
        FormatException e = assertThrows(FormatException.class, () -> HuffmanCode.fromLengths(lengths, "table"));
        assertEquals("table: symbol 2 has code length 17, outside 0..16", e.getMessage());
        assertThrows(FormatException.class, () -> HuffmanCode.fromLengths(new int[] {-1, 1, 1}, "t"));
    }

    @Test
    void acceptsCompleteCodesUpToSixteenBits() throws FormatException {
        int[] lengths = new int[17];
        for (int s = 0; s < 16; s++) {
            lengths[s] = s + 1;
        }
        lengths[16] = 16;
        HuffmanCode code = HuffmanCode.fromLengths(lengths, "t");
        assertEquals(16, code.maxLength());
        assertEquals(0xFFFF, code.codes()[16]);
        assertEquals(0xFFFE, code.codes()[15]);
    }

    // ---- references ----

    /** Cost of an unlimited Huffman code: the sum of all merged weights. */
    static long huffmanCost(long[] frequencies) {
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (long f : frequencies) {
            if (f > 0) {
                queue.add(f);
            }
        }
        if (queue.size() == 1) {
            return queue.peek();
        }
        long cost = 0;
        while (queue.size() > 1) {
            long merged = queue.poll() + queue.poll();
            cost += merged;
            queue.add(merged);
        }
        return cost;
    }

    private static int unlimitedMaxLength(long[] frequencies) {
        record Node(long weight, int depth) {
        }
        PriorityQueue<Node> queue = new PriorityQueue<>((a, b) -> a.weight != b.weight ? Long.compare(a.weight, b.weight)
                : Integer.compare(a.depth, b.depth));
        for (long f : frequencies) {
            if (f > 0) {
                queue.add(new Node(f, 0));
            }
        }
        while (queue.size() > 1) {
            Node a = queue.poll();
            Node b = queue.poll();
            queue.add(new Node(a.weight + b.weight, Math.max(a.depth, b.depth) + 1));
        }
        return queue.peek().depth;
    }

    static long kraftTimes65536(int[] lengths) {
        long sum = 0;
        for (int l : lengths) {
            if (l > 0) {
                sum += 1L << (16 - l);
            }
        }
        return sum;
    }

    /** The cheapest complete code of lengths 1..limit, by trying every assignment. */
    private static long exhaustiveBest(long[] frequencies, int limit, int[] lengths, int s) {
        if (s == lengths.length) {
            if (kraftTimes65536(lengths) != 1L << 16) {
                return Long.MAX_VALUE;
            }
            long cost = 0;
            for (int i = 0; i < lengths.length; i++) {
                cost += frequencies[i] * lengths[i];
            }
            return cost;
        }
        long best = Long.MAX_VALUE;
        for (int l = 1; l <= limit; l++) {
            lengths[s] = l;
            best = Math.min(best, exhaustiveBest(frequencies, limit, lengths, s + 1));
        }
        return best;
    }
}
