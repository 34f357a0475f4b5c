// DJL's Predictor with the Condense translator classifies images exactly as Condense's own ImageClassifier does.
package dev.condense.djl;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CondenseImageTranslatorTest {

    /** Both sides compute the same floats; the bound only absorbs the float-to-double widening in DJL's list. */
    private static final double PROBABILITY_TOLERANCE = 1e-6;
    /**
     * The dense LeNet-5 scores 91.65% on the whole test split (docs/TRAINING.md); the default preset,
     * without retraining, stays above this.
     */
    private static final double MIN_ACCURACY = 0.85;
    private static final int TOP = 5;

    private static ZooModel<Image, Classifications> model;
    private static ImageClassifier reference;

    @BeforeAll
    static void load() throws Exception {
        Path dcz = TestModels.lenet5Dcz();
        model = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(dcz)
                .optEngine("Condense")
                .optTranslatorFactory(new CondenseTranslatorFactory())
                .build()
                .loadModel();
        reference = ImageClassifier.open(dcz);
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    void topFiveEqualsImageClassifierOnEveryTestImage() throws Exception {
        List<TestModels.LabelledImage> images = TestModels.testImages();
        long djlNanos = 0;
        long condenseNanos = 0;
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            for (int i = 0; i < images.size(); i++) {
                byte[] png = images.get(i).png();
                long t0 = System.nanoTime();
                Classifications djl = predictor.predict(decode(png));
                long t1 = System.nanoTime();
                Classification condense = reference.classify(png);
                condenseNanos += System.nanoTime() - t1;
                djlNanos += t1 - t0;
                assertSameTop("image " + i, condense, djl);
            }
        }
        System.out.printf("DJL/Condense: %d %s images, top-%d equal to ImageClassifier; per image (decode included)"
                        + " %.2f ms through DJL, %.2f ms through ImageClassifier%n",
                images.size(), TestModels.hasFashionMnist() ? "Fashion-MNIST test" : "synthetic (no Fashion-MNIST)",
                TOP, djlNanos / 1e6 / images.size(), condenseNanos / 1e6 / images.size());
    }

    @Test
    void accuracyOnFashionMnistTestImages() throws Exception {
        assumeTrue(TestModels.hasFashionMnist(), "Fashion-MNIST is not installed (Debian package dataset-fashion-mnist);"
                + " the synthetic images have no labels");
        List<TestModels.LabelledImage> images = TestModels.testImages();
        int correct = 0;
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            for (TestModels.LabelledImage image : images) {
                String best = predictor.predict(decode(image.png())).best().getClassName();
                if (best.equals(reference.labels().get(image.label()))) {
                    correct++;
                }
            }
        }
        double accuracy = (double) correct / images.size();
        System.out.printf("DJL/Condense: top-1 accuracy %.1f%% on the first %d Fashion-MNIST test images%n",
                100 * accuracy, images.size());
        assertTrue(accuracy >= MIN_ACCURACY, "accuracy " + accuracy + " below " + MIN_ACCURACY);
    }

    @Test
    void recordedNormalizationAndClassNamesAreApplied() throws Exception {
        Path standardized = TestModels.lenet5Standardized();
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(standardized)
                .optEngine("Condense")
                .optTranslatorFactory(new CondenseTranslatorFactory())
                .build();
        try (ZooModel<Image, Classifications> other = criteria.loadModel();
             Predictor<Image, Classifications> predictor = other.newPredictor();
             ImageClassifier expected = ImageClassifier.open(standardized)) {
            assertFalse(expected.normalization().isNone(), "the fixture must record a normalization");
            for (int i = 0; i < 20; i++) {
                byte[] png = TestModels.testImages().get(i).png();
                Classifications actual = predictor.predict(decode(png));
                assertSameTop("image " + i, expected.classify(png), actual);
                assertTrue(actual.best().getClassName().startsWith("recorded "), actual.best().getClassName());
            }
        }
    }

    @Test
    void batchPredictEqualsImageClassifier() throws Exception {
        List<TestModels.LabelledImage> images = TestModels.testImages().subList(0, 16);
        List<Image> batch = new ArrayList<>();
        for (TestModels.LabelledImage image : images) {
            batch.add(decode(image.png()));
        }
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            List<Classifications> results = predictor.batchPredict(batch);
            assertEquals(images.size(), results.size());
            for (int i = 0; i < images.size(); i++) {
                assertSameTop("batch item " + i, reference.classify(images.get(i).png()), results.get(i));
            }
        }
    }

    @Test
    void predictorsOnSeveralThreadsShareOneModel() throws Exception {
        List<TestModels.LabelledImage> images = TestModels.testImages();
        int threads = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Integer>> checked = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                checked.add(pool.submit(() -> {
                    int n = 0;
                    try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
                        for (int i = first; i < images.size(); i += threads) {
                            byte[] png = images.get(i).png();
                            assertSameTop("image " + i + " on thread " + first, reference.classify(png),
                                    predictor.predict(decode(png)));
                            n++;
                        }
                    }
                    return n;
                }));
            }
            int total = 0;
            for (Future<Integer> f : checked) {
                total += f.get();
            }
            assertEquals(images.size(), total);
        }
    }

    @Test
    void colourImagesOfOtherSizesAreResizedAndCroppedAsImageClassifierDoes() throws Exception {
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            int[][] sizes = {{60, 40}, {33, 90}, {28, 28}, {200, 201}};
            for (int[] size : sizes) {
                byte[] png = TestModels.colourPng(size[0], size[1], size[0] * 1000L + size[1]);
                assertSameTop(size[0] + "x" + size[1] + " RGB", reference.classify(png), predictor.predict(decode(png)));
            }
        }
    }

    @Test
    void imageFileThroughImageFactoryEqualsImageClassifierOnTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("shirt.png");
        Files.write(file, TestModels.testImages().get(7).png());
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            assertSameTop(file.toString(), reference.classify(file),
                    predictor.predict(ImageFactory.getInstance().fromFile(file)));
        }
    }

    @Test
    void imagesNotBackedByBufferedImageAreReadAsRgb() throws Exception {
        byte[] png = TestModels.colourPng(45, 31, 5);
        Image buffered = decode(png);
        // As OpenCV's images look to the translator: everything but the wrapped object works.
        Image opaque = (Image) Proxy.newProxyInstance(Image.class.getClassLoader(), new Class<?>[] {Image.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getWrappedImage")) {
                        return "not a BufferedImage";
                    }
                    try {
                        return method.invoke(buffered, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (Predictor<Image, Classifications> predictor = model.newPredictor()) {
            assertSameTop("image behind a proxy", reference.classify(png), predictor.predict(opaque));
        }
    }

    @Test
    void optTranslatorPredictsAsTheFactoryDoes() throws Exception {
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(TestModels.lenet5Dcz())
                .optEngine("Condense")
                .optTranslator(new CondenseImageTranslator())
                .build();
        try (ZooModel<Image, Classifications> other = criteria.loadModel();
             Predictor<Image, Classifications> predictor = other.newPredictor()) {
            for (int i = 0; i < 10; i++) {
                byte[] png = TestModels.testImages().get(i).png();
                assertSameTop("image " + i, reference.classify(png), predictor.predict(decode(png)));
            }
        }
    }

    private static Image decode(byte[] png) throws IOException {
        return ImageFactory.getInstance().fromInputStream(new ByteArrayInputStream(png));
    }

    /** The same classes in the same order among the top five, with the same probabilities. */
    private static void assertSameTop(String what, Classification expected, Classifications actual) {
        List<Classification.Prediction> want = expected.top(TOP);
        List<Classifications.Classification> got = actual.topK(TOP);
        assertEquals(want.size(), got.size(), what);
        for (int k = 0; k < want.size(); k++) {
            assertEquals(want.get(k).label(), got.get(k).getClassName(), what + ", rank " + k);
            assertEquals(want.get(k).probability(), got.get(k).getProbability(), PROBABILITY_TOLERANCE,
                    what + ", rank " + k + " (" + want.get(k).label() + ")");
        }
    }
}
