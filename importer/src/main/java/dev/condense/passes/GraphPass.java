// The contract of a graph rewrite: a named, pure function from one model to a new one.
package dev.condense.passes;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;

/**
 * A rewrite of a model's graph. Implementations never mutate their argument (the IR is immutable)
 * and return a new model, or the same instance when there was nothing to rewrite. {@link Passes}
 * runs a list of them and re-validates the graph after each.
 */
public interface GraphPass {

    /** The rewritten model; throws when the model is malformed in a way the pass has to read. */
    Model apply(Model model) throws ModelLoadException;

    /** A short kebab-case name for logs and error messages, e.g. {@code "fold-batch-norm"}. */
    String name();
}
