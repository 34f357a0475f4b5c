// Writes the text files commands produce (reports, JSON) whole or not at all.
package dev.condense.cli;

import dev.condense.io.TemporaryFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** One atomic writer for every report a command writes, so a failure never leaves half a file. */
final class TextFiles {

    private TextFiles() {
    }

    /**
     * Writes {@code text} (UTF-8) through a temporary file beside {@code target}, renamed into place
     * when complete: an existing file is replaced only by a complete one.
     *
     * @throws UserException when the target's folder does not exist or the target is a folder
     */
    static void writeAtomically(Path target, String text) throws IOException, UserException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new UserException("cannot write " + target + ": no such folder " + folder);
        }
        if (Files.isDirectory(absolute)) {
            throw new UserException("cannot write " + target + ": it is a folder");
        }
        Path temp = TemporaryFiles.beside(folder, absolute.getFileName().toString());
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
