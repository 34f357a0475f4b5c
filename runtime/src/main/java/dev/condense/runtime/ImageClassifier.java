// An image classification model ready to answer: opens an .onnx or .dcz, preprocesses images as it was trained, ranks classes.
package dev.condense.runtime;

import dev.condense.data.DatasetException;
import dev.condense.data.ImageSamples;
import dev.condense.data.ImageTransform;
import dev.condense.data.ModelMetadata;
import dev.condense.data.Normalization;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Session} over a model with one image input {@code [N, C, H, W]} (fixed C, H, W) and one
 * output of class scores, plus what it takes to feed it: images are resized and center-cropped to
 * {@code H x W} (for inputs of 160 pixels and more, the shorter side goes to 8/7 of the crop first,
 * as for ImageNet evaluation), scaled to [0, 1] and normalized with the statistics the model
 * recorded when Condense trained it ({@link ModelMetadata}). Class names come from the model too.
 * Like a session, a classifier may be shared by any number of threads; close it.
 *
 * <pre>{@code
 * try (ImageClassifier classifier = ImageClassifier.open(Path.of("lenet5.dcz"))) {
 *     Classification c = classifier.classify(Path.of("shirt.png"));
 *     System.out.println(c.best().label() + " " + c.best().probability());
 * }
 * }</pre>
 */
public final class ImageClassifier implements AutoCloseable {

    /** Largest image file {@link #classify(Path)} reads. */
    public static final long MAX_IMAGE_BYTES = 64L << 20;

    private final Session session;
    private final String inputName;
    private final int[] sampleShape;
    private final ImageTransform transform;
    private final Normalization normalization;
    private final List<String> labels;
    private final boolean outputsProbabilities;

    private ImageClassifier(Session session, String inputName, int[] sampleShape, int classes) {
        this.session = session;
        this.inputName = inputName;
        this.sampleShape = sampleShape;
        Model model = session.model();
        int h = sampleShape[1];
        int w = sampleShape[2];
        int resize = Math.max(h, w) >= 160 ? Math.round(Math.max(h, w) * 8 / 7f) : Math.max(h, w);
        this.transform = new ImageTransform(resize, h, w, sampleShape[0]);
        this.normalization = ModelMetadata.normalization(model).orElse(Normalization.none(sampleShape[0]));
        if (normalization.channels() != sampleShape[0]) {
            throw new IllegalArgumentException("the model records a normalization for " + normalization.channels()
                    + " channels but its input has " + sampleShape[0]);
        }
        this.labels = ModelMetadata.labels(model, classes);
        String output = model.graph().outputs().getFirst().name();
        Node producer = model.graph().producers().get(output);
        this.outputsProbabilities = producer != null && producer.opType().equals("Softmax");
    }

    /** Opens an ONNX file or a DCZ container on the vector engine with as many threads as cores. */
    public static ImageClassifier open(Path model) throws ModelLoadException, SessionException {
        return open(model, SessionOptions.of(Backend.VECTOR));
    }

    /** Opens an ONNX file or a DCZ container on the backend {@code options} name. */
    public static ImageClassifier open(Path model, SessionOptions options) throws ModelLoadException, SessionException {
        return of(Session.readModel(model), options);
    }

