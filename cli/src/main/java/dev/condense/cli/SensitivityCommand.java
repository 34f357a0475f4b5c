// `condense sensitivity`: prune each layer alone at keep fractions 90% down to 10% and measure the accuracy left (table and JSON).
package dev.condense.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.compress.FormatException;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.passes.Passes;
import dev.condense.prune.Sensitivity;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "sensitivity",
        description = {"Prune each weight layer alone at keep fractions 90% down to 10% and measure the top-1 accuracy"
                + " left, as Han et al. did to choose per-layer pruning rates.",
                "`condense compress --prune auto --max-drop D --dataset ...` runs this scan and keeps in each layer the"
                        + " smallest fraction that costs at most D points."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense sensitivity models/trained/lenet-5-caffe.onnx --dataset fashion-mnist",
                "  condense sensitivity model.onnx --dataset fashion-mnist --limit 2000 --json"})
final class SensitivityCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "an ONNX model")
    Path input;

    @Mixin
    DatasetArgs datasetArgs;

    @Mixin
    EngineArgs engine;

    @Option(names = "--limit", paramLabel = "N", description = "measure on the first N test images only")
    Integer limit;

    @Option(names = "--json", description = "print JSON instead of the table")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, ModelLoadException, IOException, FormatException, DatasetException,
            SessionException {
        PrintWriter out = spec.commandLine().getOut();
        Model model = Passes.run(ModelFiles.read(input), Passes.simplify());
        Sensitivity s = scan(model, datasetArgs, limit, engine.options(),
                Progress.forStdout(json ? new PrintWriter(System.err, true) : out));
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(s)));
        } else {
            out.print(s.table());
        }
        return 0;
    }

    /** The scan on the test split (its first {@code limit} images when given). */
    static Sensitivity scan(Model model, DatasetArgs datasetArgs, Integer limit, SessionOptions options,
                            Progress progress) throws UserException, DatasetException {
        Dataset test = DatasetArgs.normalizedFor(datasetArgs.open(Split.TEST, EvalCommand.sampleShape(model)), model);
        if (limit != null) {
            if (limit < 1) {
                throw new UserException("--limit must be at least 1, got " + limit);
            }
            test = test.take(limit);
        }
        Dataset data = test;
        long start = System.nanoTime();
        try {
            return Sensitivity.scan(model, Sensitivity.DEFAULT_KEEPS,
                    m -> Accuracy.of(m, data, options, Accuracy.DEFAULT_BATCH).top1(),
                    (done, total, layer, keep, accuracy) -> {
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        progress.update("sensitivity", done, total, String.format(Locale.ROOT, "%s at %.0f%%: %.2f%%",
                                layer, 100 * keep, 100 * accuracy), elapsed / done * (total - done));
                    });
        } catch (UserException | DatasetException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UserException("measuring accuracy failed: " + e.getMessage());
        } finally {
            progress.done(String.format(Locale.ROOT, "sensitivity scan took %s",
                    Progress.duration((System.nanoTime() - start) / 1e9)));
        }
    }

    static Map<String, Object> toJson(Sensitivity s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dense_top1", s.dense());
        m.put("keeps", s.keeps());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Sensitivity.Row r : s.layers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", r.layer());
            row.put("op", r.opType());
            row.put("weights", r.weights());
            row.put("top1", r.accuracy());
            rows.add(row);
        }
        m.put("layers", rows);
        return m;
    }
}
