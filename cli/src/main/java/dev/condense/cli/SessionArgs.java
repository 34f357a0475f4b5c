// The runtime options `run` and `bench` share: backend names, the fallback, thread counts, as SessionOptions.
package dev.condense.cli;

import dev.condense.runtime.Backend;
import dev.condense.runtime.SessionOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns option text into runtime values, each mistake a one-line {@link UserException}. */
final class SessionArgs {

    /** Most threads an option may ask for, as SessionOptions allows. */
    static final int MAX_THREADS = 1024;

    private SessionArgs() {
    }

    /** A backend by its id; {@code cpu} is short for ort-cpu. */
    static Backend backend(String option, String text) throws UserException {
        if (text.strip().toLowerCase(Locale.ROOT).equals("cpu")) {
            return Backend.ORT_CPU;
        }
        try {
            return Backend.of(text);
        } catch (IllegalArgumentException e) {
            throw new UserException(option + ": " + e.getMessage());
        }
    }

    /** "vector,ort-cpu" to backends in that order, each at most once. */
    static List<Backend> backends(String option, String text) throws UserException {
        List<Backend> backends = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                throw new UserException(option + " '" + text + "' has an empty name; give backends separated by"
                        + " commas, e.g. vector,ort-cpu");
            }
            Backend b = backend(option, part);
            if (backends.contains(b)) {
                throw new UserException(option + " names " + b + " twice");
            }
            backends.add(b);
        }
        return backends;
    }

    /** The thread count asked for, or every core. */
    static int threads(Integer asked) throws UserException {
        if (asked == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (asked < 1 || asked > MAX_THREADS) {
            throw new UserException("--threads must be between 1 and " + MAX_THREADS + ", got " + asked);
        }
        return asked;
    }

    static SessionOptions options(Backend backend, int threads, Backend fallback) throws UserException {
        SessionOptions options = SessionOptions.of(backend).withThreads(threads);
        if (fallback == null) {
            return options;
        }
        if (fallback == backend) {
            throw new UserException("--fallback " + fallback + " is the backend itself; name another or leave it out");
        }
        return options.withFallback(fallback);
    }
}
