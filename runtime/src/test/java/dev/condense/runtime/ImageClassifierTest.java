// Tests of ImageClassifier: images fed as the model was trained, the ranking against a direct Session.run, labels, errors.
package dev.condense.runtime;

import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.ModelMetadata;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageClassifierTest {

    static final float MEAN = 0.25f;
    static final float STD = 0.5f;

    /** The zoo's LeNet-5 with a recorded normalization and dataset, as `condense train` leaves it. */
    private static Model trainedLenet() {
        Model m = Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
        Map<String, String> meta = new LinkedHashMap<>(m.metadata());
        meta.put(ModelMetadata.MEAN, Float.toString(MEAN));
        meta.put(ModelMetadata.STD, Float.toString(STD));
        meta.put(ModelMetadata.DATASET, "fashion-mnist");
        return new Model(m.irVersion(), m.opsets(), m.producerName(), m.producerVersion(), m.docString(), meta, m.graph());
    }

    /** A seeded 28x28 gray image and its PNG bytes. */
    private static BufferedImage image(long seed) {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                img.getRaster().setSample(x, y, 0, rng.nextInt(256));
            }
        }
        return img;
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    @Test
    void aPngIsRankedAsTheSessionScoresTheNormalizedPixels(@TempDir Path dir) throws Exception {
        Path dcz = dir.resolve("lenet.dcz");
        DczWriter.write(dcz, CompressionPipeline.of(CompressionPreset.DEFAULT).compress(trainedLenet()).archive());
        BufferedImage img = image(3);
        float[] x = new float[28 * 28];
        for (int y = 0; y < 28; y++) {
            for (int i = 0; i < 28; i++) {
                x[y * 28 + i] = (img.getRaster().getSample(i, y, 0) / 255f - MEAN) / STD;
            }
        }
        for (Backend backend : List.of(Backend.VECTOR, Backend.ORT_CPU)) {
            try (ImageClassifier c = ImageClassifier.open(dcz, SessionOptions.of(backend).withThreads(1))) {
                assertEquals(FashionMnist.CLASS_NAMES, c.labels(), "the recorded dataset names the classes");
                Classification got = c.classify(png(img));
                float[] scores;
                try (Result r = c.session().run(Map.of("input", Tensor.ofFloats("input", new long[] {1, 1, 28, 28}, x)))) {
                    scores = r.first().toFloatArray();
                }
                assertEquals(10, got.ranked().size());
                int best = 0;
                double sum = 0;
                for (int k = 0; k < 10; k++) {
                    best = scores[k] > scores[best] ? k : best;
                }
                for (Classification.Prediction p : got.ranked()) {
                    assertEquals(scores[p.index()], p.score(), 0f, "the score is the model's output for that class");
                    sum += p.probability();
                }
                assertEquals(best, got.best().index());
                assertEquals(FashionMnist.CLASS_NAMES.get(best), got.best().label());
                assertEquals(1.0, sum, 1e-5);
                for (int k = 1; k < 10; k++) {
                    assertTrue(got.ranked().get(k - 1).probability() >= got.ranked().get(k).probability());
                }
                assertEquals(5, got.top(5).size());
                // The same image given decoded, and as a file, is the same answer.
                assertEquals(got, c.classify(img));
                Path file = dir.resolve("x.png");
                Files.write(file, png(img));
                assertEquals(got, c.classify(file));
            }
        }
    }

    @Test
    void largerAndColourImagesAreResizedCroppedAndConvertedToGray() throws Exception {
        try (ImageClassifier c = ImageClassifier.of(trainedLenet(), SessionOptions.of(Backend.VECTOR).withThreads(1))) {
            BufferedImage gray = image(5);
            BufferedImage big = new BufferedImage(56, 70, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 70; y++) {
                for (int x = 0; x < 56; x++) {
                    int v = gray.getRaster().getSample(Math.min(27, x / 2), Math.min(27, Math.max(0, (y - 7) / 2)), 0);
                    big.setRGB(x, y, v << 16 | v << 8 | v);
                }
            }
            Classification c1 = c.classify(big);
            assertEquals(10, c1.ranked().size());
            assertEquals(28, c.transform().height());
            assertEquals(28, c.transform().resizeShorter(), "small inputs resize the shorter side to the crop");
        }
    }

    @Test
    void badImagesAndModelsAreNamedErrors() throws Exception {
        try (ImageClassifier c = ImageClassifier.of(trainedLenet(), SessionOptions.of(Backend.VECTOR).withThreads(1))) {
            DatasetException e = assertThrows(DatasetException.class, () -> c.classify(new byte[] {1, 2, 3, 4}));
            assertTrue(e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
            byte[] truncated = java.util.Arrays.copyOf(png(image(1)), 40);
            assertThrows(DatasetException.class, () -> c.classify(truncated));
            IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                    () -> c.classifySamples(new float[27], 1));
            assertTrue(wrong.getMessage().contains("[1, 28, 28]"), wrong.getMessage());
            assertThrows(DatasetException.class, () -> c.classify(Path.of("no-such-image.png")));
        }
        Model twoInputs = TinyModels.identities(dev.condense.ir.DataType.FLOAT, "a", "b");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ImageClassifier.of(twoInputs, SessionOptions.of(Backend.VECTOR)));
        assertTrue(e.getMessage().contains("takes one input"), e.getMessage());
        Model oneInput = TinyModels.identities(dev.condense.ir.DataType.FLOAT, "a");
        ModelLoadException shape = assertThrows(ModelLoadException.class,
                () -> ImageClassifier.of(oneInput, SessionOptions.of(Backend.VECTOR)));
        assertTrue(shape.getMessage().contains("[N, C, H, W]"), shape.getMessage());
    }
}
