// `condense convert`: import a model, optionally fix input shapes and run graph passes, write it back as ONNX.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import dev.condense.passes.ConstantFolding;
import dev.condense.passes.FixInputShape;
import dev.condense.passes.FoldBatchNorm;
import dev.condense.passes.GraphPass;
import dev.condense.passes.Passes;
import dev.condense.passes.RemoveIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "convert",
        description = {"Rewrite a model: fix input shapes, simplify the graph, fold BatchNorm, move weights to external data.",
                "Opset-6 files come out as opset 7; large weights can go to an external data file."},
        mixinStandardHelpOptions = true,
        footer = {"", "Example:", "  condense convert squeezenet.onnx -o squeezenet-b1.onnx --input-shape data=1x3x224x224 --simplify"})
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model to read: ONNX, or a .dcz container (decoded)")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "where to write (never the input)")
    Path output;

    @Option(names = "--input-shape", paramLabel = "NAME=DxDx..", description = "fix a graph input's shape, e.g. input=1x3x224x224 (repeatable)")
    List<String> inputShapes = new ArrayList<>();

    @Option(names = "--simplify", description = "fold constants (collapsing shape arithmetic once shapes are fixed) and drop Identity and inference Dropout")
    boolean simplify;

    @Option(names = "--fold-bn", description = "fold BatchNormalization into the Conv or Gemm before it")
    boolean foldBn;

    @Option(names = "--external-data", paramLabel = "FILE", description = "store initializers of at least --external-threshold bytes in FILE, beside the output")
    String externalData;

    @Option(names = "--external-threshold", paramLabel = "BYTES", defaultValue = "1024", description = "smallest tensor moved to external data (default: ${DEFAULT-VALUE})")
    long externalThreshold;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws ModelLoadException, IOException, UserException, FormatException {
        ModelFiles.checkOutput(input, output, externalData);
        if (externalThreshold < 0) {
            throw new UserException("--external-threshold must be >= 0, got " + externalThreshold);
        }
        OnnxWriter.Options options;
        try {
            options = externalData == null ? OnnxWriter.Options.inline()
                    : new OnnxWriter.Options(Optional.of(externalData), externalThreshold);
        } catch (IllegalArgumentException e) {
            throw new UserException("--external-data: " + e.getMessage());
        }
        Map<String, long[]> shapes = parseShapes(inputShapes);
        // A .dcz converts as the model it stores: decoded, every weight dense.
        OnnxReader.Loaded loaded = DczModel.isDcz(input)
                ? new OnnxReader.Loaded(DczModel.read(input), List.of(), Files.size(input)) : OnnxReader.load(input);
        Model model = loaded.model();
        List<GraphPass> passes = new ArrayList<>();
        if (!shapes.isEmpty()) {
            passes.add(new FixInputShape(shapes));
        }
        if (simplify) {
            passes.addAll(Passes.simplify());
        }
        if (foldBn) {
            passes.add(new FoldBatchNorm());
        }
        Model converted = Passes.run(model, passes);
        OnnxWriter.write(converted, output, options);

        OnnxReader.Loaded written = OnnxReader.load(output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s -> %s%n", input, output);
        out.printf("opset      %d -> %d%n", model.opset(), written.model().opset());
        out.printf("nodes      %,d -> %,d%n", model.graph().nodes().size(), written.model().graph().nodes().size());
        out.printf("parameters %,d -> %,d%n", model.graph().parameterCount(), written.model().graph().parameterCount());
        out.printf("bytes      %,d -> %,d%s%n", loaded.bytesOnDisk(), written.bytesOnDisk(),
                written.externalFiles().isEmpty() ? "" : "  (" + externalData + " holds the tensors of "
                        + externalThreshold + " bytes and more)");
        return 0;
    }

    /** "input=1x3x224x224" to name and sizes. */
    static Map<String, long[]> parseShapes(List<String> specs) throws UserException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String s : specs) {
            int eq = s.lastIndexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw new UserException("--input-shape '" + s + "' is not NAME=DxDx.. (e.g. input=1x3x224x224)");
            }
            String[] parts = s.substring(eq + 1).split("[x,]");
            long[] dims = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    dims[i] = Long.parseLong(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new UserException("--input-shape '" + s + "': '" + parts[i] + "' is not a number");
                }
                if (dims[i] < 1) {
                    throw new UserException("--input-shape '" + s + "': dimensions must be >= 1, got " + dims[i]);
                }
            }
            if (shapes.put(s.substring(0, eq), dims) != null) {
                throw new UserException("--input-shape names input '" + s.substring(0, eq) + "' twice");
            }
        }
        return shapes;
    }
}
