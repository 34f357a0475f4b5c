// Length-limited optimal code lengths by the package-merge algorithm (Larmore and Hirschberg, 1990).
package dev.condense.compress.huffman;

import java.util.Arrays;

/**
 * Package-merge in O(n * limit) time and memory. Coins are the used symbols, lightest first; at the
 * deepest level the list holds the coins alone, and each level above merges the coins with packages
 * formed from pairs of the level below. Taking the {@code 2n - 2} lightest items of the top list,
 * a symbol's code length is the number of levels at which it is taken. Within a merged list the
 * coins keep their weight order and the packages theirs, so taking a prefix of a list takes the
 * lightest coins plus the first packages, and those packages are exactly a prefix of twice their
 * number in the list below: one flag per item (coin or package) is all that must be kept.
 */
final class PackageMerge {
    private PackageMerge() {
    }

    static int[] lengths(long[] frequencies, int lengthLimit) {
        if (lengthLimit < 1 || lengthLimit > HuffmanCode.MAX_LENGTH) {
            throw new IllegalArgumentException("length limit " + lengthLimit + " outside 1.." + HuffmanCode.MAX_LENGTH);
        }
        int[] lengths = new int[frequencies.length];
        int used = 0;
        for (int s = 0; s < frequencies.length; s++) {
            if (frequencies[s] < 0) {
                throw new IllegalArgumentException("symbol " + s + " has negative frequency " + frequencies[s]);
            }
            used += frequencies[s] > 0 ? 1 : 0;
        }
        if ((long) used > 1L << lengthLimit) {
            throw new IllegalArgumentException(used + " used symbols cannot be coded with codes of at most "
                    + lengthLimit + " bits (at most " + (1L << lengthLimit) + ")");
        }
        int[] symbols = sortedUsedSymbols(frequencies, used);
        if (used == 1) {
            lengths[symbols[0]] = 1;
        }
        if (used < 2) {
            return lengths;
        }

        long[] coins = new long[used];
        for (int i = 0; i < used; i++) {
            coins[i] = frequencies[symbols[i]];
        }
        // isPackage[level][i]: item i of the merged list at that level is a package; level limit - 1 is the deepest.
        boolean[][] isPackage = new boolean[lengthLimit][];
        isPackage[lengthLimit - 1] = new boolean[used];
        long[] below = coins;
        for (int level = lengthLimit - 2; level >= 0; level--) {
            int packages = below.length / 2;
            long[] merged = new long[used + packages];
            boolean[] flags = new boolean[merged.length];
            int c = 0;
            int p = 0;
            for (int i = 0; i < merged.length; i++) {
                long packageWeight = p < packages ? Math.addExact(below[2 * p], below[2 * p + 1]) : Long.MAX_VALUE;
                if (c < used && coins[c] <= packageWeight) {
                    merged[i] = coins[c++];
                } else {
                    merged[i] = packageWeight;
                    flags[i] = true;
                    p++;
                }
            }
            isPackage[level] = flags;
            below = merged;
        }

        int[] lengthBySortedIndex = new int[used];
        int taken = 2 * used - 2;
        for (int level = 0; level < lengthLimit && taken > 0; level++) {
            boolean[] flags = isPackage[level];
            int packagesTaken = 0;
            for (int i = 0; i < taken; i++) {
                packagesTaken += flags[i] ? 1 : 0;
            }
            int coinsTaken = taken - packagesTaken;
            for (int i = 0; i < coinsTaken; i++) {
                lengthBySortedIndex[i]++;
            }
            taken = 2 * packagesTaken;
        }
        for (int i = 0; i < used; i++) {
            lengths[symbols[i]] = lengthBySortedIndex[i];
        }
        return lengths;
    }

    /** The used symbols ordered by frequency, then by symbol number. */
    private static int[] sortedUsedSymbols(long[] frequencies, int used) {
        // Sort (frequency, symbol) pairs packed as longs when frequencies allow it, else with a comparator.
        int[] symbols = new int[used];
        int i = 0;
        for (int s = 0; s < frequencies.length; s++) {
            if (frequencies[s] > 0) {
                symbols[i++] = s;
            }
        }
        long maxFrequency = 0;
        for (int s : symbols) {
            maxFrequency = Math.max(maxFrequency, frequencies[s]);
        }
        if (maxFrequency < 1L << 31) {
            long[] keys = new long[used];
            for (int j = 0; j < used; j++) {
                keys[j] = frequencies[symbols[j]] << 32 | symbols[j];
            }
            Arrays.sort(keys);
            for (int j = 0; j < used; j++) {
                symbols[j] = (int) keys[j];
            }
            return symbols;
        }
        Integer[] boxed = new Integer[used];
        for (int j = 0; j < used; j++) {
            boxed[j] = symbols[j];
        }
        Arrays.sort(boxed, (a, b) -> frequencies[a] != frequencies[b] ? Long.compare(frequencies[a], frequencies[b])
                : Integer.compare(a, b));
        for (int j = 0; j < used; j++) {
            symbols[j] = boxed[j];
        }
        return symbols;
    }
}
