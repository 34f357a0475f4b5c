// Resolves ONNX external tensor data: the file must lie inside the model's folder and hold the bytes it claims.
package dev.condense.onnx;

import dev.condense.ir.ModelLoadException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the bytes a tensor stores outside the model file ({@code data_location = EXTERNAL}, keys
 * {@code location}, {@code offset}, {@code length}). The location is resolved against the model's
 * folder only: absolute paths, {@code ..} segments and links that lead outside are rejected, and
 * offset and length are checked against the file's real size before a byte is read. The data is
 * memory-mapped read-only, so a 500 MB fully connected layer costs no heap.
 */
final class ExternalData {

    private ExternalData() {
    }

    /**
     * @param baseDir      the folder of the model file, or null when the model came from memory
     * @param used         receives the resolved file, so a reader can account for the files a model uses
     * @param tensor       the tensor's name, for messages
     * @param location     the {@code location} entry
     * @param offset       the {@code offset} entry, or -1 when absent (0)
     * @param length       the {@code length} entry, or -1 when absent (the rest of the file)
     * @param expectedSize bytes the tensor's type and dims require
     */
    static MemorySegment read(Path baseDir, java.util.Set<Path> used, String tensor, String location, long offset,
                              long length, long expectedSize) throws ModelLoadException {
        if (baseDir == null) {
            throw new ModelLoadException("tensor '" + tensor + "' keeps its data in external file '" + location
                    + "', but the model was loaded from memory, so there is no folder to look in");
        }
        Path file = resolve(baseDir, tensor, location);
        used.add(file);
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException("tensor '" + tensor + "': cannot read the size of external file '"
                    + location + "': " + e.getMessage(), e);
        }
        long start = Math.max(offset, 0);
        if (start > fileSize) {
            throw new ModelLoadException("tensor '" + tensor + "': external data offset " + offset
                    + " lies past the end of '" + location + "' (" + fileSize + " bytes)");
        }
        long size = length >= 0 ? length : fileSize - start;
        if (size != expectedSize) {
            throw new ModelLoadException("tensor '" + tensor + "' needs " + expectedSize + " bytes but its external data in '"
                    + location + "' is " + size + " bytes long" + (length >= 0 ? " (length entry)" : " (rest of file)"));
        }
        long end;
        try {
            end = Math.addExact(start, size);
        } catch (ArithmeticException e) {
            throw new ModelLoadException("tensor '" + tensor + "': external data offset " + offset + " + length "
                    + length + " overflows");
        }
        if (end > fileSize) {
            throw new ModelLoadException("tensor '" + tensor + "': external data [" + start + ", " + end
                    + ") runs past the end of '" + location + "' (" + fileSize + " bytes)");
        }
        if (size == 0) {
            return MemorySegment.ofArray(new byte[0]);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // Arena.ofAuto: the mapping lives as long as the tensor that holds it.
            return ch.map(FileChannel.MapMode.READ_ONLY, start, size, Arena.ofAuto()).asReadOnly();
        } catch (IOException e) {
            throw new ModelLoadException("tensor '" + tensor + "': cannot map external file '" + location + "': "
                    + e.getMessage(), e);
        }
    }

    /** The external file for {@code location}, confined to {@code baseDir}. */
    static Path resolve(Path baseDir, String tensor, String location) throws ModelLoadException {
        if (location.isEmpty()) {
            throw new ModelLoadException("tensor '" + tensor + "' is marked EXTERNAL but has no 'location' entry");
        }
        if (location.indexOf('\0') >= 0) {
            throw new ModelLoadException("tensor '" + tensor + "': external location contains a NUL character");
        }
        Path rel;
        try {
            rel = Path.of(location);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ModelLoadException("tensor '" + tensor + "': external location '" + location + "' is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\")) {
            throw new ModelLoadException("tensor '" + tensor + "': external location '" + location
                    + "' is absolute; it must be relative to the model's folder");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw new ModelLoadException("tensor '" + tensor + "': external location '" + location
                        + "' leaves the model's folder through '..'");
            }
        }
        Path base;
        Path real;
        try {
            base = baseDir.toRealPath();
            Path candidate = base.resolve(rel).normalize();
            if (!Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(candidate)) {
                throw new ModelLoadException("tensor '" + tensor + "': external file '" + location
                        + "' does not exist in the model's folder " + baseDir);
            }
            real = candidate.toRealPath();
        } catch (IOException e) {
            throw new ModelLoadException("tensor '" + tensor + "': external file '" + location + "' cannot be opened: "
                    + e.getMessage(), e);
        }
        if (!real.startsWith(base)) {
            throw new ModelLoadException("tensor '" + tensor + "': external location '" + location
                    + "' is a link that leads outside the model's folder");
        }
        if (!Files.isRegularFile(real)) {
            throw new ModelLoadException("tensor '" + tensor + "': external location '" + location + "' is not a regular file");
        }
        return real;
    }
}
