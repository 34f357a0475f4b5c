// The one checked exception for a model that cannot be read, validated or shape-inferred.
package dev.condense.ir;

/**
 * A model file or graph is malformed or uses something Condense does not support. The message
 * names what is wrong: the node, the op, the tensor, the offending values and the valid ones.
 */
public class ModelLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
