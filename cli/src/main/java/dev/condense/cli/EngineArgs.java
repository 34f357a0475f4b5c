// The options that choose the engine measuring accuracy (`eval`, `sensitivity`): backend and threads.
package dev.condense.cli;

import dev.condense.runtime.SessionOptions;
import picocli.CommandLine.Option;

/** {@code --backend} and {@code --threads}, as runtime options. */
final class EngineArgs {

    @Option(names = "--backend", paramLabel = "B", defaultValue = "vector",
            description = "vector, ort-cpu or ort-cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "engine threads (default: one per core)")
    Integer threads;

    SessionOptions options() throws UserException {
        return SessionArgs.options(SessionArgs.backend("--backend", backend), SessionArgs.threads(threads), null);
    }
}
