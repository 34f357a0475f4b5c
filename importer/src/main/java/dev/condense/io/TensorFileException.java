// The checked exception for a tensor file that cannot be read or written, naming the file and the problem.
package dev.condense.io;

/**
 * A tensor file is malformed, uses something Condense does not support, or cannot be read or
 * written. The message starts with the file and quotes the offending value (a header key, a dtype
 * descr, a shape, a byte count) and, where there are some, the valid alternatives.
 *
 * <p>Separate from {@code ModelLoadException} because a tensor file is not a model: it is an input,
 * an expected output or calibration data, and writing one can fail for reasons no model load has.
 */
public class TensorFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public TensorFileException(String message) {
        super(message);
    }

    public TensorFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
