// `condense inspect`: what a model file holds, as text or as one JSON object.
package dev.condense.cli;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.shape.ModelCost;
import dev.condense.shape.ShapeInference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "inspect",
        description = {"Summarize a model: opset, inputs and outputs with shapes, ops, nodes, parameters, bytes.",
                "Output shapes come from shape inference; bytes include external data files."},
        mixinStandardHelpOptions = true,
        footer = {"", "Example:", "  condense inspect resnet18.onnx --json"})
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "an ONNX model file (.onnx)")
    Path model;

    @Option(names = "--json", description = "print one JSON object with keys opset, inputs, outputs, ops, nodes,"
            + " parameters, bytes")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws ModelLoadException {
        OnnxReader.Loaded loaded = OnnxReader.load(model);
        String source = model.getFileName().toString();
        ModelSummary summary;
        try {
            summary = summarize(source, loaded.model(), loaded.bytesOnDisk());
        } catch (ModelLoadException e) {
            // The file is readable but its shapes contradict each other: still show what it holds.
            spec.commandLine().getErr().println("condense inspect: warning: shape inference failed, showing declared"
                    + " shapes: " + e.getMessage());
            summary = ModelSummary.of(source, loaded.model(), loaded.bytesOnDisk(), null);
        }
        spec.commandLine().getOut().println(json ? summary.toJson() : summary.toText().stripTrailing());
        return 0;
    }

    /** The summary with output shapes from shape inference. */
    static ModelSummary summarize(String source, Model model, long bytes) throws ModelLoadException {
        Model inferred = ShapeInference.infer(model);
        return ModelSummary.of(source, inferred, bytes, ModelCost.of(inferred));
    }
}
