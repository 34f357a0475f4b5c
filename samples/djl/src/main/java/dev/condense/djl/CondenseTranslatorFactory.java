// The translators a Condense model offers DJL without optTranslator: Image to Classifications, NDList to NDList.
package dev.condense.djl;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDList;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;

import java.lang.reflect.Type;
import java.util.Map;
import java.util.Set;

/**
 * Give it to {@code Criteria.optTranslatorFactory} (or name it in the {@code translatorFactory}
 * argument) and a criteria needs only its types, model path and engine. For
 * {@code (Image, Classifications)} it checks at load time that the model is an image classifier,
 * so a model that is not one fails in {@code Criteria.loadModel()} (DJL reports a
 * {@code ModelNotFoundException} whose cause carries Condense's reason), not at the first
 * prediction.
 */
public final class CondenseTranslatorFactory implements TranslatorFactory {

    private static final Set<Pair<Type, Type>> SUPPORTED = Set.of(
            new Pair<>(Image.class, Classifications.class),
            new Pair<>(NDList.class, NDList.class));

    @Override
    public Set<Pair<Type, Type>> getSupportedTypes() {
        return SUPPORTED;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model, Map<String, ?> arguments)
            throws TranslateException {
        if (input == Image.class && output == Classifications.class) {
            CondenseModel.of(model).imageClassifier();
            return (Translator<I, O>) new CondenseImageTranslator();
        }
        if (input == NDList.class && output == NDList.class) {
            return (Translator<I, O>) new NoopTranslator();
        }
        throw new TranslateException("Condense translates (Image, Classifications) and (NDList, NDList), not ("
                + input.getName() + ", " + output.getName() + "); pass your own Translator to Criteria.optTranslator");
    }
}
