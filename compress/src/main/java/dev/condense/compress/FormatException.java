// The one checked exception for compressed data (a bit stream, a layer encoding, a DCZ container) that is malformed.
package dev.condense.compress;

/**
 * Compressed bytes are malformed, truncated, inconsistent or use something this reader does not
 * support. The message names where (the container entry, the stream) and quotes the values
 * involved: the declared sizes, the bytes present, the offsets, the valid alternatives.
 */
public class FormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
