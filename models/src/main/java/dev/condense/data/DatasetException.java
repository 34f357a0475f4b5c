// The one checked exception for a dataset that cannot be found, read or decoded.
package dev.condense.data;

/**
 * A dataset file or folder is missing, malformed or disagrees with its partner file. The message
 * names the file and the values involved: the magic found and expected, the byte counts, the
 * sample counts, the offending label.
 */
public class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
