// The thread pool: every item exactly once, from one caller or many, failures passed on, clean shutdown.
package dev.condense.runtime.vector;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ParallelTest {

    @Test
    void everyItemRunsExactlyOnce() {
        try (Parallel p = new Parallel(3)) {
            for (int n : new int[] {0, 1, 2, 7, 64, 1000, 12_345}) {
                for (int grain : new int[] {1, 5, 100}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(1, n));
                    p.forRange(n, grain, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, hits.get(i), "item " + i + " of " + n + ", grain " + grain);
                    }
                }
            }
        }
    }

    @Test
    void workIsSharedBetweenThreads() {
        try (Parallel p = new Parallel(2)) {
            java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (int round = 0; round < 50 && names.size() < 2; round++) {
                p.forRange(64, 1, (s, e) -> {
                    names.add(Thread.currentThread().getName());
                    long until = System.nanoTime() + 20_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
            }
            assertEquals(2, names.size(), "both the caller and the worker took pieces: " + names);
        }
    }

    @Test
    void manyCallersAtOnceEachGetTheirWholeRange() throws Exception {
        try (Parallel p = new Parallel(2)) {
            ExecutorService callers = Executors.newFixedThreadPool(6);
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                int seed = c;
                results.add(callers.submit(() -> {
                    long[] sums = new long[200];
                    for (int r = 0; r < sums.length; r++) {
                        java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
                        p.forRange(500 + seed, 7, (s, e) -> {
                            long local = 0;
                            for (int i = s; i < e; i++) {
                                local += i;
                            }
                            sum.addAndGet(local);
                        });
                        sums[r] = sum.get();
                    }
                    return sums;
                }));
            }
            for (int c = 0; c < 6; c++) {
                long n = 500 + c;
                for (long s : results.get(c).get()) {
                    assertEquals(n * (n - 1) / 2, s, "caller " + c);
                }
            }
            callers.shutdown();
        }
    }

    @Test
    void aFailureReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel p = new Parallel(2)) {
            IllegalStateException boom = new IllegalStateException("kernel failed");
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> p.forRange(100, 1, (s, e) -> {
                if (s <= 50 && 50 < e) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            AtomicIntegerArray hits = new AtomicIntegerArray(100);
            p.forRange(100, 1, (s, e) -> {
                for (int i = s; i < e; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void closeStopsTheWorkers() throws Exception {
        Parallel p = new Parallel(3);
        p.forRange(10, 1, (s, e) -> { });
        assertEquals(2, p.liveWorkers());
        Thread.sleep(5); // let the workers pass their spin and park
        p.close();
        assertEquals(0, p.liveWorkers());
    }
}
