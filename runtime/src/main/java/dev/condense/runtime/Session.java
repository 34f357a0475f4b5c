// A model opened for inference on one backend: checks inputs, runs them, shareable between threads.
package dev.condense.runtime;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.ort.OrtEngine;
import dev.condense.runtime.vector.VectorEngine;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Opening compiles the model for the chosen backend once; {@link #run} then checks the inputs
 * against the model (names, element types, shapes; symbolic dimensions must agree across inputs)
 * and runs them. Any number of threads may call {@link #run} at once and get the results they
 * would get one after another. A session holds native or pooled memory: close it.
 *
 * <pre>{@code
 * try (Session s = Session.open(Path.of("resnet50.onnx"), SessionOptions.of(Backend.VECTOR));
 *      Result r = s.run(Map.of("input", image))) {
 *     float[] logits = r.first().toFloatArray();
 * }
 * }</pre>
 */
public final class Session implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Session.class.getName());

    private final Model model;
    private final List<ValueInfo> inputs;
    private final Backend backend;
    private final Engine engine;
    private volatile boolean closed;

    private Session(Model model, Backend backend, Engine engine) {
        this.model = model;
        this.inputs = model.graph().inputs().stream()
                .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
        this.backend = backend;
        this.engine = engine;
    }

    /**
     * Opens an ONNX file (external data beside it is read too) or a DCZ container (by its
     * {@code .dcz} name or zip signature), which is verified and decoded in memory first: every
     * backend runs the decoded model, and nothing is written to disk. A malformed container is a
     * {@link ModelLoadException} whose message names the file and the entry.
     */
    public static Session open(Path file, SessionOptions options) throws ModelLoadException, SessionException {
        Objects.requireNonNull(options, "options");
        return open(readModel(file), options);
    }

    /** The model in an ONNX file or a DCZ container, as {@link #open(Path, SessionOptions)} reads it. */
    public static Model readModel(Path file) throws ModelLoadException {
        if (!DczModel.isDcz(file)) {
            return OnnxReader.read(file);
        }
        try {
            return DczModel.read(file);
        } catch (FormatException e) {
            throw new ModelLoadException(e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("DCZ file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read DCZ file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Opens a model already in memory. */
    public static Session open(Model model, SessionOptions options) throws ModelLoadException, SessionException {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        try {
            Engine engine = start(model, options.backend(), options);
            LOG.log(System.Logger.Level.DEBUG, "session on {0}", engine.describe());
            return new Session(model, options.backend(), engine);
        } catch (SessionException e) {
            if (options.fallback().isEmpty()) {
                throw e;
            }
            Backend fallback = options.fallback().get();
            Engine engine;
            try {
                engine = start(model, fallback, options);
            } catch (SessionException f) {
                SessionException both = new SessionException(options.backend() + " is not available ("
                        + e.getMessage() + "), nor is the fallback " + fallback + " (" + f.getMessage() + ")", f);
                both.addSuppressed(e);
                throw both;
            }
            // A fallback is announced, never silent: the caller asked for something else.
            LOG.log(System.Logger.Level.WARNING, "{0} is not available ({1}); falling back to {2}",
                    options.backend(), e.getMessage(), engine.describe());
            return new Session(model, fallback, engine);
        }
    }

    private static Engine start(Model model, Backend backend, SessionOptions options)
            throws ModelLoadException, SessionException {
        return switch (backend) {
            case VECTOR -> VectorEngine.open(model, options);
            case ORT_CPU, ORT_CUDA -> OrtEngine.open(model, backend, options);
        };
    }

    /** The backend actually running: the fallback when one was taken. */
    public Backend backend() {
        checkClosed();
        return backend;
    }

    /** One line: backend, threads and what the engine chose. */
    public String describe() {
        checkClosed();
        return engine.describe();
    }

    /** The inputs a run needs, with their declared types. */
    public List<ValueInfo> inputs() {
        checkClosed();
        return inputs;
    }

    public List<ValueInfo> outputs() {
        checkClosed();
        return model.graph().outputs();
    }

    public Model model() {
        checkClosed();
        return model;
    }

    /**
     * Runs one set of inputs.
     *
     * @throws IllegalArgumentException when an input is missing, unknown, or of the wrong element
     *                                  type or shape; the message lists what the model expects
     * @throws IllegalStateException    when the session is closed
     * @throws SessionException         when the engine fails
     */
    public Result run(Map<String, Tensor> feeds) throws SessionException {
        checkClosed();
        checkInputs(feeds);
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (ValueInfo v : inputs) {
            ordered.put(v.name(), feeds.get(v.name()));
        }
        return new Result(engine.run(ordered));
    }

    /**
     * Times every kernel of the vector engine's plan for these inputs, averaged over {@code runs}
     * runs, in plan order (fused nodes run inside the kernel of the node they joined).
     *
     * @throws IllegalStateException when the session does not run on the vector engine
     */
    public java.util.List<VectorEngine.KernelTime> profile(Map<String, Tensor> feeds, int runs)
            throws SessionException {
        checkClosed();
        checkInputs(feeds);
        if (!(engine instanceof VectorEngine vector)) {
            throw new IllegalStateException("only the vector engine profiles its kernels; this session runs on "
                    + backend);
        }
        try {
            return vector.profile(feeds, runs);
        } catch (ModelLoadException e) {
            throw new SessionException(e.getMessage(), e);
        }
    }

    private void checkInputs(Map<String, Tensor> feeds) {
        Objects.requireNonNull(feeds, "inputs");
        for (String name : feeds.keySet()) {
            if (inputs.stream().noneMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException("no input '" + name + "'; the model's inputs are " + expected());
            }
        }
        Map<String, Long> symbols = new HashMap<>();
        Map<String, String> boundBy = new HashMap<>();
        for (ValueInfo v : inputs) {
            Tensor t = feeds.get(v.name());
            if (t == null) {
                throw new IllegalArgumentException("missing input '" + v.name() + "'; the model's inputs are "
                        + expected());
            }
            if (t.dtype() != v.dtype()) {
                throw new IllegalArgumentException("input '" + v.name() + "' must be " + v.typeString() + ", got "
                        + t.dtype().displayName() + java.util.Arrays.toString(t.dims()));
            }
            if (v.shape().isEmpty()) {
                continue;
            }
            List<Dim> dims = v.shape().get();
            if (dims.size() != t.rank()) {
                throw new IllegalArgumentException("input '" + v.name() + "' must be " + v.typeString() + " (rank "
                        + dims.size() + "), got " + shapeOf(t) + " (rank " + t.rank() + ")");
            }
            for (int i = 0; i < dims.size(); i++) {
                long got = t.dim(i);
                switch (dims.get(i)) {
                    case Dim.Fixed(long size) -> {
                        if (size != got) {
                            throw new IllegalArgumentException("input '" + v.name() + "' must be " + v.typeString()
                                    + ", got " + shapeOf(t) + ": dimension " + i + " is " + got + ", not " + size);
                        }
                    }
                    case Dim.Symbolic(String symbol) -> {
                        Long seen = symbols.putIfAbsent(symbol, got);
                        if (seen == null) {
                            boundBy.put(symbol, v.name());
                        } else if (seen != got) {
                            throw new IllegalArgumentException("input '" + v.name() + "' has " + symbol + " = " + got
                                    + " in dimension " + i + ", but input '" + boundBy.get(symbol) + "' has "
                                    + symbol + " = " + seen);
                        }
                    }
                    case Dim.Unknown u -> { }
                }
            }
        }
    }

    private static String shapeOf(Tensor t) {
        return t.dtype().displayName() + java.util.Arrays.toString(t.dims());
    }

    private String expected() {
        return inputs.stream().map(ValueInfo::toString).collect(Collectors.joining(", "));
    }

    private void checkClosed() {
        if (closed) {
            throw new IllegalStateException("session is closed");
        }
    }

    /** Releases the engine; idempotent. Runs in flight finish first, on either engine. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.close();
        }
    }
}
