// An edge package that cannot be built: a bad input, a forbidden entry, or a JDK tool that failed.
package dev.condense.samples.edge;

/** The message names the file, entry or tool at fault and what would fix it. */
public final class PackagingException extends Exception {
    private static final long serialVersionUID = 1L;

    public PackagingException(String message) {
        super(message);
    }

    public PackagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
