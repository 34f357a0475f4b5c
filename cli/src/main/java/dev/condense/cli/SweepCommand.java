// `condense sweep`: a grid of compressions of one model, each measured for size, accuracy and latency, into a JSON Lines file.
package dev.condense.cli;

import dev.condense.compress.dcz.DczModel;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "sweep",
        description = {"Compress one model in many ways and measure each: size, top-1 and top-5, batch-1 latency per"
                + " backend, time taken; one JSON line per configuration (docs/REPORTS.md).",
                "Without --grid: keep fractions 100/50/30/20/10/5% crossed with no sharing, 8/5-bit and 6/4-bit codebooks"
                        + " (conv/fc), Huffman coding on, plus int8 at 100/50/30%. Run again with the same output to"
                        + " resume: configurations already there are skipped. 'condense report' charts the file."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  condense sweep models/trained/lenet-5-caffe.onnx --dataset fashion-mnist -o lenet5.jsonl",
                "  condense sweep lenet5.onnx --dataset fashion-mnist --grid grid.json -o lenet5.jsonl --latency vector",
                "  condense report lenet5.jsonl -o lenet5.html",
                "", "A grid file (JSON): {\"grid\": {\"prune\": [null, 0.3, 0.1], \"shareBits\": [null, \"conv=8,fc=5\"],"
                + " \"int8\": [false, true]}, \"configurations\": [{\"label\": \"paper\", \"prunePreset\": \"paper-lenet5\","
                + " \"retrainEpochs\": 1, \"shareBits\": \"conv=8,fc=5\"}]}"})
