// Why a model cannot be trained as asked: an op without a training kernel, a shape the data does not fit, an engine that does not load.
package dev.condense.train;

/**
 * A failure of training that the caller can act on; the message names the node, op, shape or
 * setting involved.
 */
public class TrainingException extends Exception {

    public TrainingException(String message) {
        super(message);
    }

    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
