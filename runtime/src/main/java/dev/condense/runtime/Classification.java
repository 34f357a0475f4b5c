// The answer of an image classifier: every class's probability, best first.
package dev.condense.runtime;

import java.util.List;

/**
 * The classes of one image, sorted by probability (highest first; ties by class index).
 *
 * @param ranked every class, best first
 */
public record Classification(List<Classification.Prediction> ranked) {

    /**
     * One class: its index in the model's output, its name, its probability (softmax of the
     * model's scores, or the model's own output when it ends in Softmax), and the raw score.
     */
    public record Prediction(int index, String label, float probability, float score) {
    }

    public Classification {
        ranked = List.copyOf(ranked);
        if (ranked.isEmpty()) {
            throw new IllegalArgumentException("a classification needs at least one class");
        }
    }

    /** The most probable class. */
    public Prediction best() {
        return ranked.getFirst();
    }

    /** The {@code k} most probable classes (all of them when there are fewer). */
    public List<Prediction> top(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        return ranked.subList(0, Math.min(k, ranked.size()));
    }
}
