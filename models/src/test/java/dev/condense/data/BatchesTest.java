// Tests of batching over a dataset: sizes, the last batch, shuffling, buffer reuse, normalization and views.
package dev.condense.data;

import dev.condense.ir.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchesTest {

    private static final int ROWS = 2;
    private static final int COLS = 3;
    private static final List<String> CLASSES = List.of("zero", "one", "two");

    /** {@code n} random 2x3 images with random labels; the pixels include 0 and 255. */
    private static IdxDataset dataset(int n, long seed) throws DatasetException {
        Random random = new Random(seed);
        byte[] pixels = new byte[n * ROWS * COLS];
        random.nextBytes(pixels);
        pixels[0] = 0;
        pixels[pixels.length - 1] = (byte) 255;
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) random.nextInt(CLASSES.size());
        }
        return IdxDataset.of("synthetic", ROWS, COLS, pixels, labels, CLASSES);
    }

    /** Every batch's dataset indices, in pass order, copied out. */
    private static List<int[]> indexBatches(Batches batches) throws DatasetException {
        List<int[]> out = new ArrayList<>();
        while (batches.hasNext()) {
            out.add(batches.next().indices().clone());
        }
        return out;
    }

    private static int[] flatten(List<int[]> batches) {
        return batches.stream().flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void batchesCoverTheDatasetInOrderWithAPartialLastBatch() throws DatasetException {
        IdxDataset data = dataset(10, 1);
        Batches batches = data.batches(4);
        assertEquals(3, batches.batchCount());
        assertEquals(10, batches.sampleCount());
        int[] sizes = new int[3];
        int seen = 0;
        for (int b = 0; batches.hasNext(); b++) {
            Batch batch = batches.next();
            sizes[b] = batch.size();
            assertArrayEquals(new long[] {batch.size(), 1, ROWS, COLS}, batch.shape());
            assertEquals(batch.size() * ROWS * COLS, batch.data().length, "arrays are exactly as long as the batch");
            for (int i = 0; i < batch.size(); i++) {
                int index = seen + i;
                assertEquals(index, batch.indices()[i]);
                assertEquals(data.label(index), batch.labels()[i]);
                float[] sample = Arrays.copyOfRange(batch.data(), i * ROWS * COLS, (i + 1) * ROWS * COLS);
                assertArrayEquals(data.read(index), sample, "sample " + index);
            }
            seen += batch.size();
        }
        assertArrayEquals(new int[] {4, 4, 2}, sizes);
        assertThrows(NoSuchElementException.class, batches::next);
    }

    @Test
    void dropLastLeavesOutTheRemainderOnly() throws DatasetException {
        IdxDataset data = dataset(10, 2);
        Batches dropped = data.batches(BatchOptions.of(4).droppingLast());
        assertEquals(2, dropped.batchCount());
        assertEquals(8, dropped.sampleCount());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, flatten(indexBatches(dropped)));
        Batches exact = data.batches(BatchOptions.of(5).droppingLast());
        assertEquals(2, exact.batchCount(), "nothing to drop when the size divides the dataset");
        Batches tooBig = data.batches(BatchOptions.of(11).droppingLast());
        assertEquals(0, tooBig.batchCount());
        assertFalse(tooBig.hasNext());
        Batches one = data.batches(11);
        assertEquals(10, one.next().size(), "a batch size above the dataset size gives one partial batch");
        assertEquals(0, data.take(0).batches(3).batchCount());
    }

    @Test
    void fullBatchesReuseOneBufferAndCopiesOwnTheirs() throws DatasetException {
        IdxDataset data = dataset(9, 3);
        Batches batches = data.batches(3);
        Batch first = batches.next();
        assertTrue(first.reused());
        Batch kept = first.copy();
        assertFalse(kept.reused());
        float[] firstValues = first.data().clone();
        Batch second = batches.next();
        assertSame(first.data(), second.data(), "full batches share one float buffer");
        assertSame(first.labels(), second.labels());
        assertFalse(Arrays.equals(firstValues, first.data()), "the next batch overwrote the reused buffer");
        assertArrayEquals(firstValues, kept.data(), "the copy kept the first batch's values");
        assertArrayEquals(new int[] {0, 1, 2}, kept.indices());
        assertNotSame(kept.data(), second.data());
        Tensor t = second.toTensor("input");
        assertArrayEquals(new long[] {3, 1, ROWS, COLS}, t.dims());
        assertArrayEquals(second.data(), t.toFloatArray());
    }

    @Test
    void shuffleIsAPermutationFixedBySeed() throws DatasetException {
        IdxDataset data = dataset(1000, 4);
        int[] a = flatten(indexBatches(data.batches(BatchOptions.of(64).shuffled(7))));
        int[] again = flatten(indexBatches(data.batches(BatchOptions.of(64).shuffled(7))));
        int[] other = flatten(indexBatches(data.batches(BatchOptions.of(64).shuffled(8))));
        int[] plain = flatten(indexBatches(data.batches(64)));
        int[] identity = new int[1000];
        Arrays.setAll(identity, i -> i);
        assertArrayEquals(identity, plain);
        assertArrayEquals(identity, sorted(a), "a shuffle visits every sample exactly once");
        assertArrayEquals(identity, sorted(other));
        assertArrayEquals(a, again, "the same seed gives the same order");
        assertNotEquals(Arrays.toString(a), Arrays.toString(other), "different seeds give different orders");
        assertNotEquals(Arrays.toString(identity), Arrays.toString(a), "a shuffle changes the order");
        int moved = 0;
        for (int i = 0; i < a.length; i++) {
            moved += a[i] != i ? 1 : 0;
        }
        assertTrue(moved > 900, "a uniform shuffle of 1000 leaves about one sample in place, moved " + moved);
    }

    @Test
    void shuffledBatchesCarryTheirSamplesLabelsAndData() throws DatasetException {
        IdxDataset data = dataset(50, 5);
        Batches batches = data.batches(BatchOptions.of(8).shuffled(99).droppingLast());
        int[] all = new int[0];
        while (batches.hasNext()) {
            Batch batch = batches.next();
            assertEquals(8, batch.size());
            for (int i = 0; i < 8; i++) {
                int index = batch.indices()[i];
                assertEquals(data.label(index), batch.labels()[i]);
                assertArrayEquals(data.read(index), Arrays.copyOfRange(batch.data(), i * 6, i * 6 + 6));
            }
            all = concat(all, batch.indices());
        }
        assertEquals(48, all.length);
        assertEquals(48, Arrays.stream(all).distinct().count(), "no sample repeats within an epoch");
    }

    @Test
    void normalizationMapsEveryPixelValueExactly() throws DatasetException {
        byte[] pixels = new byte[256];
        for (int p = 0; p < 256; p++) {
            pixels[p] = (byte) p;
        }
        IdxDataset ramp = IdxDataset.of("ramp", 16, 16, pixels, new byte[1], List.of("only"));
        float[] unit = ramp.read(0);
        assertEquals(0f, unit[0]);
        assertEquals(1f, unit[255]);
        for (int p = 0; p < 256; p++) {
            assertEquals(p / 255f, unit[p], "pixel " + p);
        }
        IdxDataset standardized = ramp.withNormalization(FashionMnist.NORMALIZATION);
        float[] z = standardized.batches(1).next().data();
        for (int p = 0; p < 256; p++) {
            assertEquals((p / 255f - 0.2860f) / 0.3530f, z[p], "pixel " + p);
        }
        assertEquals(-0.2860f / 0.3530f, z[0], 1e-6f);
        assertEquals((1 - 0.2860f) / 0.3530f, z[255], 1e-6f);
        assertEquals(Normalization.none(1), ramp.normalization());
        assertSame(ramp.classNames(), standardized.classNames(), "a normalized view shares the dataset");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ramp.withNormalization(Normalization.IMAGENET));
        assertTrue(e.getMessage().contains("has 1 channel") && e.getMessage().contains("has 3"), e.getMessage());
    }

    @Test
    void subsetAndTakeAreViews() throws DatasetException {
        IdxDataset data = dataset(20, 6);
        Dataset subset = data.subset(new int[] {7, 2, 2, 19});
        assertEquals(4, subset.size());
        assertArrayEquals(data.sampleShape(), subset.sampleShape());
        assertEquals(data.label(7), subset.label(0));
        assertEquals(data.label(19), subset.label(3));
        assertArrayEquals(data.read(2), subset.read(2));
        assertArrayEquals(new int[] {0, 1, 2, 3}, flatten(indexBatches(subset.batches(3))),
                "batch indices are the view's own");
        Dataset nested = subset.subset(new int[] {3, 0});
        assertArrayEquals(data.read(19), nested.read(0));
        assertArrayEquals(data.read(7), nested.read(1));

        Dataset normalized = subset.withNormalization(Normalization.of(0.5f, 0.25f));
        float[] raw = subset.read(1);
        float[] z = normalized.read(1);
        for (int i = 0; i < raw.length; i++) {
            assertEquals((raw[i] - 0.5f) / 0.25f, z[i], 1e-6f);
        }
        assertEquals(Normalization.of(0.5f, 0.25f), normalized.normalization());

        Dataset first = data.take(5);
        assertEquals(5, first.size());
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(data.read(i), first.read(i));
        }
        assertEquals(20, data.take(1000).size(), "take clamps to the dataset size");
        assertThrows(IllegalArgumentException.class, () -> data.take(-1));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> data.subset(new int[] {0, 20}));
        assertTrue(e.getMessage().contains("index 20 at position 1") && e.getMessage().contains("[0, 20)"),
                e.getMessage());
    }

    @Test
    void classCountsAndArgumentChecks() throws DatasetException {
        byte[] labels = {0, 2, 2, 1, 2};
        IdxDataset data = IdxDataset.of("counts", 1, 1, new byte[5], labels, CLASSES);
        assertArrayEquals(new int[] {1, 1, 3}, data.classCounts());
        assertArrayEquals(new int[] {0, 0, 2}, data.subset(new int[] {1, 4}).classCounts());
        assertThrows(IllegalArgumentException.class, () -> BatchOptions.of(0));
        assertThrows(IndexOutOfBoundsException.class, () -> data.read(5));
        DatasetException wrongSize = assertThrows(DatasetException.class,
                () -> IdxDataset.of("bad", 2, 2, new byte[7], new byte[2], CLASSES));
        assertTrue(wrongSize.getMessage().contains("need 8 pixel bytes, got 7"), wrongSize.getMessage());
        DatasetException badLabel = assertThrows(DatasetException.class,
                () -> IdxDataset.of("bad", 1, 1, new byte[2], new byte[] {0, 3}, CLASSES));
        assertTrue(badLabel.getMessage().contains("label 3 of sample 1"), badLabel.getMessage());
    }

    private static int[] sorted(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
