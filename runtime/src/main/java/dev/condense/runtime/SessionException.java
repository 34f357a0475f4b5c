// A session that cannot open or a run that cannot complete: missing backend, unsupported op, engine failure.
package dev.condense.runtime;

/**
 * Checked, with a message that says what is missing or wrong and what exists instead (the
 * backends present, the op versions an engine has). Wrong inputs to {@link Session#run} are
 * {@link IllegalArgumentException}s instead: they are the caller's bug, not the model's.
 */
public class SessionException extends Exception {
    private static final long serialVersionUID = 1L;

    public SessionException(String message) {
        super(message);
    }

    public SessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
