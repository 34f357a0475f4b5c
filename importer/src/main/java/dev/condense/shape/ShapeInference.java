// Placeholder until shape inference lands (being written now).
package dev.condense.shape;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;

public final class ShapeInference {
    private ShapeInference() {
    }

    public static Model infer(Model model) throws ModelLoadException {
        throw new UnsupportedOperationException("not yet");
    }
}
