// `condense eval`: top-1 and top-5 accuracy and throughput of an ONNX or DCZ model on a dataset's test split.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.compress.FormatException;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.SessionOptions;
import dev.condense.runtime.SessionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "eval",
        description = {"Measure a model's top-1 and top-5 accuracy on a dataset's test split, and its images per second.",
                "MODEL is an ONNX file or a .dcz container. A model trained by Condense is fed with the normalization"
                        + " it recorded; others with pixels scaled to [0, 1]."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense eval models/trained/lenet-5-caffe.onnx --dataset fashion-mnist",
                "  condense eval lenet5.dcz --dataset fashion-mnist --backend ort-cpu --json"})
final class EvalCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "an ONNX file or a .dcz container")
    Path input;

    @Mixin
    DatasetArgs datasetArgs;

    @Mixin
    EngineArgs engine;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "100",
            description = "images per run when the model's batch size is free (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "test", description = "test or train (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--limit", paramLabel = "N", description = "evaluate the first N images only")
    Integer limit;

    @Option(names = "--json", description = "print JSON: top1, top5, images, images_per_s")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, DatasetException, ModelLoadException, IOException, FormatException,
            SessionException {
        if (batch < 1 || batch > 65536) {
            throw new UserException("--batch must be between 1 and 65536, got " + batch);
        }
        SessionOptions options = engine.options();
        Model model = ModelFiles.read(input);
        Dataset data = DatasetArgs.normalizedFor(datasetArgs.open(split(), sampleShape(model)), model);
        if (limit != null) {
            if (limit < 1) {
                throw new UserException("--limit must be at least 1, got " + limit);
            }
            data = data.take(limit);
        }
        Accuracy a;
        try (dev.condense.runtime.Session session = dev.condense.runtime.Session.open(model, options)) {
            Progress progress = Progress.forStdout(spec.commandLine().getOut());
            a = Accuracy.of(session, data, batch, json ? null : progress);
            if (!json) {
                progress.clear();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", input.toString());
            m.put("dataset", datasetArgs.label());
            m.put("split", split.toLowerCase(Locale.ROOT));
            m.put("backend", options.backend().toString());
            m.put("top1", a.top1());
            m.put("top5", a.top5());
            m.put("images", a.images());
            m.put("images_per_s", a.imagesPerSecond());
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            out.printf(Locale.ROOT, "%s on %s %s (%s): top-1 %.2f%%, top-5 %.2f%% of %,d images, %.0f images/s%n",
                    input.getFileName(), datasetArgs.label(), split.toLowerCase(Locale.ROOT), options.backend(), 100 * a.top1(),
                    100 * a.top5(), a.images(), a.imagesPerSecond());
        }
        return 0;
    }

    private Split split() throws UserException {
        return switch (split.toLowerCase(Locale.ROOT)) {
            case "test" -> Split.TEST;
            case "train" -> Split.TRAIN;
            default -> throw new UserException("--split must be test or train, got '" + split + "'");
        };
    }

    /** The model's {@code [C, H, W]} when its input fixes them, else null. */
    static int[] sampleShape(Model model) {
        List<ValueInfo> inputs = model.graph().inputs();
        if (inputs.size() != 1 || inputs.getFirst().shape().isEmpty()) {
            return null;
        }
        List<Dim> dims = inputs.getFirst().shape().get();
        if (dims.size() != 4) {
            return null;
        }
        int[] s = new int[3];
        for (int i = 0; i < 3; i++) {
            if (!(dims.get(i + 1) instanceof Dim.Fixed f)) {
                return null;
            }
            s[i] = Math.toIntExact(f.size());
        }
        return s;
    }
}
