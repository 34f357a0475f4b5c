// The sample to copy: classify image files with a Condense model through DJL's Criteria, ZooModel and Predictor.
package dev.condense.djl;

import ai.djl.ModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ClassifyImages MODEL IMAGE...} prints the five most probable classes of each image, one
 * line per image. The criteria is what a DJL application already has for a PyTorch or ONNX model,
 * with the engine set to "Condense" and Condense's translator factory.
 */
public final class ClassifyImages {

    private static final int TOP = 5;

    private ClassifyImages() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: ClassifyImages MODEL.dcz|MODEL.onnx IMAGE...");
            System.exit(2);
        }
        // This program brings PyTorch's native library as a Maven dependency: a missing one is an error, not a download.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        // DJL logs through SLF4J and this program binds no provider; SLF4J would say so on every start.
        if (System.getProperty("slf4j.internal.verbosity") == null) {
            System.setProperty("slf4j.internal.verbosity", "ERROR");
        }
        Path model = Path.of(args[0]);
        if (!Files.exists(model)) {
            // DJL would only say that no model matches the criteria.
            System.err.println("ClassifyImages: model " + model + " does not exist");
            System.exit(1);
        }
        List<Path> images = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            images.add(Path.of(args[i]));
        }
        try {
            classify(model, images, TOP, System.out);
        } catch (ModelException | IOException | TranslateException e) {
            System.err.println("ClassifyImages: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Prints, for each image, its path and its {@code top} classes with their probabilities.
     *
     * @throws ModelException     when the model is missing, malformed or not an image classifier
     * @throws IOException        when an image cannot be read
     * @throws TranslateException when a prediction fails
     */
    public static void classify(Path model, List<Path> images, int top, PrintStream out)
            throws ModelException, IOException, TranslateException {
        Criteria<Image, Classifications> criteria = Criteria.builder()
                .setTypes(Image.class, Classifications.class)
                .optModelPath(model)
                .optEngine(CondenseEngine.ENGINE_NAME)
                .optTranslatorFactory(new CondenseTranslatorFactory())
                .build();
        try (ZooModel<Image, Classifications> zoo = criteria.loadModel();
             Predictor<Image, Classifications> predictor = zoo.newPredictor()) {
            for (Path file : images) {
                Classifications classes = predictor.predict(ImageFactory.getInstance().fromFile(file));
                StringBuilder line = new StringBuilder(file.toString());
                for (Classifications.Classification c : classes.topK(top)) {
                    line.append(String.format(Locale.ROOT, "  %s %.4f", c.getClassName(), c.getProbability()));
                }
                out.println(line);
            }
        }
    }
}
