// Fixes the shapes of chosen graph inputs (e.g. batch 1) as a pass, by way of shape inference.
package dev.condense.passes;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.shape.ShapeInference;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sets graph inputs to fixed shapes and re-infers every value's shape, so that a following
 * {@link ConstantFolding} sees static shapes. The checks (declared rank, declared fixed sizes, one
 * size per symbol across inputs) and their messages are those of
 * {@link ShapeInference#withInputShapes}, which this pass delegates to.
 */
public final class FixInputShape implements GraphPass {

    private final Map<String, long[]> shapes;

    /** @param shapes input name to its dimensions */
    public FixInputShape(Map<String, long[]> shapes) {
        Map<String, long[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            copy.put(e.getKey(), e.getValue().clone());
        }
        this.shapes = copy;
    }

    @Override
    public String name() {
        return "fix-input-shape";
    }

    @Override
    public Model apply(Model model) throws ModelLoadException {
        return ShapeInference.withInputShapes(model, shapes);
    }
}
