// What a model trained by Condense records about its inputs and classes, and how to read it back.
package dev.condense.data;

import dev.condense.ir.Model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Metadata keys a trained model carries, so that whoever runs it later (evaluation, a server, an
 * edge device) feeds it exactly as it was trained and names its classes: the per-channel mean and
 * std of its normalization, the dataset it was trained on, and its class names. Compression and
 * quantization keep them.
 */
public final class ModelMetadata {

    /** Per-channel mean of the normalization after scaling pixels to [0, 1], comma-separated. */
    public static final String MEAN = "condense.input.mean";
    /** Per-channel standard deviation, comma-separated. */
    public static final String STD = "condense.input.std";
    /** The dataset trained on: "fashion-mnist" or an image folder's name. */
    public static final String DATASET = "condense.dataset";
    /** Class names in label order, one per line. */
    public static final String LABELS = "condense.labels";

    private ModelMetadata() {
    }

    /**
     * The normalization the model records, or empty when it records none.
     *
     * @throws IllegalArgumentException when the recorded values are malformed (the message quotes them)
     */
    public static Optional<Normalization> normalization(Model model) {
        String mean = model.metadata().get(MEAN);
        String std = model.metadata().get(STD);
        if (mean == null || std == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Normalization(floats(mean), floats(std)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the model's recorded normalization (mean " + mean + ", std " + std
                    + ") is not a list of numbers");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the model's recorded normalization (mean " + mean + ", std " + std
                    + ") is invalid: " + e.getMessage());
        }
    }

    /**
     * The class names for a model with {@code classes} outputs: those it records, else Fashion-MNIST's
     * when it was trained on Fashion-MNIST with 10 classes, else "class 0", "class 1", ...
     */
    public static List<String> labels(Model model, int classes) {
        String recorded = model.metadata().get(LABELS);
        if (recorded != null) {
            List<String> names = List.of(recorded.split("\n", -1));
            if (names.size() == classes) {
                return names;
            }
        }
        String dataset = model.metadata().getOrDefault(DATASET, "");
        if (dataset.toLowerCase(Locale.ROOT).replace("-", "").equals("fashionmnist")
                && classes == FashionMnist.CLASS_NAMES.size()) {
            return FashionMnist.CLASS_NAMES;
        }
        List<String> names = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            names.add("class " + i);
        }
        return List.copyOf(names);
    }

    /** {@code values} as the comma-separated text {@link #MEAN} and {@link #STD} hold. */
    public static String format(float[] values) {
        StringBuilder b = new StringBuilder();
        for (float v : values) {
            b.append(b.isEmpty() ? "" : ",").append(v);
        }
        return b.toString();
    }

    /** {@code names} as the text {@link #LABELS} holds; a name may not contain a line break. */
    public static String formatLabels(List<String> names) {
        for (String n : names) {
            if (n.indexOf('\n') >= 0 || n.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("class name '" + n + "' contains a line break");
            }
        }
        return String.join("\n", names);
    }

    private static float[] floats(String text) {
        String[] parts = text.split(",");
        float[] out = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Float.parseFloat(parts[i].strip());
        }
        return out;
    }
}
