// A DJL Model whose block runs a Condense .dcz or .onnx file through a Condense Session.
package dev.condense.djl;

import ai.djl.BaseModel;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.Backend;
import dev.condense.runtime.ImageClassifier;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code Criteria.optEngine("Condense")} loads. The path given to DJL is a {@code .dcz} or
 * {@code .onnx} file, or a folder holding one (named after the prefix, the model or the folder,
 * or {@code model.dcz}/{@code model.onnx}; {@code .dcz} first). Criteria options choose the
 * session: {@code backend} ({@code vector}, the default, {@code ort-cpu} or {@code ort-cuda}) and
 * {@code threads}. When the model is an image classifier as {@link ImageClassifier} defines it
 * (one float {@code [N, C, H, W]} input, one vector of scores per image), the classifier's
 * preprocessing, normalization and class names are there for {@link CondenseImageTranslator};
 * otherwise the reason is kept and any {@code NDList} translator still works.
 *
 * <p>The model's NDManager is DJL's PyTorch engine's (see {@link CondenseEngine}); closing the
 * model closes the session.
 */
public final class CondenseModel extends BaseModel {

    /** Criteria option: the Condense backend ({@link Backend#id()}); the vector engine by default. */
    public static final String OPTION_BACKEND = "backend";
    /** Criteria option: worker threads of one run; the number of cores by default. */
    public static final String OPTION_THREADS = "threads";
    /** Model property set after loading: the session's one-line description (backend, threads, plan). */
    public static final String PROPERTY_SESSION = "condense.session";

    private static final List<String> EXTENSIONS = List.of(".dcz", ".onnx");

    private Session session;
    private ImageClassifier classifier;
    private String notClassifierReason;
    private Path modelFile;

    CondenseModel(String name, NDManager manager) {
        super(name);
        this.manager = manager;
        this.dataType = DataType.FLOAT32;
    }

    /** The Condense model behind a DJL model: this class itself, or the one a {@link ZooModel} wraps. */
    public static CondenseModel of(Model model) throws TranslateException {
        Model inner = model instanceof ZooModel<?, ?> zoo ? zoo.getWrappedModel() : model;
        if (inner instanceof CondenseModel condense) {
            return condense;
        }
        throw new TranslateException("model '" + model.getName() + "' was loaded by "
                + (inner == null ? "no engine" : inner.getNDManager().getEngine().getEngineName() + " ("
                + inner.getClass().getName() + ")") + "; Condense translators need Criteria.optEngine(\""
                + CondenseEngine.ENGINE_NAME + "\")");
    }

    @Override
    public void load(Path modelPath, String prefix, Map<String, ?> options) throws IOException, MalformedModelException {
        Objects.requireNonNull(modelPath, "modelPath");
        if (block != null) {
            throw new IllegalStateException("the Condense engine runs the graph stored in the model file; a Block"
                    + " given through Criteria.optBlock or Model.setBlock cannot replace it");
        }
        if (session != null) {
            throw new IllegalStateException("model '" + modelName + "' is already loaded from " + modelFile);
        }
        Path file = findModelFile(modelPath, prefix);
        SessionOptions sessionOptions = sessionOptions(options == null ? Map.of() : options);
        dev.condense.ir.Model graph;
        try {
            graph = Session.readModel(file);
        } catch (ModelLoadException e) {
            // Condense's messages about a file usually name it already.
            String message = e.getMessage().contains(file.toString()) ? e.getMessage()
                    : "Condense cannot load " + file + ": " + e.getMessage();
            throw new MalformedModelException(message, e);
        }
        try {
            classifier = ImageClassifier.of(graph, sessionOptions);
            session = classifier.session();
        } catch (ModelLoadException | IllegalArgumentException notClassifier) {
            notClassifierReason = notClassifier.getMessage();
            session = openSession(file, graph, sessionOptions.batchSize().isPresent()
                    ? sessionOptions : sessionOptions.withBatchSize(1));
        } catch (SessionException e) {
            throw sessionFailed(file, e);
        }
        modelFile = file;
        wasLoaded = true;
        block = new CondenseBlock(session);
        setProperty(PROPERTY_SESSION, session.describe());
    }

