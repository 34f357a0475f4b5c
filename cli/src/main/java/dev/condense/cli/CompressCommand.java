// `condense compress`: Deep Compression of an ONNX model into a DCZ container, with the per-layer size table.
package dev.condense.cli;

import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.FormatException;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.Quantization;
import dev.condense.compress.pipeline.Retraining;
import dev.condense.quantize.int8.QuantizeOptions;
import dev.condense.quantize.int8.StaticQuantizer;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.Backend;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import dev.condense.runtime.SessionRunner;
import dev.condense.train.TrainConfig;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.compress.pipeline.CompressionReport;
import dev.condense.compress.pipeline.CompressionResult;
import dev.condense.ir.ModelLoadException;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.PruneCriterion;
import dev.condense.quantize.sharing.KMeansInit;
import dev.condense.quantize.sharing.WeightSharer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "compress",
        description = {"Compress a model the Deep Compression way into a .dcz container: prune, share weights by"
                + " k-means, Huffman-code.",
                "Prints per layer its weights, the share kept, weight and index bits per stored entry (fixed width and"
                        + " as stored), bytes before and after and the ratio, then the total against the input file"
                        + " and the input gzipped. Presets: default (keep 60% of conv and 30% of fc weights), paper-alexnet"
                        + " and paper-vgg16 (Deep Compression's Tables 4 and 5); all share conv layers with 8 bits and fc"
                        + " layers with 5."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense compress alexnet.onnx -o alexnet.dcz --preset paper-alexnet",
                "  condense compress lenet.onnx -o lenet.dcz --prune 0.3 --layer conv1=0.8 --share-bits conv=6,fc=4",
                "  condense compress vgg16.onnx -o vgg16.dcz --preset paper-vgg16 --no-huffman --report sizes.json",
                "  condense compress resnet18.onnx -o r18.dcz --fold-bn --no-prune     (share only)"})
