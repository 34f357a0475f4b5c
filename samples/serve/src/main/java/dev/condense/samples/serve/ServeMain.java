// Command-line entry of the model server: parses the options, starts serving, stops cleanly on Ctrl-C.
package dev.condense.samples.serve;

import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.SessionException;

import java.io.IOException;

/** {@code serve --model FILE [--port N] ...}; see {@link ServerOptions#USAGE}. Exit status 2 for bad arguments, 1 when the server cannot start. */
public final class ServeMain {

    private ServeMain() {
    }

    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(ServerOptions.USAGE);
            return;
        }
        ServerOptions options;
        try {
            options = ServerOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("serve: " + e.getMessage());
            System.err.println(ServerOptions.USAGE);
            System.exit(2);
            return;
        }
        ModelServer server;
        try {
            server = ModelServer.start(options);
        } catch (ModelLoadException | SessionException | IOException e) {
            System.err.println("serve: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // Printed, not logged: the logging framework shuts down in a hook of its own.
            System.out.println("stopping: finishing the requests in flight");
            server.close();
            System.out.println("stopped");
        }, "condense-serve-shutdown"));
        System.out.println("serving " + ModelDescription.name(options.model()) + " on " + server.uri() + " ("
                + options.backend().id() + ", " + options.workers() + " workers, queue " + options.queue()
                + "); POST /predict, GET /health, GET /model; Ctrl-C stops");
    }
}
