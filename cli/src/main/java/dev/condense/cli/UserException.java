// An error in what the user asked for (an impossible option, an unwritable output), reported in one line.
package dev.condense.cli;

/** A request the command cannot carry out; its message says what is wrong and what would work. */
public class UserException extends Exception {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
