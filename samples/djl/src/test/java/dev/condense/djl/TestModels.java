// Models and images the DJL tests share: LeNet-5 compressed once per JVM, a two-input graph, test images as PNG.
package dev.condense.djl;

import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.IdxDataset;
import dev.condense.data.ModelMetadata;
import dev.condense.data.Split;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Files go under {@code target/djl-test-models} (build output, relative to the module, where
 * surefire runs), written once per JVM so that every test class reuses them.
 */
final class TestModels {

    /** LeNet-5 (Caffe layout) trained by Condense on Fashion-MNIST; it records its normalization. */
    static final Path LENET5_ONNX = Path.of("../../models/trained/lenet-5-caffe.onnx");
    static final Path DIR = Path.of("target", "djl-test-models");
    /** Test images compared and counted; the accuracy bound is over these. */
    static final int IMAGES = 200;

    private static Path lenet5Dcz;
    private static Path lenet5Standardized;
    private static Path twoInputs;
    private static List<LabelledImage> images;

    private TestModels() {
    }

    /** An encoded image and its class (-1 for synthetic images, which have none). */
    record LabelledImage(byte[] png, int label) {
    }

    /** LeNet-5 through the default Deep Compression preset (prune, share, Huffman) as a .dcz. */
    static synchronized Path lenet5Dcz() throws Exception {
        if (lenet5Dcz == null) {
            Files.createDirectories(DIR);
            Path out = DIR.resolve("lenet5.dcz");
            CompressionPipeline.of(CompressionPreset.DEFAULT).compress(LENET5_ONNX, out, false);
            lenet5Dcz = out;
        }
        return lenet5Dcz;
    }

    /**
     * LeNet-5 as it would be had it been trained on standardized inputs: the same graph recording
     * Fashion-MNIST's mean and std and its own class names ("recorded 0" to "recorded 9"), so that
     * a translator that skipped either would be caught (LeNet-5 itself records mean 0, std 1).
     */
    static synchronized Path lenet5Standardized() throws Exception {
        if (lenet5Standardized == null) {
            Files.createDirectories(DIR);
            Model lenet = OnnxReader.read(LENET5_ONNX);
            Map<String, String> metadata = new LinkedHashMap<>(lenet.metadata());
            metadata.put(ModelMetadata.MEAN, ModelMetadata.format(FashionMnist.NORMALIZATION.mean()));
            metadata.put(ModelMetadata.STD, ModelMetadata.format(FashionMnist.NORMALIZATION.std()));
            List<String> names = new ArrayList<>();
            for (int i = 0; i < FashionMnist.CLASS_NAMES.size(); i++) {
                names.add("recorded " + i);
            }
            metadata.put(ModelMetadata.LABELS, ModelMetadata.formatLabels(names));
            Model standardized = new Model(lenet.irVersion(), lenet.opsets(), lenet.producerName(),
                    lenet.producerVersion(), lenet.docString(), metadata, lenet.graph());
            Path out = DIR.resolve("lenet5-standardized.onnx");
            OnnxWriter.write(standardized, out, OnnxWriter.Options.inline());
            lenet5Standardized = out;
        }
        return lenet5Standardized;
    }

    /**
     * Not an image classifier: {@code scores: float32[N, 3]} and {@code ids: int64[N, 3]}, each
     * copied by an Identity node to {@code scores_out} and {@code ids_out}.
     */
    static synchronized Path twoInputs() throws IOException {
        if (twoInputs == null) {
            Files.createDirectories(DIR);
            List<Dim> dims = List.of(new Dim.Symbolic("N"), new Dim.Fixed(3));
            Graph graph = new Graph("two-inputs",
                    List.of(Node.of("copy_scores", "Identity", List.of("scores"), List.of("scores_out")),
                            Node.of("copy_ids", "Identity", List.of("ids"), List.of("ids_out"))),
                    List.of(ValueInfo.of("scores", DataType.FLOAT, dims), ValueInfo.of("ids", DataType.INT64, dims)),
                    List.of(ValueInfo.of("scores_out", DataType.FLOAT, dims), ValueInfo.of("ids_out", DataType.INT64, dims)),
                    Map.of(), Map.of());
            Path out = DIR.resolve("two-inputs.onnx");
            OnnxWriter.write(Model.of(graph, 13), out, OnnxWriter.Options.inline());
            twoInputs = out;
        }
        return twoInputs;
    }

    /** Whether the Fashion-MNIST test split is installed (Debian package dataset-fashion-mnist). */
    static boolean hasFashionMnist() {
        return Files.isDirectory(FashionMnist.DEFAULT_DIR);
    }

    /**
     * The first {@link #IMAGES} Fashion-MNIST test images as grayscale PNGs with their labels, or,
     * without the dataset, as many seeded random gray 28x28 images without labels.
     */
    static synchronized List<LabelledImage> testImages() throws DatasetException {
        if (images == null) {
            List<LabelledImage> out = new ArrayList<>(IMAGES);
            if (hasFashionMnist()) {
                IdxDataset test = FashionMnist.open(Split.TEST);
                for (int i = 0; i < IMAGES; i++) {
                    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            image.getRaster().setSample(x, y, 0, test.pixel(i, y, x));
                        }
                    }
                    out.add(new LabelledImage(png(image), test.label(i)));
                }
            } else {
                Random random = new Random(20261203);
                for (int i = 0; i < IMAGES; i++) {
                    BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            image.getRaster().setSample(x, y, 0, random.nextInt(256));
                        }
                    }
                    out.add(new LabelledImage(png(image), -1));
                }
            }
            images = List.copyOf(out);
        }
        return images;
    }

    /** A seeded colour image of the given size, so that resizing, cropping and luminance are exercised. */
    static byte[] colourPng(int width, int height, long seed) {
        Random random = new Random(seed);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return png(image);
    }

    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Every message in the cause chain, so that a check does not depend on how DJL wraps Condense's exception. */
    static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
