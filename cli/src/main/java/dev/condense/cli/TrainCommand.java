// `condense train`: train a zoo architecture or an ONNX model on a dataset with DJL's PyTorch engine, and write it as ONNX.
package dev.condense.cli;

import dev.condense.data.ModelMetadata;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxWriter;
import dev.condense.train.GraphModule;
import dev.condense.train.TrainConfig;
import dev.condense.train.Trainer;
import dev.condense.train.TrainingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "train",
        description = {"Train a model on a dataset on DJL's PyTorch engine (CPU, offline) and write it as ONNX.",
                "MODEL is a zoo name (built for the dataset's image size and classes with seeded weights) or an ONNX"
                        + " file to fine-tune. SGD with momentum 0.9, cosine schedule, random crop and flip; the test"
                        + " split is evaluated after every epoch. The output records the dataset and normalization it"
                        + " was trained with, which `condense eval` applies."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense train lenet-300-100 --dataset fashion-mnist --epochs 10 -o lenet300.onnx",
                "  condense train vgg-16-bn --dataset fashion-mnist --epochs 15 -o vgg16.onnx",
                "  condense train model.onnx --dataset fashion-mnist --epochs 2 --lr 0.005 -o tuned.onnx"})
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "NAME|MODEL.onnx", description = "a zoo model name, an ONNX file or a .dcz container")
    String model;

    @Mixin
    DatasetArgs datasetArgs;

    @Option(names = "--epochs", paramLabel = "N", required = true, description = "passes over the training set")
    int epochs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "where to write the trained model")
    Path output;

    @Option(names = "--width-multiplier", paramLabel = "F", description = "zoo models: scale every width by F (default: the family's reduced widths under 112 pixels)")
    Double widthMultiplier;

    @Mixin
    TrainOptions trainOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, DatasetException, ModelLoadException, IOException, TrainingException,
            dev.condense.compress.FormatException {
        PrintWriter out = spec.commandLine().getOut();
        TrainConfig config;
        try {
            config = trainOptions.apply(TrainConfig.defaults(epochs));
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        Path source = Path.of(model);
        boolean file = model.endsWith(".onnx") || model.endsWith(".dcz") || Files.exists(source);
        if (file) {
            ModelFiles.checkOutput(source, output, null);
        }
        Model m = file ? ModelFiles.read(source) : null;
        Dataset train = datasetArgs.open(Split.TRAIN, m == null ? null : EvalCommand.sampleShape(m));
        if (m == null) {
            m = zooModel(train);
        }
        train = DatasetArgs.normalizedFor(train, m);
        Dataset test = datasetArgs.open(Split.TEST, train.sampleShape()).withNormalization(train.normalization());
        out.printf(Locale.ROOT, "training %s on %s: %,d images, %d classes; %d epochs of %d, lr %.3g %s%n",
                file ? source.getFileName() : model, datasetArgs.label(), config.limit() > 0
                        ? Math.min(config.limit(), train.size()) : train.size(), train.classNames().size(), config.epochs(),
                config.batchSize(), config.learningRate(), config.schedule().name().toLowerCase(Locale.ROOT));
        long start = System.nanoTime();
        Progress progress = Progress.forStdout(out);
        Model trained;
        Trainer.Evaluation evaluation;
        try (GraphModule module = GraphModule.of(m)) {
            Trainer.fit(module, train, test, config, Map.of(), listener(progress, "epoch"));
            evaluation = Trainer.evaluate(module, test);
            trained = module.toModel();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, String> meta = new LinkedHashMap<>(trained.metadata());
        meta.put(DatasetArgs.DATASET_KEY, datasetArgs.label());
        meta.put(DatasetArgs.MEAN_KEY, DatasetArgs.format(train.normalization().mean()));
        meta.put(DatasetArgs.STD_KEY, DatasetArgs.format(train.normalization().std()));
        meta.put(ModelMetadata.LABELS, ModelMetadata.formatLabels(train.classNames()));
        meta.put("condense.train.epochs", Integer.toString(config.epochs()));
        meta.put("condense.train.top1", String.format(Locale.ROOT, "%.4f", evaluation.top1()));
        meta.put("condense.train.seconds", String.format(Locale.ROOT, "%.0f", seconds));
        trained = new Model(trained.irVersion(), trained.opsets(), "condense", trained.producerVersion(),
                trained.docString(), meta, trained.graph());
        OnnxWriter.write(trained, output, OnnxWriter.Options.inline());
        out.printf(Locale.ROOT, "test top-1 %.2f%%, top-5 %.2f%% on %,d images; trained in %s; wrote %s (%,d bytes)%n",
                100 * evaluation.top1(), 100 * evaluation.top5(), evaluation.images(), Progress.duration(seconds), output,
                Files.size(output));
        return 0;
    }

    /** Per-step progress and a line per epoch. */
    static Trainer.Listener listener(Progress progress, String stage) {
        return new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int steps, double meanLoss, double secondsLeft) {
                progress.update(stage + " " + epoch, step, steps, String.format(Locale.ROOT, "loss %.4f", meanLoss),
                        secondsLeft);
            }

            @Override
            public void epoch(Trainer.EpochReport r) {
                progress.done(String.format(Locale.ROOT, "%s %d/%d: loss %.4f, train %.2f%%%s, lr %.2g, %s, %s left",
                        stage, r.epoch(), r.epochs(), r.loss(), 100 * r.trainAccuracy(),
                        r.testAccuracy().isPresent() ? String.format(Locale.ROOT, ", test %.2f%%",
                                100 * r.testAccuracy().getAsDouble()) : "", r.learningRate(), Progress.duration(r.seconds()),
                        Progress.duration(r.secondsLeft())));
            }
        };
    }

    private Model zooModel(Dataset train) throws UserException {
        Optional<Zoo.Entry> entry = Zoo.find(model);
        if (entry.isEmpty()) {
            throw new UserException("'" + model + "' is neither an ONNX file nor a zoo model; the zoo has "
                    + String.join(", ", Zoo.entries().stream().map(Zoo.Entry::name).toList()));
        }
        int[] s = train.sampleShape();
        ZooSpec zs = ZooSpec.fashionMnist().withInput(s[0], s[1], s[2]).withClasses(train.classNames().size());
        if (widthMultiplier != null) {
            zs = zs.withWidthMultiplier(widthMultiplier);
        }
        try {
            return entry.get().build(zs);
        } catch (IllegalArgumentException e) {
            throw new UserException(entry.get().name() + " does not build for " + DatasetArgs.text(s) + " images: "
                    + e.getMessage());
        }
    }

}
