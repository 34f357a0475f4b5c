// Tests of ImageFolder on PNG and JPEG files generated with ImageIO: discovery, transforms, exact values, errors.
package dev.condense.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ImageFolderTest {

    /** Largest difference of a solid colour after a JPEG round trip, in 0..255 levels. */
    private static final float JPEG_LEVELS = 3f;
    /** Float rounding of resampling weights that sum to 1. */
    private static final float RESAMPLE_TOLERANCE = 1e-5f;

    @TempDir
    Path root;

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message lacks \"" + p + "\": " + message);
        }
    }

    private static BufferedImage solid(int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    private static BufferedImage gray(int width, int height, int level) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.getRaster().setSample(x, y, 0, level);
            }
        }
        return image;
    }

    private Path write(BufferedImage image, String format, String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        assertTrue(ImageIO.write(image, format, file.toFile()), "no ImageIO writer for " + format);
        return file;
    }

    private Path writeBytes(String relative, byte[] bytes) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.write(file, bytes);
    }

    @Test
    void classesAreSortedSubfoldersAndExtensionsIgnoreCase() throws IOException, DatasetException {
        write(solid(8, 8, 0xff0000), "png", "cat/b.PNG");
        write(solid(8, 8, 0xff0000), "jpg", "cat/a.jpg");
        write(solid(8, 8, 0x00ff00), "jpeg", "Dog/x.JPEG");
        write(solid(8, 8, 0x0000ff), "png", "bird/only.png");
        writeBytes("bird/.DS_Store", new byte[] {1, 2, 3});
        ImageFolder data = ImageFolder.open(root, ImageTransform.square(4, 3));
        assertEquals(List.of("Dog", "bird", "cat"), data.classNames(), "sorted by name, upper case first");
        assertEquals(4, data.size(), "dot files are ignored");
        assertEquals(root.resolve("Dog/x.JPEG"), data.file(0));
        assertEquals(root.resolve("bird/only.png"), data.file(1));
        assertEquals(root.resolve("cat/a.jpg"), data.file(2), "files sorted by name within a class");
        assertEquals(root.resolve("cat/b.PNG"), data.file(3));
        assertArrayEquals(new int[] {1, 1, 2}, data.classCounts());
        assertEquals(0, data.label(0));
        assertEquals(2, data.label(3));
        assertArrayEquals(new int[] {3, 4, 4}, data.sampleShape());
    }

    @Test
    void solidColoursReadAsExactNormalizedValues() throws IOException, DatasetException {
        int r = 200;
        int g = 100;
        int b = 50;
        write(solid(40, 30, r << 16 | g << 8 | b), "png", "c/solid.png");
        write(solid(40, 30, r << 16 | g << 8 | b), "jpg", "c/solid.jpg");
        ImageFolder unit = ImageFolder.open(root, new ImageTransform(16, 12, 16, 3));
        ImageFolder imagenet = unit.withNormalization(Normalization.IMAGENET);
        int[] rgb = {r, g, b};
        float[] mean = Normalization.IMAGENET.mean();
        float[] std = Normalization.IMAGENET.std();
        // file(0) is solid.jpg, file(1) solid.png
        for (int index = 0; index < 2; index++) {
            boolean jpeg = unit.file(index).toString().endsWith(".jpg");
            float[] plain = unit.read(index);
            float[] z = imagenet.read(index);
            assertEquals(3 * 12 * 16, z.length);
            for (int c = 0; c < 3; c++) {
                float expectedUnit = rgb[c] / 255f;
                float tolerance = jpeg ? JPEG_LEVELS / 255f : RESAMPLE_TOLERANCE;
                for (int i = 0; i < 12 * 16; i++) {
                    assertEquals(expectedUnit, plain[c * 192 + i], tolerance, unit.file(index) + " channel " + c);
                    assertEquals((expectedUnit - mean[c]) / std[c], z[c * 192 + i], tolerance / std[c],
                            unit.file(index) + " channel " + c);
                }
            }
        }
    }

    @Test
    void grayscaleConversionUsesLuminanceAndStoredGrayLevels() throws IOException, DatasetException {
        write(solid(10, 10, 200 << 16 | 100 << 8 | 50), "png", "a/colour.png");
        write(gray(10, 10, 128), "png", "b/gray.png");
        write(gray(10, 10, 64), "jpg", "c/gray.jpg");
        ImageFolder one = ImageFolder.open(root, ImageTransform.square(10, 1));
        ImageFolder three = ImageFolder.open(root, ImageTransform.square(10, 3));
        float luminance = (0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255f;
        for (float v : one.read(0)) {
            assertEquals(luminance, v, RESAMPLE_TOLERANCE);
        }
        // A gray PNG reads at its stored level, not brightened by a linear-to-sRGB conversion.
        for (float v : one.read(1)) {
            assertEquals(128 / 255f, v);
        }
        float[] replicated = three.read(1);
        assertEquals(300, replicated.length);
        for (float v : replicated) {
            assertEquals(128 / 255f, v);
        }
        for (float v : three.read(2)) {
            assertEquals(64 / 255f, v, JPEG_LEVELS / 255f);
        }
    }

    @Test
    void gradientIsResizedBilinearlyAndCenterCropped() throws IOException, DatasetException {
        // 64 wide, 32 high, level 4x in column x: shrinking by 2 turns column pair (2o, 2o+1)
        // into the tent average 4 * (2o + 0.5) = 8o + 2 away from the edges.
        BufferedImage ramp = new BufferedImage(64, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 64; x++) {
                ramp.getRaster().setSample(x, y, 0, 4 * x);
            }
        }
        write(ramp, "png", "ramp/ramp.png");
        ImageFolder data = ImageFolder.open(root, new ImageTransform(16, 16, 12, 1));
        float[] out = data.read(0);
        assertArrayEquals(new int[] {1, 16, 12}, data.sampleShape());
        assertEquals(16 * 12, out.length);
        // Resized to 32x16; the 12 central columns are resized columns 10..21.
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 12; x++) {
                int resizedColumn = x + 10;
                assertEquals((8f * resizedColumn + 2) / 255f, out[y * 12 + x], RESAMPLE_TOLERANCE,
                        "row " + y + " column " + x);
            }
        }
    }

    @Test
    void resizeInterpolatesBetweenPixelCentresAndKeepsConstantsConstant() {
        float[][] two = {{10f, 50f}};
        float[] up = BilinearResize.resize(two, 1, 2, 1, 4)[0];
        assertArrayEquals(new float[] {10f, 20f, 40f, 50f}, up, RESAMPLE_TOLERANCE);
        // Shrinking 1-pixel stripes by 3: a plain bilinear sample would land on single stripes (255 or 0);
        // the widened tent weighs 5 pixels 1/3, 2/3, 1, 2/3, 1/3 and gives 5/9 or 4/9 of 255.
        float[] stripes = new float[30];
        for (int x = 1; x < 30; x += 2) {
            stripes[x] = 255f;
        }
        float[] shrunk = BilinearResize.resize(new float[][] {stripes}, 1, 30, 1, 10)[0];
        for (int o = 1; o < 9; o++) {
            assertEquals(255f * (o % 2 == 0 ? 5 : 4) / 9, shrunk[o], 1e-3f, "output column " + o);
        }
        float[][] same = {{1f, 2f, 3f}};
        assertTrue(BilinearResize.resize(same, 1, 3, 1, 3) == same, "an unchanged size is not resampled");
        Random random = new Random(21);
        for (int trial = 0; trial < 50; trial++) {
            int inH = 1 + random.nextInt(40);
            int inW = 1 + random.nextInt(40);
            int outH = 1 + random.nextInt(40);
            int outW = 1 + random.nextInt(40);
            float level = random.nextFloat() * 255;
            float[] plane = new float[inH * inW];
            Arrays.fill(plane, level);
            float[] resized = BilinearResize.resize(new float[][] {plane}, inH, inW, outH, outW)[0];
            assertEquals(outH * outW, resized.length);
            for (float v : resized) {
                assertEquals(level, v, level * 1e-5f, inH + "x" + inW + " -> " + outH + "x" + outW);
            }
        }
    }

    @Test
    void batchesDecodeLazilyAndNameAnUndecodableFile() throws IOException, DatasetException {
        Path goodFile = write(solid(8, 8, 0x808080), "png", "a/good.png");
        byte[] png = Files.readAllBytes(goodFile);
        Path broken = writeBytes("a/zz-broken.png", Arrays.copyOf(png, png.length / 2));
        Path notImage = writeBytes("b/text.jpg", "not a picture at all".getBytes(StandardCharsets.UTF_8));
        ImageFolder data = ImageFolder.open(root, ImageTransform.square(8, 3));
        assertEquals(3, data.size(), "nothing is decoded when the folder is opened");
        Batches batches = data.batches(2);
        DatasetException e = assertThrows(DatasetException.class, batches::next);
        assertContains(e.getMessage(), "cannot decode image " + broken, "(" + png.length / 2 + " bytes)");
        assertContains(assertThrows(DatasetException.class, () -> data.read(2)).getMessage(), notImage.toString(),
                "is not a PNG or JPEG image");
        float[] good = data.read(0);
        assertEquals(128 / 255f, good[0]);
    }

    @Test
    void folderLayoutErrorsNameThePath() throws IOException {
        ImageTransform t = ImageTransform.square(4, 3);
        Path missing = root.resolve("absent");
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(missing, t)).getMessage(),
                "image folder " + missing + " does not exist");
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(root, t)).getMessage(),
                "image folder " + root + " holds no class folders");
        Files.createDirectories(root.resolve("empty"));
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(root, t)).getMessage(),
                "class folder " + root.resolve("empty") + " holds no images");
        write(solid(4, 4, 0), "png", "empty/img.png");
        Path notes = writeBytes("empty/notes.txt", new byte[] {'h', 'i'});
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(root, t)).getMessage(),
                notes + " is not an image", ".png, .jpg, .jpeg");
        Files.delete(notes);
        Path nested = Files.createDirectories(root.resolve("empty/deeper"));
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(root, t)).getMessage(),
                nested + " is a folder inside class folder");
        Files.delete(nested);
        Path stray = writeBytes("labels.csv", new byte[] {'x'});
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(root, t)).getMessage(),
                stray + " is a file in the image folder's root");
        Files.delete(stray);
        Path rootFile = writeBytes("empty/img.png", new byte[0]);
        assertContains(assertThrows(DatasetException.class, () -> ImageFolder.open(rootFile, t)).getMessage(),
                rootFile + " is a file, not a folder");
    }

    @Test
    void transformAndNormalizationArgumentsAreChecked() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> new ImageTransform(200, 224, 224, 3))
                .getMessage(), "shorter side 200", "224x224");
        assertContains(assertThrows(IllegalArgumentException.class, () -> ImageTransform.square(8, 2)).getMessage(),
                "1 (luminance) or 3 (RGB), got 2");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> new Normalization(new float[] {0.5f}, new float[] {0f})).getMessage(), "std 0.0");
        assertArrayEquals(new int[] {3, 224, 224}, ImageTransform.IMAGENET.sampleShape());
    }

    @Test
    void readingManyImagesLeavesNoFileOpen() throws IOException, DatasetException {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        assumeTrue(os instanceof com.sun.management.UnixOperatingSystemMXBean,
                "open file descriptors can only be counted on Unix-like systems");
        var unix = (com.sun.management.UnixOperatingSystemMXBean) os;
        for (int i = 0; i < 10; i++) {
            write(solid(6, 6, 0x102030 * (i + 1)), i % 2 == 0 ? "png" : "jpg", "c/img" + i + (i % 2 == 0 ? ".png" : ".jpg"));
        }
        writeBytes("c/zz-bad.jpg", new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0, 1, 2});
        ImageFolder data = ImageFolder.open(root, ImageTransform.square(4, 3));
        data.read(0);
        long before = unix.getOpenFileDescriptorCount();
        int failures = 0;
        for (int pass = 0; pass < 20; pass++) {
            for (int i = 0; i < data.size(); i++) {
                try {
                    data.read(i);
                } catch (DatasetException e) {
                    failures++;
                }
            }
        }
        long after = unix.getOpenFileDescriptorCount();
        assertEquals(20, failures, "the corrupt JPEG fails on every pass");
        assertTrue(after - before < 10, "220 reads left " + (after - before) + " more descriptors open");
    }
}
