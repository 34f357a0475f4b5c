// Reads and writes a lone tensor as .npy or ONNX TensorProto .pb, choosing the format by content or extension.
package dev.condense.io;

import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One entry point for tensor files. Reading looks at the content first (the .npy magic), then at
 * the extension, because a protobuf has no magic of its own; writing goes by the extension alone.
 * The .pb format is handled by {@link OnnxReader#readTensor(Path)} and
 * {@link OnnxWriter#writeTensor(Tensor, Path)}, whose failures arrive here as a
 * {@link TensorFileException} carrying the original as its cause.
 */
public final class TensorFiles {

    /** The extensions {@link #write} knows, in the words messages use. */
    public static final List<String> EXTENSIONS = List.of(".npy", ".pb");

    private TensorFiles() {
    }

    /**
     * Reads a tensor: NumPy .npy when the file starts with the .npy magic, whatever its name;
     * otherwise by extension, {@code .pb} being an ONNX TensorProto. A .npy tensor is named after
     * the file without its extension; a .pb tensor keeps the name stored in it.
     *
     * @throws TensorFileException when the file is missing, is in neither format, or is malformed
     */
    public static Tensor read(Path file) throws TensorFileException {
        if (Files.isDirectory(file)) {
            throw new TensorFileException(file + " is a folder, not a tensor file");
        }
        if (Npy.hasMagic(prefix(file))) {
            return Npy.read(file);
        }
        return switch (extension(file)) {
            case ".npy" -> Npy.read(file);
            case ".pb" -> {
                try {
                    yield OnnxReader.readTensor(file);
                } catch (ModelLoadException e) {
                    throw new TensorFileException(e.getMessage(), e);
                }
            }
            default -> throw new TensorFileException(file + " does not start with the .npy magic and its name does"
                    + " not end in a known extension; Condense reads tensor files ending in " + String.join(" or ", EXTENSIONS));
        };
    }

    /**
     * Writes {@code tensor} in the format its extension names, {@code .npy} or {@code .pb} (any case),
     * creating missing folders and replacing an existing file only with a complete one.
     *
     * @throws TensorFileException for another extension, a tensor the format cannot hold (bfloat16
     *                             in .npy, over 2 GB in .pb), or a file that cannot be written
     */
    public static void write(Path file, Tensor tensor) throws TensorFileException {
        switch (extension(file)) {
            case ".npy" -> Npy.write(file, tensor);
            case ".pb" -> {
                try {
                    OnnxWriter.writeTensor(tensor, file);
                } catch (IOException e) {
                    throw new TensorFileException(file + ": cannot write it: " + Npy.reason(e), e);
                }
            }
            default -> throw new TensorFileException(file + ": cannot tell the format from the name; Condense writes"
                    + " tensor files ending in " + String.join(" or ", EXTENSIONS));
        }
    }

    /** The last extension in lower case with its dot, or "" when the name has none. */
    private static String extension(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? "" : fileName.toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot).toLowerCase(Locale.ROOT) : "";
    }

    /** The first bytes of the file, as many as the .npy magic has (fewer if the file is shorter). */
    private static byte[] prefix(Path file) throws TensorFileException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(Npy.MAGIC_LENGTH);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(file + " does not exist", e);
        } catch (IOException e) {
            throw new TensorFileException(file + ": cannot read it: " + Npy.reason(e), e);
        }
    }
}
