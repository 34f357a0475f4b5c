// Reads the models the commands take: ONNX files, and DCZ containers decoded to the model they store.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczModel;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;

import java.io.IOException;
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
}
