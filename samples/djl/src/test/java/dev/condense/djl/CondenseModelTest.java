// Criteria with engine "Condense" find .dcz and .onnx models, take session options, and fail with Condense's reasons.
package dev.condense.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.util.PairList;
import dev.condense.data.FashionMnist;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CondenseModelTest {

    /** ONNX Runtime and the vector engine sum in different orders; their probabilities agree this closely. */
    private static final double BACKEND_TOLERANCE = 1e-4;

    private static Criteria.Builder<Image, Classifications> classifier(Path modelPath) {
        return Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(modelPath)
                .optEngine("Condense")
                .optTranslatorFactory(new CondenseTranslatorFactory());
    }

    @Test
    void criteriaWithEngineCondenseLoadsTheDczFile() throws Exception {
        Path dcz = TestModels.lenet5Dcz();
        try (ZooModel<Image, Classifications> model = classifier(dcz).build().loadModel()) {
            CondenseModel condense = CondenseModel.of(model);
            assertEquals("lenet5", model.getName());
            assertEquals(dcz.toAbsolutePath().normalize(), condense.modelFile().toAbsolutePath().normalize());
            assertInstanceOf(CondenseModel.class, model.getWrappedModel());
            assertTrue(model.getProperty(CondenseModel.PROPERTY_SESSION).startsWith("vector"),
                    model.getProperty(CondenseModel.PROPERTY_SESSION));
            PairList<String, Shape> inputs = model.describeInput();
            assertEquals(1, inputs.size());
            assertEquals(condense.session().inputs().getFirst().name(), inputs.keys().getFirst());
            assertEquals(new Shape(-1, 1, 28, 28), inputs.values().getFirst());
            assertEquals(new Shape(-1, 10), model.describeOutput().values().getFirst());
            assertEquals(28, condense.imageClassifier().transform().height());
        }
    }

    @Test
    void aFolderHoldingModelDczIsFound(@TempDir Path dir) throws Exception {
        Files.copy(TestModels.lenet5Dcz(), dir.resolve("model.dcz"));
        try (ZooModel<Image, Classifications> model = classifier(dir).build().loadModel()) {
            assertEquals(dir.resolve("model.dcz").toAbsolutePath(), CondenseModel.of(model).modelFile().toAbsolutePath());
        }
    }

    @Test
    void aFolderWithoutModelNamesTheFilesItLookedFor(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "not a model");
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> classifier(dir).build().loadModel());
        assertTrue(e.getMessage().contains("model.dcz, model.onnx"), e.getMessage());
    }

    @Test
    void aMissingFileIsNotFoundByDjl() {
        assertThrows(ModelNotFoundException.class,
                () -> classifier(TestModels.DIR.resolve("no-such-model.dcz")).build().loadModel());
    }

    @Test
    void onnxFilesLoadTooAndClassifyAsImageClassifierDoes() throws Exception {
        byte[] png = TestModels.testImages().get(3).png();
        try (ZooModel<Image, Classifications> model = classifier(TestModels.LENET5_ONNX).build().loadModel();
             Predictor<Image, Classifications> predictor = model.newPredictor();
             ImageClassifier reference = ImageClassifier.open(TestModels.LENET5_ONNX)) {
            Classification expected = reference.classify(png);
            Classifications actual = predictor.predict(image(png));
            assertEquals(expected.best().label(), actual.best().getClassName());
            assertEquals(expected.best().probability(), actual.best().getProbability(), 1e-6);
        }
    }

    @Test
    void djlsOwnImageClassificationTranslatorRunsToo() throws Exception {
        Translator<Image, Classifications> djlTranslator = ImageClassificationTranslator.builder()
                .optFlag(Image.Flag.GRAYSCALE)
                .addTransform(new ToTensor())
                .optSynset(FashionMnist.CLASS_NAMES)
                .optApplySoftmax(true)
                .build();
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(TestModels.lenet5Dcz())
                .optEngine("Condense")
                .optTranslator(djlTranslator)
                .build();
        int images = 50;
        int agree = 0;
        try (ZooModel<Image, Classifications> model = criteria.loadModel();
             Predictor<Image, Classifications> predictor = model.newPredictor();
             ImageClassifier reference = ImageClassifier.open(TestModels.lenet5Dcz())) {
            for (int i = 0; i < images; i++) {
                byte[] png = TestModels.testImages().get(i).png();
                if (predictor.predict(image(png)).best().getClassName().equals(reference.classify(png).best().label())) {
                    agree++;
                }
            }
        }
        System.out.println("DJL's ImageClassificationTranslator agrees with ImageClassifier on " + agree + " of " + images);
        assertTrue(agree >= images * 9 / 10, agree + " of " + images);
    }

    @Test
    void backendOptionRunsOnnxRuntime() throws Exception {
        byte[] png = TestModels.testImages().get(5).png();
        Criteria<Image, Classifications> ort = classifier(TestModels.lenet5Dcz()).optOption("backend", "ort-cpu")
                .optOption("threads", "1").build();
        try (ZooModel<Image, Classifications> model = ort.loadModel();
             Predictor<Image, Classifications> predictor = model.newPredictor();
             ImageClassifier vector = ImageClassifier.open(TestModels.lenet5Dcz())) {
            assertTrue(model.getProperty(CondenseModel.PROPERTY_SESSION).startsWith("ort-cpu"),
                    model.getProperty(CondenseModel.PROPERTY_SESSION));
            Classification expected = vector.classify(png);
            Classifications actual = predictor.predict(image(png));
            assertEquals(expected.best().label(), actual.best().getClassName());
            assertEquals(expected.best().probability(), actual.best().getProbability(), BACKEND_TOLERANCE);
        }
    }

    @Test
    void anUnknownBackendListsTheBackends() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> classifier(TestModels.lenet5Dcz()).optOption("backend", "tpu").build().loadModel());
        assertTrue(e.getMessage().contains("no backend 'tpu'") && e.getMessage().contains("vector"), e.getMessage());
    }

    @Test
    void aCorruptedDczIsMalformedWithCondensesReason(@TempDir Path dir) throws Exception {
        byte[] bytes = Files.readAllBytes(TestModels.lenet5Dcz());
        Path truncated = dir.resolve("truncated.dcz");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        Path scrambled = dir.resolve("scrambled.dcz");
        byte[] flipped = bytes.clone();
        for (int i = bytes.length / 3; i < bytes.length / 3 + 64; i++) {
            flipped[i] ^= (byte) 0x5A;
        }
        Files.write(scrambled, flipped);
        for (Path corrupt : new Path[] {truncated, scrambled}) {
            MalformedModelException e = assertThrows(MalformedModelException.class,
                    () -> classifier(corrupt).build().loadModel(), corrupt.toString());
            ModelLoadException cause = assertInstanceOf(ModelLoadException.class, e.getCause());
            assertTrue(e.getMessage().contains(corrupt.getFileName().toString())
                    && e.getMessage().contains(cause.getMessage()), e.getMessage());
        }
    }

    @Test
    void aModelThatIsNoImageClassifierIsRefusedAtLoadWithTheReason() throws Exception {
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class,
                () -> classifier(TestModels.twoInputs()).build().loadModel());
        String messages = TestModels.messages(e);
        assertTrue(messages.contains("TranslateException: Condense model ") && messages.contains("two-inputs.onnx is"
                + " not an image classifier: an image classifier takes one input, this model takes 2: [scores, ids]"),
                messages);
    }

    @Test
    void condenseTranslatorsRefuseModelsOfOtherEngines() {
        try (Model pytorch = Model.newInstance("plain", Device.cpu(), "PyTorch")) {
            TranslateException e = assertThrows(TranslateException.class, () -> CondenseModel.of(pytorch));
            assertTrue(e.getMessage().contains("PyTorch") && e.getMessage().contains("optEngine(\"Condense\")"),
                    e.getMessage());
        }
    }

    @Test
    void aBlockFromTheCriteriaIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> classifier(TestModels.lenet5Dcz()).optBlock(Blocks.identityBlock()).build().loadModel());
        assertTrue(e.getMessage().contains("optBlock"), e.getMessage());
    }

    @Test
    void closingTwiceIsHarmlessAndAClosedModelSaysSo() throws Exception {
        ZooModel<Image, Classifications> model = classifier(TestModels.lenet5Dcz()).build().loadModel();
        CondenseModel condense = CondenseModel.of(model);
        model.close();
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, condense::session);
        assertTrue(e.getMessage().contains("not loaded (or closed)"), e.getMessage());
    }

    private static Image image(byte[] png) throws IOException {
        return ImageFactory.getInstance().fromInputStream(new ByteArrayInputStream(png));
    }
}