    /** Not supported: Condense reads models from files (a .dcz is verified against its size and CRCs). */
    @Override
    public void load(InputStream modelStream, Map<String, ?> options) {
        throw new UnsupportedOperationException("the Condense engine loads models from a .dcz or .onnx file, not a"
                + " stream; write the stream to a file and give its path to Criteria.optModelPath");
    }

    private static Session openSession(Path file, dev.condense.ir.Model graph, SessionOptions options)
            throws MalformedModelException {
        try {
            return Session.open(graph, options);
        } catch (ModelLoadException e) {
            throw new MalformedModelException("Condense cannot run " + file + ": " + e.getMessage(), e);
        } catch (SessionException e) {
            throw sessionFailed(file, e);
        }
    }

    private static EngineException sessionFailed(Path file, SessionException e) {
        return new EngineException("Condense cannot start a session for " + file + ": " + e.getMessage(), e);
    }

    /** The file under {@code modelPath}, which is that file or a folder holding it. */
    private Path findModelFile(Path modelPath, String prefix) throws FileNotFoundException {
        if (Files.isRegularFile(modelPath)) {
            setModelDir(modelPath.toAbsolutePath().getParent());
            String fileName = modelPath.getFileName().toString();
            for (String extension : EXTENSIONS) {
                if (fileName.endsWith(extension)) {
                    modelName = fileName.substring(0, fileName.length() - extension.length());
                }
            }
            return modelPath;
        }
        if (!Files.isDirectory(modelPath)) {
            throw new FileNotFoundException("model path " + modelPath + " does not exist");
        }
        setModelDir(modelPath);
        Set<String> stems = new LinkedHashSet<>();
        if (prefix != null) {
            stems.add(prefix);
        }
        stems.add(modelName);
        stems.add(modelPath.toAbsolutePath().getFileName().toString());
        stems.add("model");
        List<String> tried = new ArrayList<>();
        for (String stem : stems) {
            for (String extension : EXTENSIONS) {
                String name = stem.endsWith(extension) ? stem : stem + extension;
                Path candidate = modelPath.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
                tried.add(name);
            }
        }
        throw new FileNotFoundException("folder " + modelPath + " holds no Condense model; looked for "
                + String.join(", ", new LinkedHashSet<>(tried)));
    }

    private static SessionOptions sessionOptions(Map<String, ?> options) {
        Object backend = options.get(OPTION_BACKEND);
        SessionOptions sessionOptions = SessionOptions.of(backend == null ? Backend.VECTOR : Backend.of(backend.toString()));
        Object threads = options.get(OPTION_THREADS);
        if (threads != null) {
            try {
                sessionOptions = sessionOptions.withThreads(Integer.parseInt(threads.toString().strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option '" + OPTION_THREADS + "' must be a whole number of threads,"
                        + " got '" + threads + "'", e);
            }
        }
        return sessionOptions;
    }

    /** The session running the model, e.g. to feed Condense tensors directly. */
    public Session session() {
        return loaded(session);
    }

    /**
     * The model as an image classifier: preprocessing, normalization, class names.
     *
     * @throws TranslateException when the model is not one; the message says why
     */
    public ImageClassifier imageClassifier() throws TranslateException {
        loaded(session);
        if (classifier == null) {
            throw new TranslateException("Condense model " + modelFile + " is not an image classifier: "
                    + notClassifierReason);
        }
        return classifier;
    }

    /** The .dcz or .onnx file the model was loaded from. */
    public Path modelFile() {
        return loaded(modelFile);
    }

    private <T> T loaded(T value) {
        if (session == null) {
            throw new IllegalStateException("model '" + modelName + "' is not loaded (or closed): call"
                    + " Criteria.loadModel() or Model.load(path) first");
        }
        return value;
    }

    /** Closes the session, then the NDManager; idempotent. */
    @Override
    public void close() {
        if (session != null) {
            session.close();
            session = null;
            classifier = null;
        }
        super.close();
    }
}
