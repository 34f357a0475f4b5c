// `condense demo`: the main job on bundled defaults: a shipped model through five compressions, measured, charted and summarized.
package dev.condense.cli;

import dev.condense.data.DatasetException;
import dev.condense.cli.report.ReportFormat;
import dev.condense.data.FashionMnist;
import dev.condense.ir.ModelLoadException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "demo",
        description = {"Run the main job on bundled defaults: the shipped LeNet-5 (trained on Fashion-MNIST) compressed"
                + " five ways (dense, pruned, pruned + shared + Huffman, int8, pruned + int8), each measured for size,"
                + " top-1 and top-5 on the Fashion-MNIST test split and batch-1 latency on both engines; writes the"
                + " results and report.html, and prints the summary.",
                "Pruning keeps 60% of the convolution weights and 15% of the fully connected ones, then retrains one"
                        + " epoch (--prune paper-lenet5 --retrain-epochs 3 is closer to the paper, and slower)."
                        + " Without the Debian package dataset-fashion-mnist it uses the subset shipped in"
                        + " models/data (2,000 test and 1,000 training images). Run again to reuse the results"
                        + " (--fresh starts over)."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense demo", "  condense demo --out /tmp/demo --fresh"})
final class DemoCommand implements Callable<Integer> {

    /** Where the launcher says Condense lives; models and the dataset subset are found from there. */
    static final String HOME_PROPERTY = "condense.home";
    static final String DEFAULT_MODEL = "models/trained/lenet-5-caffe.onnx";
    static final String SUBSET = "models/data/fashion-mnist-subset";

    @Option(names = "--model", paramLabel = "FILE.onnx", description = "the model (default: " + DEFAULT_MODEL + ")")
    Path model;

    @Option(names = "--prune", paramLabel = "PRESET|RULES", defaultValue = "conv=0.6,fc=0.15",
            description = "the pruning of the pruned configurations: a preset or rules such as conv=0.6,fc=0.1"
                    + " (default: ${DEFAULT-VALUE})")
    String prune;

    @Option(names = "--retrain-epochs", paramLabel = "N", defaultValue = "1",
            description = "epochs of masked retraining after pruning, 0 for none (default: ${DEFAULT-VALUE})")
    int retrainEpochs;

    @Option(names = "--retrain-lr", paramLabel = "RATE", defaultValue = "0.02",
            description = "peak learning rate of that retraining (default: ${DEFAULT-VALUE})")
    double retrainLr;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "condense-demo",
            description = "where results.jsonl, the compressed models and report.html go (default: ${DEFAULT-VALUE})")
    Path outDir;

    @Option(names = "--data", paramLabel = "DIR", description = "folder of the Fashion-MNIST IDX files (default: the"
            + " Debian package's, else the shipped subset)")
    Path data;

    @CommandLine.Mixin
    SweepRunArgs run = new SweepRunArgs();

    @Option(names = "--fresh", description = "discard earlier results in --out and run everything again")
    boolean fresh;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, IOException, ModelLoadException, DatasetException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        Path home = home();
        Path modelFile = model != null ? model : home.resolve(DEFAULT_MODEL);
        if (!Files.isRegularFile(modelFile)) {
            throw new UserException("the demo's model " + modelFile + " is missing; run the demo from a Condense checkout"
                    + " or give --model FILE.onnx");
        }
        if (retrainEpochs < 0 || retrainEpochs > 100) {
            throw new UserException("--retrain-epochs lies in [0, 100], got " + retrainEpochs);
        }
        DatasetArgs dataset = new DatasetArgs();
        dataset.dataset = "fashion-mnist";
        dataset.data = data != null ? data : dataDir(home, FashionMnist.DEFAULT_DIR, err);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new UserException("--out " + outDir + " is a file; name a folder");
        }
        Files.createDirectories(outDir);
        Path results = outDir.resolve("results.jsonl");
        Path work = outDir.resolve("models");
        if (fresh) {
            Files.deleteIfExists(results);
            deleteModels(work);
        }
        List<SweepConfig> configs = SweepGrid.demo(prune, retrainEpochs);
        CalibrationArgs calib = CommandLine.populateCommand(new CalibrationArgs(), "--calibration", "fashion-mnist");
        Sweep.Setup setup = SweepCommand.setup(modelFile, results, work, configs, dataset, calib, "vector", run,
                retrainLr);
        out.printf(Locale.ROOT, "Condense demo: %s (%s), compressed %d ways and measured on %,d %s test images.%n",
                modelFile.getFileName(), Sweep.bytes(Files.size(modelFile)), configs.size() - 1, setup.test().size(),
                dataset.data == null ? "Fashion-MNIST" : "Fashion-MNIST (from " + dataset.data + ")");
        out.println();
        List<Sweep.Line> lines;
        try {
            lines = new Sweep(setup, out, err).run(configs, results);
        } catch (UserException e) {
            throw new UserException(e.getMessage().replace("(or start it afresh)", "(or run the demo with --fresh)"), e);
        }
        Path report = outDir.resolve("report.html");
        writeReport(results, report, "Condense demo: " + modelFile.getFileName());
        out.println();
        out.print(SweepCommand.summary(lines));
        out.println();
        out.printf(Locale.ROOT, "report  %s%nresults %s%nmodels  %s%ntook    %s%n", report, results, work,
                Progress.duration((System.nanoTime() - start) / 1e9));
        return 0;
    }

    private static void writeReport(Path results, Path report, String title) throws UserException, IOException {
        TextFiles.writeAtomically(report, ReportFormat.HTML.render(ReportCommand.read(List.of(results), null, title)));
    }

    /** The folder the launcher names, else the working directory. */
    static Path home() {
        String h = System.getProperty(HOME_PROPERTY);
        return Path.of(h != null && !h.isBlank() ? h : ".");
    }

    /** Null (the default) when the Debian package's folder {@code installed} is there, else the shipped subset. */
    static Path dataDir(Path home, Path installed, PrintWriter err) throws UserException {
        if (Files.isDirectory(installed)) {
            return null;
        }
        Path subset = home.resolve(SUBSET);
        if (!Files.isDirectory(subset)) {
            throw new UserException("Fashion-MNIST is not installed (Debian package dataset-fashion-mnist) and the subset"
                    + " shipped in " + SUBSET + " is not under " + home.toAbsolutePath().normalize()
                    + "; install the package or give --data DIR");
        }
        err.println("condense: Fashion-MNIST is not installed (Debian package dataset-fashion-mnist); using the subset"
                + " shipped in " + SUBSET + " (2,000 test and 1,000 training images)");
        return subset;
    }

    /** Removes the .dcz files an earlier demo wrote, and the folder when nothing else is in it. */
    private static void deleteModels(Path work) throws IOException {
        if (!Files.isDirectory(work)) {
            return;
        }
        List<Path> files = new ArrayList<>();
        try (var s = Files.list(work)) {
            s.filter(p -> p.getFileName().toString().endsWith(".dcz")).forEach(files::add);
        }
        for (Path p : files) {
            Files.delete(p);
        }
        try (var s = Files.list(work)) {
            if (s.findAny().isEmpty()) {
                Files.delete(work);
            }
        }
    }
}