final class SweepCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the ONNX model to compress")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "RESULTS.jsonl",
            description = "the results file: created, or resumed when it holds lines for this model")
    Path output;

    @Option(names = "--grid", paramLabel = "FILE.json", description = "the configurations to run (default: the built-in grid)")
    Path grid;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "where the compressed models go (default: a folder named after the results file, beside it)")
    Path workDir;

    @Option(names = "--backend", paramLabel = "B", defaultValue = "vector",
            description = "the engine that measures accuracy (default: ${DEFAULT-VALUE})")
    String backend;

    @Mixin
    SweepRunArgs run = new SweepRunArgs();

    @Option(names = "--retrain-lr", paramLabel = "RATE", description = "peak learning rate of retraining after pruning (default: 0.005)")
    Double retrainLr;

    @Mixin
    DatasetArgs datasetArgs = new DatasetArgs();

    @Mixin
    CalibrationArgs calib = new CalibrationArgs();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, IOException, ModelLoadException, DatasetException {
        List<SweepConfig> configs = grid != null ? SweepGrid.read(grid) : SweepGrid.defaults();
        PrintWriter out = spec.commandLine().getOut();
        Sweep.Setup setup = setup(input, output, workDir, configs, datasetArgs, calib, backend, run, retrainLr);
        out.printf(Locale.ROOT, "sweep: %d configurations of %s on %s (%,d test images), accuracy on %s, latency on %s%n",
                configs.size(), input.getFileName(), setup.datasetLabel(), setup.test().size(), setup.evalOptions().backend(),
                setup.latencyBackends().isEmpty() ? "none" : setup.latencyBackends());
        List<Sweep.Line> lines = new Sweep(setup, out, spec.commandLine().getErr()).run(configs, output);
        out.println();
        out.print(summary(lines));
        out.printf("wrote   %s (%d lines); the models are in %s%n", output, lines.size(), setup.workDir());
        return 0;
    }

    /** Checks every option and opens the data a sweep of {@code configs} needs, before anything runs. */
    static Sweep.Setup setup(Path input, Path output, Path workDir, List<SweepConfig> configs, DatasetArgs datasetArgs,
                             CalibrationArgs calib, String backend, SweepRunArgs run, Double retrainLr)
            throws UserException, IOException, ModelLoadException, DatasetException {
        String latency = run.latency;
        Integer threads = run.threads;
        Integer evalLimit = run.evalLimit;
        Integer trainLimit = run.trainLimit;
        if (!Files.isRegularFile(input)) {
            throw new UserException("model " + input + (Files.exists(input) ? " is not a file" : " does not exist"));
        }
        if (DczModel.isDcz(input)) {
            throw new UserException(input + " is a DCZ container; sweep the ONNX model it came from");
        }
        if (!datasetArgs.given()) {
            throw new UserException("--dataset is required: the sweep measures every configuration's accuracy on it");
        }
        Path folder = output.toAbsolutePath().getParent();
        if (!Files.isDirectory(folder)) {
            throw new UserException("the output's folder " + folder + " does not exist");
        }
        ModelFiles.checkOutput(input, output, null);
        if (Files.isDirectory(output)) {
            throw new UserException("the output " + output + " is a folder; name a .jsonl file");
        }
        int n = SessionArgs.threads(threads);
        Backend eval = SessionArgs.backend("--backend", backend);
        List<Backend> timed = latency.strip().equalsIgnoreCase("none") ? List.of() : SessionArgs.backends("--latency", latency);
        Model model = OnnxReader.read(input);
        Dataset test = DatasetArgs.normalizedFor(datasetArgs.open(Split.TEST, EvalCommand.sampleShape(model)), model);
        if (evalLimit != null) {
            if (evalLimit < 1) {
                throw new UserException("--eval-limit must be at least 1, got " + evalLimit);
            }
            test = test.take(Math.min(evalLimit, test.size()));
        }
        boolean retrains = configs.stream().anyMatch(c -> c.retrainEpochs() > 0);
        Dataset train = retrains
                ? DatasetArgs.normalizedFor(datasetArgs.open(Split.TRAIN, EvalCommand.sampleShape(model)), model) : null;
        TrainOptions training = new TrainOptions();
        training.threads = threads;
        if (retrainLr != null && !(retrainLr > 0 && retrainLr < 10)) {
            throw new UserException("--retrain-lr must be a positive learning rate below 10, got " + retrainLr);
        }
        training.learningRate = retrainLr;
        if (trainLimit != null) {
            if (trainLimit < 1) {
                throw new UserException("--train-limit must be at least 1, got " + trainLimit);
            }
            training.limit = trainLimit;
        }
        boolean quantizes = configs.stream().anyMatch(SweepConfig::int8);
        if (quantizes && calib.calibration == null) {
            calib.calibration = datasetArgs.dataset;
        }
        if (quantizes) {
            calib.options();
            calib.sampleCount();
        }
        Path work = workDir != null ? workDir : folder.resolve(stem(output) + "-models");
        if (Files.exists(work) && !Files.isDirectory(work)) {
            throw new UserException("--work-dir " + work + " is a file; name a folder");
        }
        return new Sweep.Setup(input, test, train, datasetArgs.label(), SessionArgs.options(eval, n, null), timed, n,
                quantizes ? calib : null, datasetArgs.data, training, work);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The summary table: a row per configuration with size, ratio, accuracy and its change, latency. */
    static String summary(List<Sweep.Line> lines) {
        Sweep.Line ref = lines.stream().filter(l -> l.config().reference()).findFirst().orElse(lines.getFirst());
        List<String> backends = lines.stream().flatMap(l -> l.latencyMs().keySet().stream()).distinct().toList();
        int width = Math.max(13, lines.stream().mapToInt(l -> l.config().label().length()).max().orElse(0));
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-" + width + "s %10s %7s %7s %7s %7s", "configuration", "size", "ratio",
                "top-1", "change", "top-5"));
        for (String be : backends) {
            b.append(String.format(Locale.ROOT, " %11s", be + " ms"));
        }
        b.append('\n');
        for (Sweep.Line l : lines) {
            b.append(String.format(Locale.ROOT, "%-" + width + "s %10s %6.1fx %6.2f%% %+7.2f %6.2f%%", l.config().label(),
                    Sweep.bytes(l.bytes()), l.ratio(), 100 * l.top1(), 100 * (l.top1() - ref.top1()), 100 * l.top5()));
            for (String be : backends) {
                Double ms = l.latencyMs().get(be);
                b.append(ms == null ? String.format(Locale.ROOT, " %11s", "-") : String.format(Locale.ROOT, " %11.3f", ms));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
