// A results file that cannot be reported on: missing, empty, not JSON Lines, or not the sweep schema.
package dev.condense.cli.report;

import dev.condense.cli.UserException;

/** A problem in a results file; the message names the file, the line when there is one, and what is wrong. */
public final class ResultsFileException extends UserException {
    private static final long serialVersionUID = 1L;

    public ResultsFileException(String message) {
        super(message);
    }
}
