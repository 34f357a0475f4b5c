// Test inputs for the server: the LeNet-5 model, a .dcz compressed from it, and 28x28 gray PNGs with their tensors.
package dev.condense.samples.serve;

import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.IdxDataset;
import dev.condense.data.ImageSamples;
import dev.condense.data.Split;
import dev.condense.runtime.ImageClassifier;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Images come from the Fashion-MNIST test split when the Debian package dataset-fashion-mnist is
 * installed, and are generated otherwise (seeded shapes on noise, so still deterministic): the
 * server's answers are compared with direct runs, not with labels, so either kind tests the same.
 */
final class TestData {

    /** The model every test serves (trained on Fashion-MNIST; its metadata names the classes). */
    static final Path LENET5 = Path.of(System.getProperty("condense.models.dir", "../../models/trained"))
            .resolve("lenet-5-caffe.onnx");

    private TestData() {
    }

    /** One test image: its PNG encoding and the normalized tensor the model sees for it. */
    record Sample(String name, byte[] png, float[] tensor) {
    }

    /** Where the images came from, for the test log. */
    static String imageSource() {
        return fashionMnist() != null ? "Fashion-MNIST test images from " + FashionMnist.DEFAULT_DIR
                : "synthetic 28x28 images (dataset-fashion-mnist is not installed)";
    }

    /** {@code count} samples, each preprocessed as {@code classifier} preprocesses images. */
    static List<Sample> samples(int count, ImageClassifier classifier) {
        IdxDataset mnist = fashionMnist();
        Random random = new Random(20261203L);
        List<Sample> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            BufferedImage image = mnist != null ? fashionMnistImage(mnist, i) : syntheticImage(random);
            float[] tensor = new float[FashionMnist.IMAGE_SIZE * FashionMnist.IMAGE_SIZE];
            ImageSamples.write(image, classifier.transform(), classifier.normalization(), tensor, 0);
            out.add(new Sample((mnist != null ? "fashion-mnist-test-" : "synthetic-") + i, png(image), tensor));
        }
        return out;
    }

    /** {@link #LENET5} compressed with the default preset into {@code dir}. */
    static Path compressedLenet5(Path dir) throws Exception {
        Path dcz = dir.resolve("lenet5.dcz");
        if (!Files.exists(dcz)) {
            CompressionPipeline.of(CompressionPreset.DEFAULT).compress(LENET5, dcz, false);
        }
        return dcz;
    }

    private static IdxDataset fashionMnist() {
        if (!Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            return null;
        }
        try {
            return FashionMnist.open(Split.TEST);
        } catch (DatasetException e) {
            throw new IllegalStateException("the Fashion-MNIST folder exists but cannot be read: " + e.getMessage(), e);
        }
    }

    private static BufferedImage fashionMnistImage(IdxDataset data, int index) {
        int size = FashionMnist.IMAGE_SIZE;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.getRaster().setSample(x, y, 0, data.pixel(index, y, x));
            }
        }
        return image;
    }

    /** A bright rectangle of random size and place on dark noise: something the model answers firmly or not. */
    private static BufferedImage syntheticImage(Random random) {
        int size = FashionMnist.IMAGE_SIZE;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
        int x0 = random.nextInt(size / 2);
        int y0 = random.nextInt(size / 2);
        int x1 = x0 + 4 + random.nextInt(size / 2 - 4);
        int y1 = y0 + 4 + random.nextInt(size / 2 - 4);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                boolean inside = x >= x0 && x < x1 && y >= y0 && y < y1;
                image.getRaster().setSample(x, y, 0, inside ? 160 + random.nextInt(96) : random.nextInt(40));
            }
        }
        return image;
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
