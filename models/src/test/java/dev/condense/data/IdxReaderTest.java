// Tests of IdxReader and IdxDataset.open on generated IDX files: round trips, gzip detection and every corruption.
package dev.condense.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {

    private static final List<String> THREE_CLASSES = List.of("a", "b", "c");

    @TempDir
    Path tmp;

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String message(Path file) {
        return assertThrows(DatasetException.class, () -> IdxReader.readImages(file)).getMessage();
    }

    @Test
    void plainAndGzipFilesReadTheSameWhateverTheirNames() throws IOException, DatasetException {
        byte[] pixels = randomBytes(5 * 4 * 3, 11);
        byte[] file = IdxFiles.images(5, 4, 3, pixels);
        // Detection goes by content: a gzip file without .gz and a plain file named .gz both read.
        Path gzipNoSuffix = write("images-idx3-ubyte", IdxFiles.gzip(file));
        Path plainWithSuffix = write("images-idx3-ubyte.gz", file);
        for (Path p : List.of(gzipNoSuffix, plainWithSuffix)) {
            IdxReader.Images images = IdxReader.readImages(p);
            assertEquals(5, images.count());
            assertEquals(4, images.rows());
            assertEquals(3, images.cols());
            assertArrayEquals(pixels, images.pixels(), p.toString());
        }
        byte[] labels = {2, 0, 1, 2, 255 - 256};
        IdxReader.Labels read = IdxReader.readLabels(write("labels.gz", IdxFiles.gzip(IdxFiles.labels(labels))));
        assertEquals(5, read.count());
        assertEquals(255, read.get(4), "labels are unsigned");
        assertArrayEquals(labels, read.values());
    }

    @Test
    void wrongMagicNamesExpectedAndFoundInHex() throws IOException {
        Path labelsAsImages = write("t10k-labels-idx1-ubyte", IdxFiles.labels(new byte[] {1, 2}));
        assertContains(message(labelsAsImages), labelsAsImages.toString(), "expected IDX magic 0x00000803",
                "found 0x00000801", "uint8 labels, 1 dim");
        Path png = write("cat.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0, 0, 0, 0, 0});
        assertContains(message(png), png.toString(), "expected IDX magic 0x00000803", "found 0x89504e47",
                "not an IDX file");
        Path floats = write("floats.gz", IdxFiles.gzip(IdxFiles.idx(0x00000D03, new int[] {1, 1, 1}, new byte[4])));
        assertContains(message(floats), floats.toString(), "(gzip)", "found 0x00000d03", "float32 3 dims");
        Path images = write("images", IdxFiles.images(1, 1, 1, new byte[1]));
        assertContains(assertThrows(DatasetException.class, () -> IdxReader.readLabels(images)).getMessage(),
                images.toString(), "expected IDX magic 0x00000801", "found 0x00000803", "uint8 images, 3 dims");
    }

    @Test
    void truncatedPixelsAreCountedInPlainAndGzipFiles() throws IOException {
        byte[] whole = IdxFiles.images(10, 28, 28, randomBytes(10 * 784, 12));
        byte[] cut = Arrays.copyOf(whole, whole.length - 1000);
        Path plain = write("train-images-idx3-ubyte", cut);
        assertContains(message(plain), plain.toString(), "expected 7840 bytes of pixels", "found 6840", "truncated");
        Path gz = write("train-images-idx3-ubyte.gz", IdxFiles.gzip(cut));
        assertContains(message(gz), gz.toString(), "(gzip)", "expected 7840 bytes of pixels, found 6840", "truncated");
        // A gzip file cut short itself: the compressed stream ends before the pixels do.
        byte[] compressed = IdxFiles.gzip(whole);
        Path cutGz = write("cut.gz", Arrays.copyOf(compressed, compressed.length / 2));
        String m = message(cutGz);
        assertContains(m, cutGz.toString(), "expected 7840 bytes of pixels, found", "ends early");
        int found = Integer.parseInt(m.replaceAll(".*found (\\d+).*", "$1"));
        assertTrue(found > 0 && found < 7840, m);
    }

    @Test
    void bytesPastTheDataAreReported() throws IOException {
        byte[] whole = IdxFiles.images(2, 2, 2, new byte[8]);
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);
        Path plain = write("long", longer);
        assertContains(message(plain), plain.toString(), "expected 8 bytes of pixels", "found 11", "past its data");
        Path gz = write("long.gz", IdxFiles.gzip(longer));
        assertContains(message(gz), gz.toString(), "need 8 bytes of pixels", "3 more bytes follow");
    }

    @Test
    void truncatedHeaderSaysHowMuchIsMissing() throws IOException {
        byte[] header = IdxFiles.images(60000, 28, 28, new byte[0]);
        Path cut = write("cut-header", Arrays.copyOf(header, 9));
        assertContains(message(cut), cut.toString(), "header is cut short", "3 dimensions need 12 bytes", "found 5");
        Path cutGz = write("cut-header.gz", IdxFiles.gzip(Arrays.copyOf(header, 9)));
        assertContains(message(cutGz), cutGz.toString(), "(gzip)", "header is cut short", "found 5");
        Path tiny = write("tiny", new byte[] {0, 0});
        assertContains(message(tiny), tiny.toString(), "holds 2 bytes", "4-byte IDX magic");
        Path empty = write("empty", new byte[0]);
        assertContains(message(empty), empty.toString(), "holds 0 bytes");
    }

    @Test
    void overflowingDimsAreRejectedBeforeAllocating() throws IOException {
        Path overflow = write("overflow", IdxFiles.images(-1, -1, -1, new byte[0]));
        assertContains(message(overflow), overflow.toString(), "dims [4294967295, 4294967295, 4294967295] overflow");
        Path huge = write("huge", IdxFiles.images(65536, 65536, 65536, new byte[16]));
        assertContains(message(huge), huge.toString(), "dims [65536, 65536, 65536]", "describe 281474976710656 bytes",
                "more than the " + IdxReader.MAX_ELEMENT_BYTES);
        // Within array limits but far beyond what the compressed bytes can expand to.
        Path bomb = write("bomb.gz", IdxFiles.gzip(IdxFiles.images(1000, 1000, 1000, new byte[0])));
        assertContains(message(bomb), bomb.toString(), "need 1000000000 bytes of pixels", "DEFLATE expands at most 1032:1");
        Path noPixels = write("zero-rows", IdxFiles.images(3, 0, 28, new byte[0]));
        assertContains(message(noPixels), noPixels.toString(), "images of 0x28 pixels");
    }

    @Test
    void gzipGarbageIsNotAValidStream() throws IOException {
        byte[] garbage = randomBytes(500, 13);
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;
        Path random = write("train-images-idx3-ubyte.gz", garbage);
        assertContains(message(random), random.toString(), "starts like gzip (1f 8b) but is not a valid gzip stream",
                "500 bytes");
        byte[] badBlock = IdxFiles.gzip(IdxFiles.images(1, 1, 1, new byte[1]));
        Arrays.fill(badBlock, 10, badBlock.length, (byte) 0xff);
        Path corrupt = write("corrupt.gz", badBlock);
        assertContains(message(corrupt), corrupt.toString(), "not a valid gzip stream");
    }

    @Test
    void missingFileAndFolderAreNamed() throws IOException {
        Path missing = tmp.resolve("absent-idx3-ubyte");
        assertContains(message(missing), "IDX file " + missing, "does not exist");
        assertContains(message(tmp), tmp.toString(), "is a folder");
    }

    @Test
    void imageAndLabelCountsMustAgree() throws IOException {
        Path images = write("imgs", IdxFiles.images(4, 2, 2, new byte[16]));
        Path labels = write("lbls.gz", IdxFiles.gzip(IdxFiles.labels(new byte[] {0, 1, 2})));
        String m = assertThrows(DatasetException.class,
                () -> IdxDataset.open("pair", images, labels, THREE_CLASSES)).getMessage();
        assertContains(m, "images file " + images + " holds 4 images", "labels file " + labels + " holds 3 labels");
    }

    @Test
    void labelsMustNameAClass() throws IOException, DatasetException {
        Path images = write("imgs", IdxFiles.images(4, 2, 2, new byte[16]));
        Path labels = write("lbls", IdxFiles.labels(new byte[] {0, 2, 3, 1}));
        String m = assertThrows(DatasetException.class,
                () -> IdxDataset.open("pair", images, labels, THREE_CLASSES)).getMessage();
        assertContains(m, labels.toString(), "label 3 of sample 2", "not below the class count 3");
        IdxDataset four = IdxDataset.open("pair", images, labels, List.of("a", "b", "c", "d"));
        assertArrayEquals(new int[] {1, 1, 1, 1}, four.classCounts());
    }
}