final class CompressCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the ONNX model to compress")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.dcz", description = "where to write the container (never the input)")
    Path output;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "default",
            description = "default, paper-alexnet or paper-vgg16 (default: ${DEFAULT-VALUE})")
    String preset;

    @Option(names = "--prune", paramLabel = "KEEP", description = "keep this fraction of every layer's weights (0.1 or 10%), instead of the preset's; 'auto' picks each layer's from a sensitivity scan (with --max-drop and --dataset)")
    String pruneKeep;

    @Option(names = "--max-drop", paramLabel = "POINTS", description = "with --prune auto: the top-1 points each layer may cost when pruned alone (e.g. 0.5)")
    Double maxDrop;

    @Option(names = "--prune-quality", paramLabel = "Q", description = "keep the weights with |w| >= Q x std of their layer, instead of the preset's fractions")
    Double pruneQuality;

    @Option(names = "--layer", paramLabel = "NAME=KEEP", description = "a layer's own keep fraction (or qQ for a quality factor); NAME is a layer, its short name, an op type or conv/fc (repeatable)")
    List<String> layerRules = new ArrayList<>();

    @Option(names = "--no-prune", description = "skip pruning (share and encode only)")
    boolean noPrune;

    @Option(names = "--share-bits", paramLabel = "RULES", description = "codebook bits per layer on top of the preset's, e.g. conv=8,fc=5,fc6=4")
    String shareBits;

    @Option(names = "--share-init", paramLabel = "INIT", description = "k-means initialization: linear (the paper's, default), density, random or kmeans++")
    String shareInit;

    @Option(names = "--no-share", description = "skip weight sharing: kept weights stay fp32")
    boolean noShare;

    @Option(names = "--index-bits", paramLabel = "RULES", description = "relative-index bits per layer (1-16, or auto: the smallest payload, the presets' choice), e.g. conv=8,fc=5")
    String indexBits;

    @Option(names = "--no-huffman", description = "store indices at fixed width instead of Huffman-coding them")
    boolean noHuffman;

    @Option(names = "--fold-bn", description = "fold BatchNormalization into the Conv or Gemm before it first")
    boolean foldBn;

    @Option(names = "--report", paramLabel = "FILE.json", description = "also write the report as JSON")
    Path report;

    @Option(names = "--no-gzip-baseline", description = "do not gzip the input for the baseline (saves time on large models)")
    boolean noGzip;

    @Option(names = "--retrain", description = "retrain after pruning (masks held) and after sharing (centroids"
            + " fine-tuned) on --dataset, measuring each stage's accuracy")
    boolean retrain;

    @Option(names = "--prune-epochs", paramLabel = "N", defaultValue = "3",
            description = "with --retrain: epochs after each pruning step (default: ${DEFAULT-VALUE})")
    int pruneEpochs;

    @Option(names = "--share-epochs", paramLabel = "N", defaultValue = "1",
            description = "with --retrain: epochs of centroid fine-tuning, 0 to keep k-means' centroids (default: ${DEFAULT-VALUE})")
    int shareEpochs;

    @Option(names = "--share-lr", paramLabel = "RATE", defaultValue = "3e-4",
            description = "with --retrain: the centroids' learning rate; each centroid moves by the sum of its weights'"
                    + " gradients, so it is far below a weight's (default: ${DEFAULT-VALUE})")
    double shareLearningRate;

    @Option(names = "--iterations", paramLabel = "K", defaultValue = "1",
            description = "with --retrain: prune in K steps towards the target, retraining after each (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "vector",
            description = "with --retrain: the engine that measures each stage's accuracy (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--int8", description = "quantize to int8 after pruning (weights per channel, activations calibrated"
            + " with --calibration) instead of sharing weights; pruned weights stay zeros, stored as sparse int8")
    boolean int8;

    @picocli.CommandLine.Mixin
    CalibrationArgs calib = new CalibrationArgs();

    @picocli.CommandLine.Mixin
    DatasetArgs datasetArgs = new DatasetArgs();

    @picocli.CommandLine.Mixin
    TrainOptions trainOptions = new TrainOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, ModelLoadException, IOException, FormatException, DatasetException,
            SessionException {
        checkPaths();
        CompressionPipeline pipeline = pipeline();
        PrintWriter out = spec.commandLine().getOut();
        RetrainHook hook = retrain ? retrainHook(out) : null;
        if (hook != null) {
            pipeline = pipeline.withRetraining(hook, iterations);
        } else if ((datasetArgs.given() && !"auto".equalsIgnoreCase(pruneKeep)) || pruneEpochs != 3 || shareEpochs != 1 || iterations != 1) {
            throw new UserException("--dataset (but for --prune auto), --prune-epochs, --share-epochs and --iterations go"
                    + " with --retrain");
        }
        CompressionResult result;
        try {
            result = pipeline.compress(input, output, !noGzip);
        } catch (IllegalArgumentException e) {
            // A rule naming no layer, a preset that does not fit the model, the output being the input.
            throw new UserException(e.getMessage());
        } catch (Retraining.RetrainingException e) {
            throw new UserException(e.getMessage());
        }
        CompressionReport r = result.report();
        out.printf("%s -> %s  (preset %s%s%s%s%s)%n", input, output, preset, noPrune ? ", no pruning" : "",
                noShare ? ", no sharing" : "", noHuffman ? ", no Huffman" : "", retrain ? ", retrained" : "");
        out.print(r.table());
        out.println("time    " + r.phaseMillis().entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f s", e.getValue() / 1000))
                .collect(Collectors.joining(", ")));
        String json = r.toJson();
        if (hook != null) {
            try {
                hook.record("dcz", ModelFiles.read(output));
            } catch (Retraining.RetrainingException e) {
                throw new UserException(e.getMessage());
            }
            out.print(stageTable(hook.stages(), r));
            json = withStages(json, hook.stages());
        }
        if (report != null) {
            TextFiles.writeAtomically(report, json + "\n");
            out.printf("wrote   %s%n", report);
        }
        return 0;
    }

    /** The pipeline's int8 stage: static quantization of the pruned model, calibrated on --calibration. */
    private Quantization int8Quantization() throws UserException {
        Backend engine = SessionArgs.backend("--backend", backend);
        return int8Stage(calib, datasetArgs.data, SessionArgs.options(engine, SessionArgs.threads(null), null),
                spec.commandLine().getErr());
    }

    /**
     * Static int8 quantization as a pipeline stage: the model it is handed (pruned, perhaps
     * retrained) is calibrated on {@code calib}'s set, run on {@code engine}, and quantized; its
     * metadata records how.
     */
    static Quantization int8Stage(CalibrationArgs calib, Path dataDir, SessionOptions engine, PrintWriter err)
            throws UserException {
        QuantizeOptions options = calib.options();
        if (calib.calibration == null) {
            throw new UserException("--int8 calibrates activation ranges: give --calibration fashion-mnist, a folder or random");
        }
        return pruned -> {
            try (SessionRunner runner = new SessionRunner(engine)) {
                int n = calib.sampleCount();
                var batches = calib.batches(pruned, dataDir, err);
                Model q = StaticQuantizer.quantize(pruned, options, batches, runner).model();
                java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(q.metadata());
                meta.put("condense.quantize.mode", "static");
                meta.put("condense.quantize.weights", options.perChannel() ? "int8 per-channel" : "int8 per-tensor");
                meta.put("condense.quantize.calibration", calib.label(n));
                return new Model(q.irVersion(), q.opsets(), q.producerName(), q.producerVersion(), q.docString(), meta,
                        q.graph());
            } catch (dev.condense.quantize.int8.QuantizationException | UserException | DatasetException e) {
                throw new Quantization.QuantizationException("--int8: " + e.getMessage(), e);
            }
        };
    }

    /** --prune auto: a sensitivity scan of the input, then each layer's smallest fraction within --max-drop. */
    private MagnitudePruner autoPruner() throws UserException {
        if (maxDrop == null || !datasetArgs.given()) {
            throw new UserException("--prune auto measures each layer's sensitivity: give --max-drop POINTS and --dataset");
        }
        if (!(maxDrop >= 0 && maxDrop <= 100)) {
            throw new UserException("--max-drop is in top-1 points, between 0 and 100; got " + maxDrop);
        }
        PrintWriter out = spec.commandLine().getOut();
        try {
            Model model = dev.condense.passes.Passes.run(OnnxReader.read(input), dev.condense.passes.Passes.simplify());
            dev.condense.prune.Sensitivity s = SensitivityCommand.scan(model, datasetArgs, null,
                    SessionArgs.options(SessionArgs.backend("--backend", backend), SessionArgs.threads(null), null),
                    Progress.forStdout(out));
            out.print(s.table());
            double[] keep = s.choose(maxDrop / 100);
            for (int i = 0; i < keep.length; i++) {
                out.printf(Locale.ROOT, "auto: %s keeps %.0f%%%n", s.layers().get(i).layer(), 100 * keep[i]);
            }
            return s.pruner(maxDrop / 100);
        } catch (ModelLoadException | DatasetException e) {
            throw new UserException("--prune auto: " + e.getMessage());
        }
    }

    private RetrainHook retrainHook(PrintWriter out) throws UserException, ModelLoadException, DatasetException,
            IOException {
        if (pruneEpochs < 1 || shareEpochs < 0) {
            throw new UserException("--prune-epochs must be at least 1 and --share-epochs at least 0");
        }
        if (iterations < 1 || iterations > 100) {
            throw new UserException("--iterations must lie in [1, 100], got " + iterations);
        }
        Model model = OnnxReader.read(input);
        Dataset train = DatasetArgs.normalizedFor(datasetArgs.open(Split.TRAIN, EvalCommand.sampleShape(model)), model);
        Dataset test = datasetArgs.open(Split.TEST, train.sampleShape()).withNormalization(train.normalization());
        TrainConfig prune = trainOptions.apply(TrainConfig.fineTune(pruneEpochs));
        if (!(shareLearningRate > 0) || !Double.isFinite(shareLearningRate)) {
            throw new UserException("--share-lr must be a positive number, got " + shareLearningRate);
        }
        TrainConfig share = shareEpochs == 0 ? null
                : trainOptions.apply(TrainConfig.fineTune(shareEpochs)).withLearningRate(shareLearningRate);
        Backend b = SessionArgs.backend("--backend", backend);
        return new RetrainHook(train, test, prune, share, SessionArgs.options(b, SessionArgs.threads(null), null), out);
    }

    /** The stages in the layout of Deep Compression's tables: accuracy, and its change against the dense model. */
    static String stageTable(List<RetrainHook.StageAccuracy> stages, CompressionReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n%-20s %8s %8s %8s%n", "stage", "top-1", "top-5", "change"));
        double dense = stages.getFirst().top1();
        for (RetrainHook.StageAccuracy s : stages) {
            b.append(String.format(Locale.ROOT, "%-20s %7.2f%% %7.2f%% %+7.2f%n", s.stage(), 100 * s.top1(),
                    100 * s.top5(), 100 * (s.top1() - dense)));
        }
        RetrainHook.StageAccuracy last = stages.getLast();
        b.append(String.format(Locale.ROOT, "%s: %.1fx smaller (%,d -> %,d bytes), top-1 %.2f%% -> %.2f%% (%+.2f points)%n",
                "result", r.ratio(), r.inputBytes().orElse(r.fp32Bytes()), r.archiveBytes(), 100 * dense, 100 * last.top1(),
                100 * (last.top1() - dense)));
        return b.toString();
    }

    private static String withStages(String json, List<RetrainHook.StageAccuracy> stages) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
                mapper.readTree(json);
        com.fasterxml.jackson.databind.node.ArrayNode array = root.putArray("stages");
        for (RetrainHook.StageAccuracy s : stages) {
            array.addObject().put("stage", s.stage()).put("top1", s.top1()).put("top5", s.top5());
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private void checkPaths() throws UserException, IOException {
        if (DczModel.isDcz(input)) {
            throw new UserException(input + " is a DCZ container already; compress the ONNX model it came from, or"
                    + " 'condense decompress' it first");
        }
        Path folder = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new UserException("the output's folder " + folder + " does not exist");
        }
        ModelFiles.checkOutput(input, output, null);
        if (report != null) {
            for (Path p : List.of(input, output)) {
                if (report.toAbsolutePath().normalize().equals(p.toAbsolutePath().normalize())
                        || (Files.exists(report) && Files.exists(p) && Files.isSameFile(report, p))) {
                    throw new UserException("--report " + report + " is " + (p == input ? "the input" : "the output")
                            + "; write the report to another file");
                }
            }
        }
    }

    /** The preset with the options on top; impossible combinations and values are one-line errors. */
    CompressionPipeline pipeline() throws UserException {
        CompressionPreset chosen;
        try {
            chosen = CompressionPreset.of(preset);
        } catch (IllegalArgumentException e) {
            throw new UserException("--preset: " + e.getMessage());
        }
        CompressionPipeline pipeline = CompressionPipeline.of(chosen).withFoldBatchNorm(foldBn).withHuffman(!noHuffman);
        if (maxDrop != null && !"auto".equalsIgnoreCase(pruneKeep)) {
            throw new UserException("--max-drop goes with --prune auto");
        }
        if (pruneKeep != null && pruneQuality != null) {
            throw new UserException("--prune and --prune-quality both set how much to keep; give one");
        }
        if (noPrune && (pruneKeep != null || pruneQuality != null || !layerRules.isEmpty())) {
            throw new UserException("--no-prune skips pruning; it cannot go with --prune, --prune-quality or --layer");
        }
        if (noPrune) {
            pipeline = pipeline.withoutPruning();
        } else {
            MagnitudePruner pruner = chosen.pruner();
            try {
                if ("auto".equalsIgnoreCase(pruneKeep)) {
                    pruner = autoPruner();
                } else if (pruneKeep != null) {
                    PruneCriterion criterion = PruneCriterion.parse(pruneKeep);
                    if (!(criterion instanceof PruneCriterion.KeepFraction)) {
                        throw new UserException("--prune " + pruneKeep + " is not a keep fraction; write e.g. 0.1 or 10%"
                                + " (--prune-quality takes a quality factor)");
                    }
                    pruner = MagnitudePruner.of(dev.condense.layers.LayerRules.withDefault(criterion));
                } else if (pruneQuality != null) {
                    pruner = MagnitudePruner.quality(pruneQuality);
                }
            } catch (IllegalArgumentException e) {
                throw new UserException((pruneKeep != null ? "--prune: " : "--prune-quality: ") + e.getMessage());
            }
            for (String rule : layerRules) {
                if (!rule.contains("=") || rule.startsWith("=")) {
                    throw new UserException("--layer '" + rule + "' is not NAME=KEEP (e.g. fc6=0.09)");
                }
                try {
                    pruner = pruner.withRules(rule);
                } catch (IllegalArgumentException e) {
                    throw new UserException("--layer: " + e.getMessage());
                }
            }
            pipeline = pipeline.withPruner(pruner);
        }
        if (noShare && shareBits != null) {
            throw new UserException("--no-share skips weight sharing; it cannot go with --share-bits");
        }
        if (noShare && shareInit != null) {
            throw new UserException("--no-share skips weight sharing; it cannot go with --share-init");
        }
        if (int8 && (shareBits != null || shareInit != null)) {
            throw new UserException("--int8 replaces weight sharing; it cannot go with --share-bits or --share-init");
        }
        if (!int8 && calib.calibration != null) {
            throw new UserException("--calibration goes with --int8");
        }
        if (int8) {
            pipeline = pipeline.withoutSharing().withQuantization(int8Quantization());
        } else if (noShare) {
            pipeline = pipeline.withoutSharing();
        } else if (shareBits != null || shareInit != null) {
            WeightSharer sharer = chosen.sharer();
            try {
                if (shareBits != null) {
                    sharer = sharer.withBits(shareBits);
                }
            } catch (IllegalArgumentException e) {
                throw new UserException("--share-bits: " + e.getMessage());
            }
            if (shareInit != null) {
                sharer = sharer.withInit(switch (shareInit.strip().toLowerCase(Locale.ROOT)) {
                    case "linear" -> KMeansInit.LINEAR;
                    case "density" -> KMeansInit.DENSITY;
                    case "random" -> KMeansInit.RANDOM;
                    case "kmeans++", "kmeans-plus-plus" -> KMeansInit.KMEANS_PLUS_PLUS;
                    default -> throw new UserException("--share-init must be linear, density, random or kmeans++, got '"
                            + shareInit + "'");
                });
            }
            pipeline = pipeline.withSharer(sharer);
        }
        if (indexBits != null) {
            try {
                pipeline = pipeline.withIndexBits(indexBits);
            } catch (IllegalArgumentException e) {
                throw new UserException("--index-bits: " + e.getMessage());
            }
        }
        return pipeline;
    }

}
