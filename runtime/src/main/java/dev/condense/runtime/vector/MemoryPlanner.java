// Places every activation and scratch region of a plan in one arena, reusing memory once a value is dead.
package dev.condense.runtime.vector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Each region lives from the step that writes it to the last step that reads it. Regions are
 * placed in order of their first step at the lowest offset that no live region overlaps (first
 * fit), aligned to 64 bytes so vector loads of a region's start never split a cache line.
 */
final class MemoryPlanner {

    /** Floats per alignment unit: 64 bytes. */
    static final int ALIGN = 16;

    /** A region to place: {@code size} floats live over steps {@code [first, last]}. */
    record Region(Operand operand, int size, int first, int last) {
    }

    private MemoryPlanner() {
    }

    /** Places every region and returns the arena size in floats. */
    static int place(List<Region> regions) {
        List<Region> order = new ArrayList<>(regions);
        order.sort(Comparator.comparingInt(Region::first).thenComparing(Comparator.comparingInt(Region::size).reversed()));
        List<long[]> placed = new ArrayList<>(); // {offset, end, last}
        long arena = 0;
        for (Region r : order) {
            long size = align(r.size());
            List<long[]> live = new ArrayList<>();
            for (long[] p : placed) {
                if (p[2] >= r.first()) {
                    live.add(p);
                }
            }
            live.sort(Comparator.comparingLong(p -> p[0]));
            long offset = 0;
            for (long[] p : live) {
                if (offset + size <= p[0]) {
                    break;
                }
                offset = Math.max(offset, p[1]);
            }
            placed.add(new long[] {offset, offset + size, r.last()});
            arena = Math.max(arena, offset + size);
            r.operand().place(Math.toIntExact(offset));
        }
        return Math.toIntExact(arena);
    }

    private static long align(long floats) {
        return Math.max(ALIGN, (floats + ALIGN - 1) / ALIGN * ALIGN);
    }
}
