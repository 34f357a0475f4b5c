// A request the server refuses: the HTTP status to answer and a message for the client.
package dev.condense.samples.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Thrown while a request is read and checked; the server turns it into a JSON error body with
 * this status. The message goes to the client as is, so it names what is wrong with the request
 * and never carries server internals.
 */
public final class RequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public RequestException(int status, String message) {
        super(message);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, got " + status);
        }
        this.status = status;
    }

    public RequestException(int status, String message, Throwable cause) {
        this(status, message);
        initCause(cause);
    }

    /** Adds a header the error answer carries (Allow for 405, Retry-After for 503). */
    public RequestException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Headers the error answer carries besides its content type. */
    public Map<String, String> headers() {
        return Map.copyOf(headers);
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }
}
