// Turns a DJL Image into the sample a Condense classifier was trained on, and its scores into DJL Classifications.
package dev.condense.djl;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.BufferedImageFactory;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.condense.data.ImageSamples;
import dev.condense.runtime.ImageClassifier;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The Condense counterpart of DJL's {@code ImageClassificationTranslator}, with nothing to
 * configure: size, crop, channels, normalization and class names are read from the model
 * ({@link CondenseModel#imageClassifier()}) on every call, so one instance serves any number of
 * Condense models and predictors at once. An image is prepared by the code Condense's own
 * {@link ImageClassifier} uses ({@link ImageSamples#write}), so a prediction here equals
 * {@code ImageClassifier.classify} on the same image: shorter side resized to the model's size
 * (8/7 of it for inputs of 160 pixels and more), center crop, gray images kept at their stored
 * levels. Probabilities are the softmax of the scores, or the scores themselves when the graph
 * ends in Softmax.
 *
 * <p>Images of DJL's default factory wrap a {@link BufferedImage} and are read directly; others
 * (OpenCV's) are taken through {@code toNDArray} as RGB, so a gray image of theirs is fed as
 * the luminance of its RGB form.
 */
public final class CondenseImageTranslator implements Translator<Image, Classifications> {

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) throws TranslateException {
        ImageClassifier classifier = CondenseModel.of(ctx.getModel()).imageClassifier();
        int[] shape = classifier.sampleShape();
        // sample: [C, H, W], normalized; the batchifier stacks samples into [N, C, H, W]
        float[] sample = new float[shape[0] * shape[1] * shape[2]];
        ImageSamples.write(bufferedImage(input, ctx.getNDManager()), classifier.transform(),
                classifier.normalization(), sample, 0);
        return new NDList(ctx.getNDManager().create(sample, new Shape(shape[0], shape[1], shape[2])));
    }

    private static BufferedImage bufferedImage(Image image, NDManager manager) {
        if (image.getWrappedImage() instanceof BufferedImage buffered) {
            return buffered;
        }
        try (NDArray rgb = image.toNDArray(manager, Image.Flag.COLOR)) {
            return (BufferedImage) new BufferedImageFactory().fromNDArray(rgb).getWrappedImage();
        }
    }

    @Override
    public Classifications processOutput(TranslatorContext ctx, NDList list) throws TranslateException {
        CondenseModel model = CondenseModel.of(ctx.getModel());
        List<String> labels = model.imageClassifier().labels();
        // scores: [classes] of this image (the batchifier has split the batch)
        float[] scores = list.get(0).toFloatArray();
        float[] probabilities = model.imageClassifier().probabilities(scores);
        List<String> names = new ArrayList<>(scores.length);
        List<Double> asDoubles = new ArrayList<>(scores.length);
        for (int k = 0; k < scores.length; k++) {
            // A model whose output size is not fixed names no classes; ImageClassifier numbers them the same way.
            names.add(k < labels.size() ? labels.get(k) : "class " + k);
            asDoubles.add((double) probabilities[k]);
        }
        return new Classifications(names, asDoubles);
    }
}
