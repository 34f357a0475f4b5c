// Reads the models the commands take: ONNX files, and DCZ containers decoded to the model they store.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One loader for every command that runs or rewrites a model, so a .dcz works wherever an .onnx does. */
final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * The model in {@code file}: a DCZ container (by its {@code .dcz} name or its zip signature),
     * decoded, or else an ONNX file. A malformed container is a {@link FormatException} naming the
     * file and the entry.
     */
    static Model read(Path file) throws ModelLoadException, IOException, FormatException {
        return DczModel.isDcz(file) ? DczModel.read(file) : OnnxReader.read(file);
    }

    /**
     * Refuses, before anything is read or written, an output that is the input, and an external
     * data file (named relative to the output's folder, as ONNX stores it) that is the input:
     * writing either would destroy the model being read.
     */
    static void checkOutput(Path input, Path output, String externalData) throws UserException, IOException {
        if (Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output)) {
            throw new UserException("the output " + output + " is the input; write to another file");
        }
        if (externalData != null && Files.exists(input)
                && output.toAbsolutePath().getParent().resolve(externalData).toAbsolutePath().normalize()
                .equals(input.toAbsolutePath().normalize())) {
            throw new UserException("--external-data " + externalData + " is the input; name another file");
        }
    }
}
