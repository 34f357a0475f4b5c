// `condense decompress`: decode a DCZ container back to a plain ONNX file any runtime loads.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "decompress",
        description = {"Decode a .dcz container into a plain ONNX file: every weight dense fp32, pruned ones 0, shared"
                + " ones their centroid.",
                "The result runs anywhere ONNX runs and computes what the .dcz computes. Every entry is verified"
                        + " first; nothing is written when one is malformed."},
        mixinStandardHelpOptions = true,
        footer = {"", "Example:", "  condense decompress alexnet.dcz -o alexnet-pruned.onnx"})
final class DecompressCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN.dcz", description = "the container to decode")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "where to write the ONNX model (never the input)")
    Path output;

    @Option(names = "--external-data", paramLabel = "FILE", description = "store initializers of 1 KiB and more in FILE, beside the output (needed past 2 GB)")
    String externalData;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, FormatException, IOException, ModelLoadException {
        ModelFiles.checkOutput(input, output, externalData);
        OnnxWriter.Options options;
        try {
            options = externalData == null ? OnnxWriter.Options.inline() : OnnxWriter.Options.external(externalData);
        } catch (IllegalArgumentException e) {
            throw new UserException("--external-data: " + e.getMessage());
        }
        Model model = DczModel.read(input);
        try {
            OnnxWriter.write(model, output, options);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
        OnnxReader.Loaded written = OnnxReader.load(output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s -> %s%n", input, output);
        out.printf("tensors    %,d initializers, %,d parameters%n", model.graph().initializers().size(),
                model.graph().parameterCount());
        out.printf("bytes      %,d -> %,d%s%n", Files.size(input), written.bytesOnDisk(),
                Optional.ofNullable(externalData).map(f -> "  (" + f + " holds the tensors of 1 KiB and more)").orElse(""));
        return 0;
    }
}
