// The settings of the model server and their parsing from command-line arguments.
package dev.condense.samples.serve;

import dev.condense.runtime.Backend;

import java.nio.file.Path;
import java.util.Objects;

/**
 * @param model        the .onnx or .dcz file to serve
 * @param host         the address to listen on: a loopback address (the default) or 0.0.0.0 for every interface
 * @param port         the TCP port; 0 picks a free one
 * @param workers      threads running inference (the bounded pool)
 * @param queue        requests that may wait for a worker; beyond that the server answers 503.
 *                     0 means none wait: a request is taken only when a worker is idle
 * @param maxBodyBytes largest request body accepted; a larger one is answered 413
 * @param backend      the engine the model runs on
 * @param intraOp      threads one inference uses; the pool already runs requests side by side,
 *                     so 1 is usually best for a server
 */
public record ServerOptions(Path model, String host, int port, int workers, int queue, long maxBodyBytes, Backend backend,
                            int intraOp) {

    /** Default address: loopback only; a service meant for other machines passes --host 0.0.0.0. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default body limit: 1 MiB, ample for a PNG or a float tensor of a small image. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
    /** Default wait queue per worker. */
    public static final int DEFAULT_QUEUE_PER_WORKER = 16;

    public ServerOptions {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(backend, "backend");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (workers < 1 || workers > 1024) {
            throw new IllegalArgumentException("threads must be between 1 and 1024, got " + workers);
        }
        if (queue < 0 || queue > 1_000_000) {
            throw new IllegalArgumentException("queue must be between 0 and 1000000, got " + queue);
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("max body must be between 1 and " + (Integer.MAX_VALUE - 8)
                    + " bytes, got " + maxBodyBytes);
        }
        if (intraOp < 1 || intraOp > 1024) {
            throw new IllegalArgumentException("intra-op threads must be between 1 and 1024, got " + intraOp);
        }
    }

    /** Serving {@code model} on the vector engine, on a free port, one worker per core, single-threaded runs. */
    public static ServerOptions of(Path model) {
        int cores = Runtime.getRuntime().availableProcessors();
        return new ServerOptions(model, DEFAULT_HOST, 0, cores, DEFAULT_QUEUE_PER_WORKER * cores, DEFAULT_MAX_BODY_BYTES,
                Backend.VECTOR, 1);
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(model, h, port, workers, queue, maxBodyBytes, backend, intraOp);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(model, host, p, workers, queue, maxBodyBytes, backend, intraOp);
    }

    public ServerOptions withWorkers(int n) {
        return new ServerOptions(model, host, port, n, queue, maxBodyBytes, backend, intraOp);
    }

    public ServerOptions withQueue(int n) {
        return new ServerOptions(model, host, port, workers, n, maxBodyBytes, backend, intraOp);
    }

    public ServerOptions withMaxBodyBytes(long n) {
        return new ServerOptions(model, host, port, workers, queue, n, backend, intraOp);
    }

    public ServerOptions withBackend(Backend b) {
        return new ServerOptions(model, host, port, workers, queue, maxBodyBytes, b, intraOp);
    }

    public ServerOptions withIntraOp(int n) {
        return new ServerOptions(model, host, port, workers, queue, maxBodyBytes, backend, n);
    }

    /** What {@link #parse} accepts, for the usage message. */
    public static final String USAGE = """
            usage: serve --model FILE [--host ADDRESS] [--port N] [--threads N] [--queue N] [--max-body BYTES]
                         [--backend vector|ort-cpu] [--intra-op N]
              --model FILE      the .onnx or .dcz model to serve (required)
              --host ADDRESS    address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
              --port N          TCP port; 0 (the default) picks a free one
              --threads N       inference workers (default: one per core)
              --queue N         requests waiting for a worker before 503 (default: 16 per worker)
              --max-body BYTES  largest request body; larger is 413 (default: 1048576)
              --backend NAME    vector (default) or ort-cpu
              --intra-op N      threads per inference (default: 1)""";

    /**
     * Parses {@code --name value} pairs (also {@code --name=value}).
     *
     * @throws IllegalArgumentException naming the option and value at fault, or the missing model
     */
    public static ServerOptions parse(String... args) {
        Path model = null;
        String host = null;
        Integer port = null;
        Integer workers = null;
        Integer queue = null;
        Long maxBody = null;
        Backend backend = null;
        Integer intraOp = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg.startsWith("--") ? "option " + arg + " needs a value"
                        : "unexpected argument '" + arg + "'");
            }
            switch (name) {
                case "--model" -> model = Path.of(value);
                case "--host" -> host = value.strip();
                case "--port" -> port = intOption(name, value);
                case "--threads" -> workers = intOption(name, value);
                case "--queue" -> queue = intOption(name, value);
                case "--max-body" -> maxBody = longOption(name, value);
                case "--backend" -> backend = Backend.of(value);
                case "--intra-op" -> intraOp = intOption(name, value);
                default -> throw new IllegalArgumentException("unknown option '" + name + "'; the options are --model,"
                        + " --host, --port, --threads, --queue, --max-body, --backend, --intra-op");
            }
        }
        if (model == null) {
            throw new IllegalArgumentException("--model FILE is required");
        }
        ServerOptions o = of(model);
        if (workers != null) {
            o = o.withWorkers(workers).withQueue(DEFAULT_QUEUE_PER_WORKER * workers);
        }
        if (host != null) {
            o = o.withHost(host);
        }
        if (port != null) {
            o = o.withPort(port);
        }
        if (queue != null) {
            o = o.withQueue(queue);
        }
        if (maxBody != null) {
            o = o.withMaxBodyBytes(maxBody);
        }
        if (backend != null) {
            o = o.withBackend(backend);
        }
        if (intraOp != null) {
            o = o.withIntraOp(intraOp);
        }
        return o;
    }

    private static int intOption(String name, String value) {
        long v = longOption(name, value);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " '" + value + "' is out of range");
        }
        return (int) v;
    }

    private static long longOption(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a whole number, got '" + value + "'");
        }
    }
}
