// Tests of FashionMnist on the real files of the Debian package dataset-fashion-mnist, and of its error messages.
package dev.condense.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class FashionMnistTest {

    /** Both splits, read once for the class; null when the package is not installed. */
    private static IdxDataset train;
    private static IdxDataset test;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readSplits() throws DatasetException {
        if (Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            train = FashionMnist.open(Split.TRAIN);
            test = FashionMnist.open(FashionMnist.DEFAULT_DIR, Split.TEST);
        }
    }

    private static void assumeInstalled() {
        assumeTrue(train != null, "Fashion-MNIST is not installed at " + FashionMnist.DEFAULT_DIR
                + " (Debian package dataset-fashion-mnist); the tests of the real data are skipped");
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    @Test
    void splitsHaveTheDocumentedSizesAndBalancedClasses() {
        assumeInstalled();
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertArrayEquals(new int[] {1, 28, 28}, train.sampleShape());
        assertArrayEquals(new int[] {1, 28, 28}, test.sampleShape());
        assertEquals(FashionMnist.CLASS_NAMES, train.classNames());
        assertEquals("Ankle boot", train.classNames().get(9));
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6_000);
        assertArrayEquals(sixThousand, train.classCounts());
        int[] oneThousand = new int[10];
        Arrays.fill(oneThousand, 1_000);
        assertArrayEquals(oneThousand, test.classCounts());
    }

    @Test
    void pixelsSpanTheFullByteRangeAndReadAsUnitValues() throws DatasetException {
        assumeInstalled();
        int min = 255;
        int max = 0;
        for (int i = 0; i < test.size(); i++) {
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    int p = test.pixel(i, y, x);
                    min = Math.min(min, p);
                    max = Math.max(max, p);
                }
            }
        }
        assertEquals(0, min);
        assertEquals(255, max);
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        Batches batches = test.batches(1000);
        while (batches.hasNext()) {
            for (float v : batches.next().data()) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        assertEquals(0f, lo);
        assertEquals(1f, hi);
        float[] sample = test.read(1234);
        assertEquals(test.pixel(1234, 14, 9) / 255f, sample[14 * 28 + 9]);
    }

    /** The documented standardization is the training split's statistics: computed here, not copied. */
    @Test
    void normalizationConstantsAreTheTrainingStatistics() throws DatasetException {
        assumeInstalled();
        double[] moments = moments(train);
        assertEquals(0.2860, moments[0], 5e-5, "mean of the training pixels / 255");
        assertEquals(0.3530, moments[1], 5e-5, "std of the training pixels / 255");
        double[] standardized = moments(train.withNormalization(FashionMnist.NORMALIZATION));
        assertEquals(0.0, standardized[0], 2e-4);
        assertEquals(1.0, standardized[1], 2e-4);
    }

    /** Mean and population std of every value read, streamed in shuffled batches. */
    private static double[] moments(Dataset data) throws DatasetException {
        double sum = 0;
        double sumSquares = 0;
        long n = 0;
        Batches batches = data.batches(BatchOptions.of(512).shuffled(1));
        while (batches.hasNext()) {
            for (float v : batches.next().data()) {
                sum += v;
                sumSquares += (double) v * v;
                n++;
            }
        }
        assertEquals((long) data.size() * 784, n);
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sumSquares / n - mean * mean)};
    }

    @Test
    void uncompressedCopiesReadTheSame() throws IOException, DatasetException {
        assumeInstalled();
        for (String name : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(FashionMnist.DEFAULT_DIR.resolve(name + ".gz")))) {
                Files.copy(in, tmp.resolve(name));
            }
        }
        IdxDataset plain = FashionMnist.open(tmp, Split.TEST);
        assertEquals(test.size(), plain.size());
        for (int i = 0; i < plain.size(); i += 997) {
            assertEquals(test.label(i), plain.label(i));
            assertArrayEquals(test.read(i), plain.read(i), "sample " + i);
        }
        assertEquals(Arrays.toString(test.classCounts()), Arrays.toString(plain.classCounts()));
    }

    @Test
    void missingFolderSaysWhereThePackageInstallsIt() {
        Path absent = tmp.resolve("no-such-folder");
        String m = assertThrows(DatasetException.class, () -> FashionMnist.open(absent, Split.TRAIN)).getMessage();
        assertContains(m, "Fashion-MNIST folder " + absent + " does not exist", "dataset-fashion-mnist",
                FashionMnist.DEFAULT_DIR.toString(), "--data DIR");
    }

    @Test
    void missingFileNamesBothNamesItLooksFor() throws IOException {
        Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), IdxFiles.gzip(IdxFiles.images(1, 28, 28, new byte[784])));
        String m = assertThrows(DatasetException.class, () -> FashionMnist.open(tmp, Split.TEST)).getMessage();
        assertContains(m, tmp.toString(), "neither t10k-labels-idx1-ubyte nor t10k-labels-idx1-ubyte.gz",
                "dataset-fashion-mnist", "--data DIR");
        String trainMessage = assertThrows(DatasetException.class, () -> FashionMnist.open(tmp, Split.TRAIN)).getMessage();
        assertContains(trainMessage, "neither train-images-idx3-ubyte nor train-images-idx3-ubyte.gz");
    }

    @Test
    void imagesMustBe28By28() throws IOException {
        Files.write(tmp.resolve("t10k-images-idx3-ubyte"), IdxFiles.images(2, 32, 32, new byte[2 * 1024]));
        Files.write(tmp.resolve("t10k-labels-idx1-ubyte"), IdxFiles.labels(new byte[] {3, 9}));
        String m = assertThrows(DatasetException.class, () -> FashionMnist.open(tmp, Split.TEST)).getMessage();
        assertContains(m, "t10k-images-idx3-ubyte", "images are 28x28", "holds 32x32");
    }
}
