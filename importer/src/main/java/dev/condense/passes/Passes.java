// Runs graph passes one after another and re-validates the graph after each, naming the pass that broke it.
package dev.condense.passes;

import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;

import java.util.List;

/** Composition of {@link GraphPass}es. */
public final class Passes {

    private Passes() {
    }

    /**
     * Applies {@code passes} in order. Each result goes through {@link GraphValidator} (which also
     * re-sorts the nodes), so a later pass always sees a well-wired, topologically sorted graph.
     */
    public static Model run(Model model, List<? extends GraphPass> passes) throws ModelLoadException {
        Model current = model;
        for (GraphPass pass : passes) {
            Model next = pass.apply(current);
            Graph validated;
            try {
                validated = GraphValidator.validate(next.graph());
            } catch (ModelLoadException e) {
                throw new ModelLoadException("pass '" + pass.name() + "' produced an invalid graph: " + e.getMessage(), e);
            }
            current = next.withGraph(validated);
        }
        return current;
    }

    /**
     * The simplification run before a graph is compressed or executed (and by {@code condense
     * convert --simplify}); import itself keeps the file's graph as it is, so that inspecting a
     * model shows what the file holds. Fold constants (which needs fixed input shapes to collapse
     * shape arithmetic), then drop Identity and inference Dropout. Folding goes first so that a
     * Dropout whose training_mode comes from a Constant node sees an initializer.
     */
    public static List<GraphPass> simplify() {
        return List.of(new ConstantFolding(), new RemoveIdentity());
    }
}
