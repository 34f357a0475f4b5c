// An HTTP service that loads one image classification model and answers its top classes for posted images or tensors.
package dev.condense.samples.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.condense.data.DatasetException;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.Classification;
import dev.condense.runtime.ImageClassifier;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Endpoints: {@code POST /predict} (an image, or a tensor as JSON or raw float32; {@code ?top=K}),
 * {@code GET /health} and {@code GET /model}. Every answer, errors included, is JSON.
 *
 * <p>Two kinds of threads: each exchange is read and answered on a virtual thread, and the work
 * that takes CPU (decoding the image or tensor, running the model) goes to a fixed pool of
 * {@link ServerOptions#workers()} platform threads with a wait queue of
 * {@link ServerOptions#queue()} places. When both are full the request is answered at once with
 * 503 and {@code Retry-After}, rather than piling up latency. The model is loaded once; its
 * session is shared by the workers.
 *
 * <p>{@link #close()} stops accepting connections, lets the exchanges in flight finish (up to a
 * grace period), shuts the pool down and closes the model.
 */
public final class ModelServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ModelServer.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Classes answered when the request does not say. */
    static final int DEFAULT_TOP = 5;
    /** Seconds a client told 503 should wait before retrying. */
    static final int RETRY_AFTER_SECONDS = 1;
    /** How long {@link #close()} waits for the exchanges in flight. */
    static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final String ENDPOINTS = "POST /predict, GET /health, GET /model";

    private final ServerOptions options;
    private final ImageClassifier classifier;
    private final String modelName;
    private final byte[] modelJson;
    private final ThreadPoolExecutor workers;
    private final ExecutorService exchanges;
    private final HttpServer http;
    private final long startedNanos = System.nanoTime();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ModelServer(ServerOptions options, ImageClassifier classifier, Map<String, Object> description,
                        HttpServer http) throws JsonProcessingException {
        this.options = options;
        this.classifier = classifier;
        this.modelName = ModelDescription.name(options.model());
        this.modelJson = JSON.writeValueAsBytes(description);
        BlockingQueue<Runnable> queue = options.queue() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(options.queue());
        this.workers = new ThreadPoolExecutor(options.workers(), options.workers(), 0, TimeUnit.SECONDS, queue,
                Thread.ofPlatform().name("condense-serve-worker-", 0).factory(), new ThreadPoolExecutor.AbortPolicy());
        workers.prestartAllCoreThreads();
        this.exchanges = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("condense-serve-exchange-", 0)
                .factory());
        this.http = http;
        http.createContext("/", this::handle);
        http.setExecutor(exchanges);
    }

    /**
     * Loads the model, binds the port and starts answering.
     *
     * @throws ModelLoadException when the model cannot be read or is no image classifier
     * @throws SessionException   when the backend cannot start
     * @throws IOException        when the address cannot be bound (the message names it)
     */
    public static ModelServer start(ServerOptions options) throws ModelLoadException, SessionException, IOException {
        ImageClassifier classifier = ImageClassifier.open(options.model(),
                SessionOptions.of(options.backend()).withThreads(options.intraOp()));
        try {
            Map<String, Object> description = ModelDescription.of(options.model(), classifier);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(options.host()), options.port());
            HttpServer http;
            try {
                http = HttpServer.create(address, 0);
            } catch (IOException e) {
                throw new IOException("cannot listen on " + options.host() + ":" + options.port() + ": "
                        + e.getMessage(), e);
            }
            ModelServer server = new ModelServer(options, classifier, description, http);
            http.start();
            LOG.log(System.Logger.Level.DEBUG, "serving {0} on {1} ({2}; {3} workers, queue {4})", server.modelName,
                    server.uri(), classifier.session().describe(), options.workers(), options.queue());
            return server;
        } catch (IOException | RuntimeException | ModelLoadException e) {
            classifier.close();
            throw e;
        }
    }

    /** The port listened on (the one chosen when the options asked for 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Where the server answers, e.g. {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        InetAddress a = http.getAddress().getAddress();
        String host = a.isAnyLocalAddress() ? "localhost"
                : a.getHostAddress().contains(":") ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** The classifier answering; the tests compare with it. */
    ImageClassifier classifier() {
        return classifier;
    }

    /** The inference pool; the tests fill it to provoke 503. */
    ThreadPoolExecutor workers() {
        return workers;
    }

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        try {
            int status = 200;
            Map<String, String> headers = Map.of();
            Object body;
            try {
                body = route(exchange, start);
            } catch (RequestException e) {
                status = e.status();
                headers = e.headers();
                body = error(status, e.getMessage());
            } catch (SessionException e) {
                LOG.log(System.Logger.Level.WARNING, "inference failed", e);
                status = 500;
                body = error(status, "inference failed: " + e.getMessage());
            } catch (RuntimeException e) {
                // The client gets a short message; the trace stays in the server's log.
                LOG.log(System.Logger.Level.ERROR, "internal error answering " + exchange.getRequestURI(), e);
                status = 500;
                body = error(status, "internal error (" + e.getClass().getSimpleName() + "); see the server log");
            }
            send(exchange, status, headers, body);
        } catch (IOException | UncheckedIOException e) {
            // The client went away or the connection broke: nobody is left to answer.
            LOG.log(System.Logger.Level.DEBUG, "could not answer " + exchange.getRequestURI() + ": " + e.getMessage());
        } finally {
            exchange.close();
        }
    }

    private Object route(HttpExchange exchange, long start) throws RequestException, SessionException, IOException {
        String path = exchange.getRequestURI().getPath();
        return switch (path) {
            case "/predict" -> {
                requireMethod(exchange, "POST");
                yield predict(exchange, start);
            }
            case "/health" -> {
                requireMethod(exchange, "GET");
                yield health();
            }
            case "/model" -> {
                requireMethod(exchange, "GET");
                yield modelJson;
            }
            default -> throw new RequestException(404, "no endpoint " + path + "; the endpoints are " + ENDPOINTS);
        };
    }

    private static void requireMethod(HttpExchange exchange, String allowed) throws RequestException {
        String method = exchange.getRequestMethod();
        if (!method.equals(allowed)) {
            throw new RequestException(405, exchange.getRequestURI().getPath() + " takes " + allowed + ", not "
                    + method).withHeader("Allow", allowed);
        }
    }

    private Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "ok");
        out.put("model", modelName);
        out.put("backend", classifier.session().backend().id());
        out.put("workers", options.workers());
        out.put("busy", workers.getActiveCount());
        out.put("queued", workers.getQueue().size());
        out.put("queueCapacity", options.queue());
        out.put("uptimeSeconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        return out;
    }

    /** The kinds of body /predict reads, by content type. */
    private enum BodyKind { IMAGE, JSON_TENSOR, FLOAT32_TENSOR }

    private Map<String, Object> predict(HttpExchange exchange, long start)
            throws RequestException, SessionException, IOException {
        int top = top(exchange.getRequestURI().getRawQuery());
        BodyKind kind = bodyKind(exchange.getRequestHeaders().getFirst("Content-Type"));
        byte[] body = readBody(exchange);
        Callable<Classification> work = () -> classify(kind, body);
        Future<Classification> answer;
        try {
            answer = workers.submit(work);
        } catch (RejectedExecutionException e) {
            throw new RequestException(503, "the server is saturated: all " + options.workers()
                    + " workers are busy and the queue of " + options.queue() + " is full; retry in "
                    + RETRY_AFTER_SECONDS + " s").withHeader("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        Classification c = await(answer);
        List<Map<String, Object>> ranked = new ArrayList<>(top);
        for (Classification.Prediction p : c.top(top)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", p.index());
            row.put("label", p.label());
            row.put("probability", p.probability());
            ranked.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", modelName);
        out.put("top", ranked);
        out.put("millis", Math.round((System.nanoTime() - start) / 1e3) / 1e3);
        return out;
    }

    private Classification classify(BodyKind kind, byte[] body) throws RequestException, SessionException {
        int[] shape = classifier.sampleShape();
        return switch (kind) {
            case IMAGE -> {
                try {
                    yield classifier.classify(body);
                } catch (DatasetException e) {
                    throw new RequestException(400, "the body is no readable image: " + e.getMessage(), e);
                }
            }
            case JSON_TENSOR -> classifier.classifySamples(TensorBody.fromJson(body, shape), 1).getFirst();
            case FLOAT32_TENSOR -> classifier.classifySamples(TensorBody.fromFloat32(body, shape), 1).getFirst();
        };
    }

    private static Classification await(Future<Classification> answer) throws RequestException, SessionException {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            throw new RequestException(503, "the server is shutting down").withHeader("Retry-After",
                    String.valueOf(RETRY_AFTER_SECONDS));
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case RequestException r -> throw r;
                case SessionException s -> throw s;
                case RuntimeException r -> throw r;
                case Error err -> throw err;
                default -> throw new IllegalStateException("unexpected failure: " + e.getCause(), e.getCause());
            }
        }
    }

    private int top(String rawQuery) throws RequestException {
        int classes = classifier.labels().size();
        int top = Math.min(DEFAULT_TOP, classes);
        if (rawQuery == null || rawQuery.isEmpty()) {
            return top;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!name.equals("top")) {
                throw new RequestException(400, "unknown query parameter '" + name + "'; /predict takes top=K");
            }
            try {
                top = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                top = 0;
            }
            if (top < 1 || top > classes) {
                throw new RequestException(400, "top must be a whole number from 1 to " + classes
                        + " (the model's classes), got '" + value + "'");
            }
        }
        return top;
    }

    private static BodyKind bodyKind(String contentType) throws RequestException {
        if (contentType == null) {
            throw new RequestException(415, "the request has no Content-Type; /predict takes image/png,"
                    + " image/jpeg, application/json or application/octet-stream");
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (type.startsWith("image/")) {
            return BodyKind.IMAGE;
        }
        return switch (type) {
            case "application/json" -> BodyKind.JSON_TENSOR;
            case "application/octet-stream" -> BodyKind.FLOAT32_TENSOR;
            default -> throw new RequestException(415, "Content-Type '" + contentType + "' is not accepted;"
                    + " /predict takes image/png, image/jpeg, application/json or application/octet-stream");
        };
    }

    /** The body, refused with 413 when its declared or actual length exceeds the limit. */
    private byte[] readBody(HttpExchange exchange) throws RequestException, IOException {
        long limit = options.maxBodyBytes();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long length;
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw new RequestException(400, "Content-Length '" + declared + "' is not a number");
            }
            if (length > limit) {
                throw tooLarge(length + " bytes", limit);
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes((int) limit + 1);
            if (body.length > limit) {
                throw tooLarge("more than " + limit + " bytes", limit);
            }
            if (body.length == 0) {
                throw new RequestException(400, "the request body is empty; /predict takes an image or a tensor");
            }
            return body;
        }
    }

    private static RequestException tooLarge(String size, long limit) {
        // The rest of the body is not read, so the connection cannot carry another request.
        return new RequestException(413, "the request body is " + size + "; the limit is " + limit + " bytes")
                .withHeader("Connection", "close");
    }

    private static Map<String, Object> error(int status, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", status);
        out.put("error", message);
        return out;
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, Object body)
            throws IOException {
        byte[] bytes = body instanceof byte[] b ? b : JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Stops: no new connections, exchanges in flight get up to {@code grace} to finish, then the
     * pool stops and the model closes. Idempotent.
     */
    public void stop(Duration grace) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.stop((int) Math.max(0, Math.min(Integer.MAX_VALUE, grace.toSeconds())));
        workers.shutdown();
        exchanges.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
            exchanges.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        classifier.close();
        LOG.log(System.Logger.Level.INFO, "stopped serving {0}", modelName);
    }

    /** {@link #stop} with {@link #DEFAULT_GRACE}. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }
}
