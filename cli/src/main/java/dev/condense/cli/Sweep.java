// Runs a grid of compression configurations on one model and appends a results line per configuration, resumably.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.compress.pipeline.CompressionResult;
import dev.condense.compress.pipeline.Retraining;
import dev.condense.data.Dataset;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.layers.WeightLayer;
import dev.condense.passes.Passes;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import dev.condense.train.TrainConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * For every configuration not yet in the results file: compress (or quantize) the model into a
 * .dcz in the work folder, measure top-1 and top-5 on the test split through the written file,
 * time batch-1 inference on each latency backend, and append one JSON line (schema
 * {@value #SCHEMA}, docs/REPORTS.md). Lines are appended and forced to disk one by one, so an
 * interrupted sweep loses at most the configuration it was on; run again with the same output,
 * it skips what is done. Retraining after the same pruning is done once and reused.
 */
final class Sweep {

    static final String SCHEMA = "condense-sweep/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a sweep needs besides its configurations.
     *
     * @param model           the ONNX model
     * @param test            the evaluation images, normalized as the model expects
     * @param train           the training images (retraining), or null when no configuration retrains
     * @param datasetLabel    the dataset's name in the results
     * @param evalOptions     the engine that measures accuracy
     * @param latencyBackends the engines timed at batch 1 (may be empty)
     * @param threads         threads for every engine
     * @param calibration     the calibration set options (int8), or null when no configuration quantizes
     * @param dataDir         --data for Fashion-MNIST, or null
     * @param training        the retraining optimizer options
     * @param workDir         where the compressed models go
     */
    record Setup(Path model, Dataset test, Dataset train, String datasetLabel, SessionOptions evalOptions,
                 List<Backend> latencyBackends, int threads, CalibrationArgs calibration, Path dataDir,
                 TrainOptions training, Path workDir) {
    }

    /** One finished configuration, as written. */
    record Line(SweepConfig config, long bytes, double ratio, double top1, double top5, Map<String, Double> latencyMs,
                double seconds, String json) {
    }

    private final Setup setup;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Progress progress;
    private final Map<String, Model> retrained = new HashMap<>();
    private final Map<String, RetrainHook.StageAccuracy> stageCache = new HashMap<>();
    private RetrainHook.StageAccuracy reference;
    private Path resultsDir;
    /** The .dcz name of each configuration: model and label, made distinct where two labels read the same as names. */
    private final Map<String, String> fileNames = new HashMap<>();

    Sweep(Setup setup, PrintWriter out, PrintWriter err) {
        this.setup = setup;
        this.out = out;
        this.err = err;
        this.progress = Progress.forStdout(out);
    }

    /**
     * Runs the configurations missing from {@code results} and returns every line for this model,
     * old and new, in grid order.
     */
    List<Line> run(List<SweepConfig> configs, Path results) throws UserException, IOException {
        resultsDir = results.toAbsolutePath().normalize().getParent();
        byte[] modelBytes = Files.readAllBytes(setup.model());
        String sha = sha256(modelBytes);
        String modelName = setup.model().getFileName().toString();
        Map<String, JsonNode> done = readDone(results, sha, modelName);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (SweepConfig c : configs) {
            String name = slug(modelName) + "." + slug(c.label());
            for (int n = 2; !names.add(name); n++) {
                name = slug(modelName) + "." + slug(c.label()) + "-" + n;
            }
            fileNames.put(c.key(), name + ".dcz");
        }
        Files.createDirectories(setup.workDir());
        List<SweepConfig> todo = configs.stream().filter(c -> !done.containsKey(c.key())).toList();
        if (!done.isEmpty()) {
            out.printf(Locale.ROOT, "resuming: %d of %d configurations are already in %s%n",
                    configs.size() - todo.size(), configs.size(), results);
        }
        JsonNode ref = done.get("reference");
        if (ref != null) {
            reference = new RetrainHook.StageAccuracy("dense", ref.path("top1").asDouble(), ref.path("top5").asDouble());
        }
        long start = System.nanoTime();
        int finished = 0;
        Map<String, JsonNode> lines = new LinkedHashMap<>(done);
        for (SweepConfig c : todo) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            double left = finished == 0 ? Double.NaN : elapsed / finished * (todo.size() - finished);
            progress.update("sweep", finished, todo.size(), "next: " + c.label()
                    + (finished == 0 ? "" : String.format(Locale.ROOT, ", %.1f min per configuration", elapsed / finished / 60)),
                    left);
            progress.done(String.format(Locale.ROOT, "[%d/%d] %s", finished + 1 + configs.size() - todo.size(),
                    configs.size(), c.label()));
            String json = measure(c, modelName, modelBytes.length, sha);
            progress.clear();
            append(results, json);
            JsonNode node = JSON.readTree(json);
            lines.put(c.key(), node);
            if (c.reference()) {
                reference = new RetrainHook.StageAccuracy("dense", node.get("top1").asDouble(), node.get("top5").asDouble());
            }
            finished++;
            out.printf(Locale.ROOT, "      %s, %.1fx, top-1 %.2f%%, top-5 %.2f%%%s, %.1f s%n", bytes(node.get("bytes").asLong()),
                    node.get("ratio").asDouble(), 100 * node.get("top1").asDouble(), 100 * node.get("top5").asDouble(),
                    latencyText(node), node.get("seconds").asDouble());
        }
        List<Line> all = new ArrayList<>();
        for (SweepConfig c : configs) {
            JsonNode n = lines.get(c.key());
            Map<String, Double> latency = new LinkedHashMap<>();
            n.path("latencyMs").fields().forEachRemaining(e -> latency.put(e.getKey(), e.getValue().asDouble()));
            all.add(new Line(c, n.get("bytes").asLong(), n.get("ratio").asDouble(), n.get("top1").asDouble(),
                    n.get("top5").asDouble(), latency, n.get("seconds").asDouble(), n.toString()));
        }
        return all;
    }

    /**
     * How this run measures, which every line records: lines measured otherwise (fewer test
     * images, another engine, other retraining or calibration) cannot be resumed into this run.
     */
    private ObjectNode conditions() {
        ObjectNode m = JSON.createObjectNode();
        m.put("dataset", setup.datasetLabel());
        m.put("testImages", setup.test().size());
        m.put("evalBackend", setup.evalOptions().backend().toString());
        m.put("retrainLr", setup.training().learningRate);
        m.put("trainLimit", setup.training().limit);
        m.put("calibrationSamples", setup.calibration() == null ? null : setup.calibration().samples);
        m.put("calibrationMethod", setup.calibration() == null ? null : setup.calibration().method);
        return m;
    }

    /** The lines already in {@code results} for this model, by key; refuses a file about another model. */
    private Map<String, JsonNode> readDone(Path results, String sha, String modelName) throws UserException, IOException {
        Map<String, JsonNode> done = new LinkedHashMap<>();
        if (!Files.exists(results)) {
            return done;
        }
        byte[] bytes = Files.readAllBytes(results);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int lineStart = 0;
        int lineNumber = 0;
        while (lineStart < text.length()) {
            int end = text.indexOf('\n', lineStart);
            lineNumber++;
            if (end < 0) {
                // An interrupted append: cut the partial line off so the file is whole lines again.
                err.printf("condense: %s line %d is incomplete (an interrupted sweep); it is dropped and run again%n",
                        results, lineNumber);
                try (FileChannel ch = FileChannel.open(results, StandardOpenOption.WRITE)) {
                    ch.truncate(text.substring(0, lineStart).getBytes(StandardCharsets.UTF_8).length);
                }
                break;
            }
            String line = text.substring(lineStart, end).strip();
            lineStart = end + 1;
            if (line.isEmpty()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new UserException(results + " line " + lineNumber + " is not JSON (" + e.getOriginalMessage()
                        + "); it is not a sweep results file, or it was edited: write to another file");
            }
            if (!SCHEMA.equals(node.path("schema").asText())) {
                throw new UserException(results + " line " + lineNumber + " is not a " + SCHEMA + " record");
            }
            String lineSha = node.path("model").path("sha256").asText();
            if (!lineSha.equals(sha)) {
                throw new UserException(results + " holds results for " + node.path("model").path("name").asText()
                        + " (sha256 " + abbreviate(lineSha) + "), not for " + modelName + " (sha256 " + abbreviate(sha)
                        + "); write this sweep to another file");
            }
            for (String field : List.of("key", "bytes", "ratio", "top1", "top5", "seconds")) {
                JsonNode v = node.get(field);
                if (v == null || !(field.equals("key") ? v.isTextual() : v.isNumber())) {
                    throw new UserException(results + " line " + lineNumber + " has no " + (field.equals("key") ? "text" : "number")
                            + " \"" + field + "\"; it was edited or cut: write to another file (or start it afresh)");
                }
            }
            JsonNode measured = node.path("conditions");
            ObjectNode now = conditions();
            if (!measured.equals(now)) {
                throw new UserException(results + " line " + lineNumber + " was measured with " + measured
                        + ", this run measures with " + now + "; write to another file (or start it afresh)");
            }
            done.put(node.path("key").asText(), node);
        }
        return done;
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) : sha;
    }

    /** Appends one line and forces it to disk, so a crash loses nothing already measured. */
    private static void append(Path results, String json) throws IOException {
        byte[] line = (json + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(results, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Compresses, evaluates and times one configuration; its results line. */
    private String measure(SweepConfig c, String modelName, long modelBytes, String sha) throws UserException, IOException {
        long t0 = System.nanoTime();
        Path file;
        List<Map<String, Object>> layers;
        List<RetrainHook.StageAccuracy> stages = List.of();
        if (c.reference()) {
            file = setup.model();
            layers = referenceLayers();
        } else {
            file = setup.workDir().resolve(fileNames.get(c.key()));
            RetrainHook hook = c.retrainEpochs() > 0 ? retrainHook(c) : null;
            CompressionPipeline pipeline = pipeline(c, hook);
            CompressionResult result;
            try {
                result = pipeline.compress(setup.model(), file, false);
            } catch (IllegalArgumentException | Retraining.RetrainingException e) {
                throw new UserException(c.label() + ": " + e.getMessage(), e);
            } catch (ModelLoadException e) {
                throw new UserException(c.label() + ": " + e.getMessage(), e);
            }
            layers = layerRows(result.report().toJson());
            if (hook != null) {
                stages = hook.stages();
            }
        }
        long bytes = Files.size(file);
        Accuracy accuracy;
        Map<String, double[]> latency = new LinkedHashMap<>();
        try (Session session = Session.open(file, setup.evalOptions())) {
            accuracy = Accuracy.of(session, setup.test(), Accuracy.DEFAULT_BATCH, progress);
        } catch (Exception e) {
            throw failure(c, "evaluating", e);
        }
        for (Backend b : setup.latencyBackends()) {
            try {
                latency.put(b.toString(), Timing.batchOne(file, SessionArgs.options(b, setup.threads(), null)));
            } catch (Exception e) {
                throw failure(c, "timing on " + b, e);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        ObjectNode line = JSON.createObjectNode();
        line.put("schema", SCHEMA);
        line.put("key", c.key());
        line.put("label", c.label());
        line.put("reference", c.reference());
        ObjectNode model = line.putObject("model");
        model.put("name", modelName);
        model.put("bytes", modelBytes);
        model.put("sha256", sha);
        ObjectNode dataset = line.putObject("dataset");
        dataset.put("name", setup.datasetLabel());
        dataset.put("split", "test");
        dataset.put("images", accuracy.images());
        line.set("settings", JSON.valueToTree(c.settings()));
        line.put("file", relativeToResults(file));
        line.put("bytes", bytes);
        line.put("ratio", (double) modelBytes / bytes);
        line.put("top1", accuracy.top1());
        line.put("top5", accuracy.top5());
        line.put("evalBackend", setup.evalOptions().backend().toString());
        line.set("conditions", conditions());
        ObjectNode median = line.putObject("latencyMs");
        ObjectNode p90 = line.putObject("latencyP90Ms");
        latency.forEach((k, v) -> {
            median.put(k, v[0]);
            p90.put(k, v[1]);
        });
        line.put("seconds", seconds);
        var stageArray = line.putArray("stages");
        for (RetrainHook.StageAccuracy s : stages) {
            stageArray.addObject().put("stage", s.stage()).put("top1", s.top1()).put("top5", s.top5());
        }
        line.set("layers", JSON.valueToTree(layers));
        line.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return line.toString();
    }

    /** {@code file} relative to the results file's folder where it can be, so a results folder can move as a whole. */
    private String relativeToResults(Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            return resultsDir.relativize(f).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return f.toString();
        }
    }

    private static UserException failure(SweepConfig c, String what, Exception e) {
        return new UserException(c.label() + ": " + what + " failed: " + e.getMessage(), e);
    }

    /** The pipeline for {@code c}: pruning, sharing or int8, Huffman coding, retraining through {@code hook}. */
    private CompressionPipeline pipeline(SweepConfig c, RetrainHook hook) throws UserException {
        CompressionPipeline p = CompressionPipeline.of(CompressionPreset.DEFAULT).withHuffman(c.huffman());
        if (!c.prunes()) {
            p = p.withoutPruning();
        } else {
            MagnitudePruner pruner;
            try {
                if (c.prune() != null) {
                    pruner = MagnitudePruner.keep(c.prune());
                } else if (isPreset(c.prunePreset())) {
                    pruner = CompressionPreset.of(c.prunePreset()).pruner();
                } else {
                    pruner = MagnitudePruner.parse(c.prunePreset());
                }
            } catch (IllegalArgumentException e) {
                throw new UserException(c.label() + ": prunePreset '" + c.prunePreset() + "' is neither a preset nor rules: "
                        + e.getMessage(), e);
            }
            p = p.withPruner(pruner);
        }
        if (c.int8()) {
            if (setup.calibration() == null) {
                throw new UserException(c.label() + " quantizes to int8 but no calibration set was given");
            }
            p = p.withoutSharing().withQuantization(CompressCommand.int8Stage(setup.calibration(), setup.dataDir(),
                    SessionArgs.options(setup.evalOptions().backend(), setup.threads(), null), err));
        } else if (c.shareBits() == null) {
            p = p.withoutSharing();
        } else {
            try {
                p = p.withSharer(CompressionPreset.DEFAULT.sharer().withBits(c.shareBits()));
            } catch (IllegalArgumentException e) {
                throw new UserException(c.label() + ": shareBits " + c.shareBits() + ": " + e.getMessage(), e);
            }
        }
        if (hook != null) {
            p = p.withRetraining(new CachedRetraining(hook, pruneKey(c)), 1);
        }
        return p;
    }

    private static boolean isPreset(String name) {
        try {
            CompressionPreset.of(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String pruneKey(SweepConfig c) {
        return (c.prune() != null ? c.prune().toString() : c.prunePreset()) + "/" + c.retrainEpochs();
    }

    private RetrainHook retrainHook(SweepConfig c) throws UserException {
        if (setup.train() == null) {
            throw new UserException(c.label() + " retrains, but no training split was opened");
        }
        TrainConfig prune = setup.training().apply(TrainConfig.fineTune(c.retrainEpochs()));
        TrainConfig share = c.shareEpochs() == 0 ? null
                : setup.training().apply(TrainConfig.fineTune(c.shareEpochs())).withLearningRate(3e-4);
        return new RetrainHook(setup.train(), setup.test(), prune, share,
                SessionArgs.options(setup.evalOptions().backend(), setup.threads(), null), out);
    }

    /**
     * Retraining that reuses what an earlier configuration with the same pruning already did: the
     * retrained model, and the accuracy of the dense, pruned and retrained stages.
     */
    private final class CachedRetraining implements Retraining {
        private final RetrainHook hook;
        private final String pruneKey;

        CachedRetraining(RetrainHook hook, String pruneKey) {
            this.hook = hook;
            this.pruneKey = pruneKey;
        }

        @Override
        public void stage(String stage, Model model) throws RetrainingException {
            if (stage.equals("dense") && reference != null) {
                hook.known(reference);
                return;
            }
            boolean reusable = stage.startsWith("pruned") || stage.startsWith("retrained");
            RetrainHook.StageAccuracy known = reusable ? stageCache.get(pruneKey + "/" + stage) : null;
            if (known != null) {
                hook.known(known);
            } else {
                RetrainHook.StageAccuracy s = hook.record(stage, model);
                if (reusable) {
                    stageCache.put(pruneKey + "/" + stage, s);
                }
            }
        }

        @Override
        public Model retrainPruned(Model pruned, PruneResult pruning, int iteration, int iterations)
                throws RetrainingException {
            String key = pruneKey + "/" + iteration + "/" + iterations;
            Model cached = retrained.get(key);
            if (cached == null) {
                cached = hook.retrainPruned(pruned, pruning, iteration, iterations);
                retrained.put(key, cached);
            } else {
                out.println("      reusing the retraining of an earlier configuration with the same pruning");
            }
            return cached;
        }

        @Override
        public SharingResult tuneCentroids(Model pruned, SharingResult sharing) throws RetrainingException {
            return hook.tuneCentroids(pruned, sharing);
        }
    }

    /** The weight layers of the uncompressed model, in the results' layer-row form: everything kept at 32 bits. */
    private List<Map<String, Object>> referenceLayers() throws UserException {
        Model m;
        try {
            m = Passes.run(ModelFiles.read(setup.model()), Passes.simplify());
        } catch (Exception e) {
            throw new UserException("cannot read " + setup.model() + ": " + e.getMessage(), e);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (WeightLayer l : WeightLayer.of(m.graph())) {
            Tensor w = l.weight();
            long n = w.elementCount();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("tensor", l.weightName());
            r.put("layer", l.name());
            r.put("op", l.opType());
            r.put("encoding", "raw");
            r.put("weights", n);
            r.put("kept", n);
            r.put("keptPercent", 100.0);
            r.put("entries", n);
            r.put("shareBits", 0);
            r.put("relativeIndexBits", 0);
            r.put("weightBitsFixed", 32.0);
            r.put("weightBitsStored", 32.0);
            r.put("indexBitsFixed", 0.0);
            r.put("indexBitsStored", 0.0);
            r.put("codebookBytes", 0);
            r.put("huffmanTableBytes", 0);
            r.put("indexBytes", 0);
            r.put("weightBytes", 4 * n);
            r.put("headerBytes", 0);
            r.put("bytesBefore", 4 * n);
            r.put("bytesAfter", 4 * n);
            r.put("ratio", 1.0);
            rows.add(r);
        }
        return rows;
    }

    /** The weight-layer rows of a compression report's JSON. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> layerRows(String reportJson) throws IOException {
        Map<String, Object> report = JSON.readValue(reportJson, Map.class);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> t : (List<Map<String, Object>>) report.get("tensors")) {
            if (t.containsKey("layer")) {
                rows.add(t);
            }
        }
        return rows;
    }

    static String slug(String label) {
        String s = label.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("-+", "-");
        s = s.replaceAll("^[-.]+|[-.]+$", "");
        return s.isEmpty() ? "model" : s.length() > 80 ? s.substring(0, 80) : s;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** A size in SI units (1 kB = 1000 bytes), as the report prints sizes. */
    static String bytes(long n) {
        return n >= 10_000_000L ? String.format(Locale.ROOT, "%.1f MB", n / 1e6)
                : n >= 10_000L ? String.format(Locale.ROOT, "%.1f kB", n / 1e3) : n + " B";
    }

    private static String latencyText(JsonNode line) {
        StringBuilder b = new StringBuilder();
        line.path("latencyMs").fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT, ", %s %.3f ms",
                e.getKey(), e.getValue().asDouble())));
        return b.toString();
    }

    /** Batch-1 latency of a model file on one engine. */
    static final class Timing {
        /** Timed runs: at least this many, and at least {@link #MIN_NANOS} together, at most {@link #MAX_RUNS}. */
        static final int MIN_RUNS = 20;
        static final int MAX_RUNS = 2000;
        static final long MIN_NANOS = 500_000_000L;

        private Timing() {
        }

        /** {median, p90} in milliseconds, after warming the engine up. */
        static double[] batchOne(Path file, SessionOptions options) throws Exception {
            try (Session s = Session.open(file, options)) {
                Map<String, Tensor> input = Feeds.asMap(Feeds.random(s.inputs(), 1, 7));
                BenchCommand.untilCompiled(s, input);
                for (int i = 0; i < 5; i++) {
                    s.run(input).close();
                }
                long[] nanos = new long[MAX_RUNS];
                long start = System.nanoTime();
                int n = 0;
                while (n < MAX_RUNS && (n < MIN_RUNS || System.nanoTime() - start < MIN_NANOS)) {
                    long t = System.nanoTime();
                    try (Result r = s.run(input)) {
                        nanos[n++] = System.nanoTime() - t;
                    }
                }
                BenchCommand.Latency l = BenchCommand.Latency.of(java.util.Arrays.copyOf(nanos, n));
                return new double[] {l.median(), l.p90()};
            }
        }
    }
}