    /**
     * A classifier over a model in memory.
     *
     * @throws ModelLoadException when the model does not take one {@code [N, C, H, W]} image input
     *                            with fixed C, H, W, or does not output one vector of scores per image
     */
    public static ImageClassifier of(Model model, SessionOptions options) throws ModelLoadException, SessionException {
        Objects.requireNonNull(model, "model");
        List<ValueInfo> inputs = model.graph().inputs().stream()
                .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
        if (inputs.size() != 1) {
            throw new ModelLoadException("an image classifier takes one input, this model takes " + inputs.size()
                    + ": " + inputs.stream().map(ValueInfo::name).toList());
        }
        ValueInfo input = inputs.getFirst();
        int[] shape = sampleShape(input);
        if (model.graph().outputs().isEmpty()) {
            throw new ModelLoadException("the model has no output");
        }
        int classes = classes(model.graph().outputs().getFirst());
        Session session = Session.open(model, options.batchSize().isPresent() ? options : options.withBatchSize(1));
        try {
            return new ImageClassifier(session, input.name(), shape, classes);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static int[] sampleShape(ValueInfo input) throws ModelLoadException {
        List<Dim> dims = input.shape().orElse(List.of());
        if (input.dtype() != DataType.FLOAT || dims.size() != 4) {
            throw new ModelLoadException("an image classifier takes a float [N, C, H, W] input; input '" + input.name()
                    + "' is " + input.typeString());
        }
        int[] shape = new int[3];
        for (int i = 0; i < 3; i++) {
            if (!(dims.get(i + 1) instanceof Dim.Fixed f) || f.size() < 1 || f.size() > 16384) {
                throw new ModelLoadException("input '" + input.name() + "' is " + input.typeString()
                        + "; its channels, height and width must be fixed sizes");
            }
            shape[i] = (int) f.size();
        }
        if (shape[0] != 1 && shape[0] != 3) {
            throw new ModelLoadException("input '" + input.name() + "' has " + shape[0]
                    + " channels; images have 1 (gray) or 3 (RGB)");
        }
        return shape;
    }

    /** Classes per image: the product of the output's dimensions after the batch axis, 0 when unknown. */
    private static int classes(ValueInfo output) throws ModelLoadException {
        List<Dim> dims = output.shape().orElse(List.of());
        if (dims.size() < 2) {
            return 0;
        }
        long n = 1;
        for (int i = 1; i < dims.size(); i++) {
            if (!(dims.get(i) instanceof Dim.Fixed f)) {
                return 0;
            }
            n = Math.multiplyExact(n, f.size());
        }
        if (n < 1 || n > 1_000_000) {
            throw new ModelLoadException("output '" + output.name() + "' is " + output.typeString()
                    + "; an image classifier outputs one vector of class scores per image");
        }
        return (int) n;
    }

    /** Classifies an encoded image (PNG, JPEG, GIF, BMP) given as bytes. */
    public Classification classify(byte[] encodedImage) throws DatasetException, SessionException {
        return classify(ImageSamples.decode(encodedImage, "image of " + encodedImage.length + " bytes"));
    }

    /** Classifies an image file. */
    public Classification classify(Path imageFile) throws DatasetException, SessionException, IOException {
        try {
            long size = Files.size(imageFile);
            if (size > MAX_IMAGE_BYTES) {
                throw new DatasetException(imageFile + " is " + size + " bytes, more than the " + MAX_IMAGE_BYTES
                        + " an image file may have");
            }
            return classify(ImageSamples.decode(Files.readAllBytes(imageFile), imageFile.toString()));
        } catch (NoSuchFileException e) {
            throw new DatasetException("image file " + imageFile + " does not exist", e);
        }
    }

    /** Classifies a decoded image of any size: resized, cropped and normalized as the model was trained. */
    public Classification classify(BufferedImage image) throws SessionException {
        float[] sample = new float[sampleLength()];
        ImageSamples.write(image, transform, normalization, sample, 0);
        return classifySamples(sample, 1).getFirst();
    }

    /**
     * Classifies {@code count} samples already preprocessed: {@code [count, C, H, W]} in
     * {@code samples}, normalized as the model expects.
     *
     * @throws IllegalArgumentException when the array's length is not {@code count * C * H * W}
     */
    public List<Classification> classifySamples(float[] samples, int count) throws SessionException {
        int length = sampleLength();
        if (count < 1 || (long) count * length != samples.length) {
            throw new IllegalArgumentException("expected " + count + " samples of " + Arrays.toString(sampleShape)
                    + " (" + (long) count * length + " floats), got " + samples.length + " floats");
        }
        long[] dims = {count, sampleShape[0], sampleShape[1], sampleShape[2]};
        float[] scores;
        try (Result r = session.run(Map.of(inputName, Tensor.ofFloats(inputName, dims, samples)))) {
            scores = r.first().toFloatArray();
        }
        if (scores.length % count != 0 || scores.length == 0) {
            throw new SessionException("the model returned " + scores.length + " scores for " + count + " images");
        }
        int classes = scores.length / count;
        List<Classification> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(rank(Arrays.copyOfRange(scores, i * classes, (i + 1) * classes)));
        }
        return out;
    }

    /**
     * The probabilities of one image's {@code scores}: their softmax, or the scores themselves when
     * the model ends in Softmax. Callers that run the session themselves rank classes with this.
     */
    public float[] probabilities(float[] scores) {
        return outputsProbabilities ? scores.clone() : softmax(scores);
    }

    private Classification rank(float[] scores) {
        float[] p = probabilities(scores);
        List<Classification.Prediction> ranked = new ArrayList<>(scores.length);
        for (int k = 0; k < scores.length; k++) {
            String label = k < labels.size() ? labels.get(k) : "class " + k;
            ranked.add(new Classification.Prediction(k, label, p[k], scores[k]));
        }
        ranked.sort(Comparator.comparingDouble((Classification.Prediction x) -> -x.probability())
                .thenComparingInt(Classification.Prediction::index));
        return new Classification(ranked);
    }

    static float[] softmax(float[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (float s : scores) {
            max = Math.max(max, s);
        }
        double[] e = new double[scores.length];
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            e[i] = Math.exp(scores[i] - max);
            sum += e[i];
        }
        float[] p = new float[scores.length];
        for (int i = 0; i < scores.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /** {@code [C, H, W]} of one sample. */
    public int[] sampleShape() {
        return sampleShape.clone();
    }

    /** The preprocessing: resize, crop and channels. */
    public ImageTransform transform() {
        return transform;
    }

    /** The normalization applied after scaling to [0, 1]. */
    public Normalization normalization() {
        return normalization;
    }

    /** Class names in output order. */
    public List<String> labels() {
        return labels;
    }

    /** The session underneath, e.g. to run raw tensors. */
    public Session session() {
        return session;
    }

    private int sampleLength() {
        return sampleShape[0] * sampleShape[1] * sampleShape[2];
    }

    @Override
    public void close() {
        session.close();
    }
}
